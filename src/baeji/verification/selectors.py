"""Verifying the platform's own credentials without HTTP requests to itself.

The public credential page verifies live, and verifying costs milliseconds of JSON-LD and
JSON Schema work, so the report of our own credentials is cached under a key naming
everything it depends on: the credential, the signed status list it points at and the
issuer's keys. Re-signing the status list (revoke, suspend, reinstate) or changing a key
changes the key, so the next request verifies afresh — on every worker at once, with no
invalidation messages — while unchanged credentials are answered from the cache.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.utils import timezone

from baeji.achievements.rendering import render_markdown
from baeji.awards.models import Award, StatusList
from baeji.core import links
from baeji.credentials import keys
from baeji.credentials.fetch import Fetcher
from baeji.credentials.report import VerificationReport
from baeji.credentials.verify import verify
from baeji.keystore.models import SigningKey
from baeji.keystore.selectors import did_document_for_organization, did_for_organization
from baeji.organizations.models import Organization

# A cached report is also dropped after this long, so whatever else time changes (a status
# list credential's own validity, clock-dependent checks) is looked at again regularly.
REPORT_CACHE_SECONDS = 300
# Without a configured "verification" cache each process keeps its own; Django's default
# in-process cache holds only 300 entries, fewer than the pages of one busy issuer.
_LOCAL_CACHE = LocMemCache(
    "baeji-verification",
    {"TIMEOUT": REPORT_CACHE_SECONDS, "OPTIONS": {"MAX_ENTRIES": 4000, "CULL_FREQUENCY": 4}},
)


def verification_cache():
    """Where reports and rendered credential pages are kept: the cache named
    "verification" in settings.CACHES (e.g. a shared Redis or memcached) when there is one,
    else a per-process memory cache."""
    if "verification" in settings.CACHES:
        return caches["verification"]
    return _LOCAL_CACHE


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


def public_award_for_page(public_id: str) -> Award:
    """An award with everything its public page and its cached report need, in one query
    (raises Award.DoesNotExist). The badge images are left out: the page links to them."""
    award = (
        Award.objects.select_related(
            "organization", "organization__parent", "version", "achievement", "status_list"
        )
        .defer("version__image_png", "version__image_svg")
        .get(public_id=public_id)
    )
    if award.status_list.organization_id == award.organization_id:
        # The list's URL names its organization: the one already loaded, not a second query.
        award.status_list.organization = award.organization
    return award


def _issuers(award) -> list:
    organizations = [award.organization]
    if award.organization.parent:
        organizations.append(award.organization.parent)
    return organizations


def report_cache_key(award) -> str:
    """The cache key of ``award``'s report: it changes whenever the report could.

    It names the credential text, the status list credential as last signed (a revocation
    re-signs it) and the state of the issuers' keys (a rotation or a key revocation).
    """
    keys_state = list(
        SigningKey.objects.filter(organization__in=[o.pk for o in _issuers(award)])
        .order_by("pk")
        .values_list("pk", "status", "revoked_at")
    )
    digest = hashlib.sha256()
    for part in (
        award.credential_json,
        award.status_list.credential_json,
        repr(keys_state),
        links.absolute("/"),
    ):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return f"baeji:report:{award.public_id}:{digest.hexdigest()[:32]}"


@lru_cache(maxsize=1)
def _page_state_sql() -> str:
    """One plain query for everything a credential page's cache key names.

    Written as SQL because it runs on every page view and the ORM's query compilation of
    these joins cost more than the query itself (see bench/public_page.py).
    """
    award, status_list = Award._meta.db_table, StatusList._meta.db_table
    organization, key = Organization._meta.db_table, SigningKey._meta.db_table
    version = Award._meta.get_field("version").related_model._meta.db_table
    from baeji.backpack.models import BackpackDecision

    decision = BackpackDecision._meta.db_table
    issuers = "k.organization_id IN (a.organization_id, o.parent_id)"
    # Only table names from the models are formatted in; the public id is a parameter.
    return (
        "SELECT a.updated_at, a.status, a.status_reason, a.recipient_name, a.recipient_email, "  # noqa: S608
        "s.updated_at, o.updated_at, p.updated_at, v.updated_at, "
        f"(SELECT COUNT(*) FROM {key} k WHERE {issuers}), "
        f"(SELECT MAX(k.updated_at) FROM {key} k WHERE {issuers}), "
        f"(SELECT MAX(k.revoked_at) FROM {key} k WHERE {issuers}), "
        f"(SELECT d.is_public FROM {decision} d WHERE d.award_id = a.id), a.recipient_id "
        f"FROM {award} a JOIN {status_list} s ON s.id = a.status_list_id "
        f"JOIN {organization} o ON o.id = a.organization_id "
        f"LEFT JOIN {organization} p ON p.id = o.parent_id "
        f"JOIN {version} v ON v.id = a.version_id "
        "WHERE a.public_id = %s"
    )


def credential_page_key(public_id: str, language: str) -> tuple[str, bool] | None:
    """The cache key of a credential page's rendered parts and whether the page may name the
    recipient, from one light query (None when there is no such credential).

    The key names everything the page shows that can change: the award row (its change time,
    and the status and recipient columns themselves, in case a bulk update skipped the
    change time), the status list as last signed, the issuer and its parent, the badge
    version, the issuers' keys (a new key, a revoked one), the learner's public/private
    choice, the language and the site's address.

    The recipient's name is personal data: it is shown only when the learner made the badge
    public and may share at all (a child under 14 only after a guardian's consent); the
    credential itself still answers whoever has the link, because verifiers need it.
    """
    with connection.cursor() as cursor:
        cursor.execute(_page_state_sql(), [public_id])
        row = cursor.fetchone()
    if row is None:
        return None
    is_public, recipient_id = row[-2], row[-1]
    show_recipient = bool(is_public and recipient_id and _may_share(recipient_id))
    state = (tuple(row), show_recipient, links.absolute("/"))
    digest = hashlib.sha256(repr(state).encode("utf-8"))
    return f"baeji:page:{public_id}:{language}:{digest.hexdigest()[:32]}", show_recipient


def _may_share(user_id: int) -> bool:
    from django.contrib.auth import get_user_model

    from baeji.guardians.selectors import may_share

    user = get_user_model().objects.filter(pk=user_id).first()
    return user is not None and may_share(user)


def credential_text(public_id: str) -> str | None:
    """The stored credential JSON of ``public_id`` alone (the JSON answer needs nothing else)."""
    return (
        Award.objects.filter(public_id=public_id).values_list("credential_json", flat=True).first()
    )


def report_timeout(award) -> int:
    """How long a report may be reused: never past the credential's own expiry."""
    timeout = REPORT_CACHE_SECONDS
    if award.valid_until:
        timeout = min(timeout, int((award.valid_until - timezone.now()).total_seconds()))
    return timeout


def verify_award(award, *, at: datetime | None = None) -> VerificationReport:
    """Verify an award's stored credential against the platform's own published documents.

    Without ``at`` (verify as of now) the report is cached; see the module docstring.
    """
    if at is not None:
        return verify(award.credential_json, fetcher=local_fetcher(_issuers(award)), at=at)
    key = report_cache_key(award)
    report = verification_cache().get(key)
    if report is None:
        report = verify(award.credential_json, fetcher=local_fetcher(_issuers(award)))
        timeout = report_timeout(award)
        if timeout > 0:
            verification_cache().set(key, report, timeout)
    return report


@lru_cache(maxsize=2048)
def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (the same URL always draws the same code)."""
    return segno.make(url, error="m").svg_inline(scale=4, dark="#1b1b1f")


@lru_cache(maxsize=2048)
def _markdown_html(text: str) -> str:
    return str(render_markdown(text))


def markdown_html(text: str):
    """Criteria and narratives rendered (and sanitised) once per text per process."""
    from django.utils.safestring import mark_safe

    return mark_safe(_markdown_html(text or ""))  # noqa: S308 - render_markdown sanitised it


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
