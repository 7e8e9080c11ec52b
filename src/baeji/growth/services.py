"""The portable record: a CLR 2.0 ``ClrCredential`` signed by the platform's own identity.

The platform signs as an organization of its own (slug ``BAEJI_PLATFORM_ISSUER_SLUG``, by
default ``baeji-platform``), created on first use through ``organization_create``. So its key
is an ordinary keystore key (encrypted at rest, rotatable, revocable) and its DID document is
served at ``/issuers/<slug>/did.json`` like every issuer's; no second key mechanism exists.
The record carries the learner's chosen OB 3.0 credentials verbatim (their stored JSON, each
with its issuer's proof), and ``precedes`` associations between levels of each badge family.
"""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baeji.audit.services import audit_record
from baeji.awards.services import issuer_profile
from baeji.credentials import clr, model
from baeji.credentials.suites import eddsa_rdfc_2022
from baeji.growth.models import GrowthPreference
from baeji.keystore import selectors as keystore
from baeji.keystore.services import signing_key_create

DEFAULT_PLATFORM_SLUG = "baeji-platform"


class RecordError(Exception):
    """A record that cannot be exported (message for people)."""


def platform_issuer_slug() -> str:
    """The slug of the organization that is the platform's own signing identity."""
    return getattr(settings, "BAEJI_PLATFORM_ISSUER_SLUG", DEFAULT_PLATFORM_SLUG)


def platform_issuer_get_or_create():
    """The platform's own issuer organization (with an active key), created on first use."""
    from baeji.organizations.models import Organization
    from baeji.organizations.services import organization_create

    slug = platform_issuer_slug()
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        try:
            with transaction.atomic():
                organization = organization_create(
                    slug=slug,
                    name=getattr(settings, "BAEJI_PLATFORM_NAME", "Baeji"),
                    description="Signs learners' Comprehensive Learner Records exported from "
                    "this Baeji installation.",
                    url=settings.BASE_URL,
                )
        except IntegrityError:
            # Another request created it at the same moment.
            organization = Organization.objects.get(slug=slug)
    return organization


@transaction.atomic
def growth_preference_set(*, user, show_on_profile: bool) -> GrowthPreference:
    """Turn the public growth summary on or off."""
    preference, _created = GrowthPreference.objects.select_for_update().get_or_create(user=user)
    preference.show_on_profile = bool(show_on_profile)
    preference.save(update_fields=["show_on_profile", "updated_at"])
    audit_record(
        action="growth.profile", actor=user, data={"show_on_profile": preference.show_on_profile}
    )
    return preference


def _family_key(awards, credentials) -> dict[str, tuple[str, int]]:
    """``{achievement id: (family, level)}`` from the badge classes' own family and level.

    Where two badges claim one level of a family (a re-issued version), the first one kept
    is the one linked; the other stays in the record, unlinked.
    """
    table: dict[str, tuple[str, int]] = {}
    taken: set[tuple[str, int]] = set()
    for award, credential in zip(awards, credentials, strict=True):
        version = award.version
        if not (version.family and version.level):
            continue
        achievement = credential.get("credentialSubject", {}).get("achievement", {})
        achievement_id = achievement.get("id")
        key = (f"{award.organization.slug}/{version.family}", int(version.level))
        if not isinstance(achievement_id, str) or achievement_id in table or key in taken:
            continue
        table[achievement_id] = key
        taken.add(key)
    return table


@transaction.atomic
def learner_record_export(*, user, awards, complete: bool = False) -> dict:
    """Sign and return a ``ClrCredential`` of ``awards`` (the learner's own, chosen by them).

    Refused (``RecordError``) while ``may_share(user)`` is False: an exported, signed record
    is made to be shared. ``complete`` says the record holds every badge the learner has
    (otherwise it is marked ``partial``).
    """
    from baeji.guardians.selectors import may_share

    if not may_share(user):
        raise RecordError(_("Your record cannot be exported before sharing is allowed."))
    awards = sorted(awards, key=lambda a: (a.issued_at, a.id))
    if not awards:
        raise RecordError(_("Choose at least one badge."))
    from baeji.growth.selectors import learner_awards

    owned = {a.pk for a in learner_awards(user)}
    if any(a.pk not in owned for a in awards):
        raise RecordError(_("Only your own badges can go into your record."))
    credentials = [json.loads(a.credential_json) for a in awards]
    associations = clr.level_associations(credentials, family_key=_family_key(awards, credentials))
    organization = platform_issuer_get_or_create()
    learner_name = (user.get_full_name() or user.first_name or "").strip() or None
    identifiers = [model.identity_object(email=user.email)] if user.email else []
    now = timezone.now().replace(microsecond=0)
    unsigned = clr.clr_credential(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer=issuer_profile(organization),
        learner_name=learner_name,
        identifiers=identifiers,
        credentials=credentials,
        associations=associations,
        name=_("Comprehensive Learner Record") + (f" — {learner_name}" if learner_name else ""),
        description=_(
            "Badges chosen by the learner, exported from Baeji. Each badge keeps its "
            "issuer's own signature."
        ),
        valid_from=now,
        partial=not complete,
    )
    key = keystore.active_key(organization) or signing_key_create(organization=organization)
    signed = eddsa_rdfc_2022.sign(
        unsigned,
        private_key=keystore.private_key_of(key),
        verification_method=keystore.verification_method_id(key),
    )
    audit_record(
        action="record.export",
        actor=user,
        organization=organization,
        data={
            "id": signed["id"],
            "credentials": [a.public_id for a in awards],
            "associations": len(associations),
        },
    )
    return signed
