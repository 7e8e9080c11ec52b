"""Verifying the platform's own credentials without HTTP requests to itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlencode

from baeji.awards.models import StatusList
from baeji.core import links
from baeji.credentials import keys
from baeji.credentials.fetch import Fetcher
from baeji.credentials.report import VerificationReport
from baeji.credentials.verify import verify
from baeji.keystore.selectors import did_document_for_organization, did_for_organization
from baeji.organizations.models import Organization


def local_fetcher(organizations, *, offline: bool = True) -> Fetcher:
    """A Fetcher seeded with these organizations' DID documents and status list credentials.

    With ``offline`` it refuses everything else, so a public page never calls out (nor to
    itself); /verify passes ``offline=False`` to reach other issuers through the guard.
    """
    fetcher = Fetcher(offline=offline)
    for organization in organizations:
        document = did_document_for_organization(organization)
        fetcher.seed(keys.did_web_url(did_for_organization(organization)), document)
        fetcher.seed(links.did_document_url(organization), document)
        for status_list in StatusList.objects.filter(organization=organization):
            fetcher.seed(
                links.status_list_url(status_list),
                status_list.credential_json.encode("utf-8"),
                "application/vc+ld+json",
            )
    return fetcher


def verify_award(award, *, at: datetime | None = None) -> VerificationReport:
    """Verify an award's stored credential against the platform's own published documents."""
    organizations = [award.organization]
    if award.organization.parent:
        organizations.append(award.organization.parent)
    return verify(award.credential_json, fetcher=local_fetcher(organizations), at=at)


def verify_submitted(data: bytes | str | dict) -> VerificationReport:
    """Verify something pasted or uploaded on /verify: our issuers are answered locally."""
    return verify(data, fetcher=local_fetcher(Organization.objects.all()[:100], offline=False))


def linkedin_add_url(award) -> str:
    """LinkedIn's add-to-profile link with the certification form filled in."""
    issued = award.issued_at.astimezone(UTC)
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": award.version.name,
        "organizationName": award.organization.name,
        "issueYear": issued.year,
        "issueMonth": issued.month,
        "certUrl": links.credential_url(award),
        "certId": award.public_id,
    }
    if award.valid_until:
        params["expirationYear"] = award.valid_until.year
        params["expirationMonth"] = award.valid_until.month
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


def credential_document(award) -> dict:
    """The stored credential as a dict (for templates; the JSON endpoints serve the text)."""
    return json.loads(award.credential_json)
