"""Writes of the backpack: one transaction and one audit event each."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baeji.audit.services import audit_record
from baeji.awards.models import Award
from baeji.backpack import verifying
from baeji.backpack.models import (
    BackpackDecision,
    Collection,
    CollectionItem,
    ImportedBadge,
    LearnerProfile,
)
from baeji.credentials import keys
from baeji.credentials.fetch import Fetcher
from baeji.credentials.report import VerificationReport

MAX_IMPORT_BYTES = 2_000_000
RESERVED_HANDLES = {"admin", "me", "api", "static", "accounts", "baeji"}


class BackpackError(Exception):
    """A learner's request that cannot be carried out; the message is for them."""


class ImportRefused(BackpackError):
    """An upload that was not kept; ``report`` says why, check by check."""

    def __init__(self, message: str, report: VerificationReport) -> None:
        super().__init__(message)
        self.report = report


# -- platform awards ------------------------------------------------------------------------


def _decision_row(award: Award, user) -> BackpackDecision:
    row, _created = BackpackDecision.objects.select_for_update().get_or_create(
        award=award, defaults={"user": user}
    )
    if row.user_id != user.pk:
        row.user = user
    return row


@transaction.atomic
def decision_set(*, award: Award, user, decision: str) -> BackpackDecision:
    """Accept or decline a platform award. Declining hides it from the learner's pages (and
    makes it private); the credential stays valid, and the issuer sees the answer."""
    if decision not in BackpackDecision.Decision.values:
        raise BackpackError(_("Choose accept or decline."))
    row = _decision_row(award, user)
    row.decision = decision
    row.decided_at = timezone.now()
    if decision == BackpackDecision.Decision.DECLINED:
        row.is_public = False
        CollectionItem.objects.filter(award=award, collection__user=user).delete()
    row.save()
    audit_record(
        action="award.accept" if decision == "accepted" else "award.decline",
        actor=user,
        organization=award.organization,
        target=award,
    )
    return row


@transaction.atomic
def visibility_set(
    *, user, is_public: bool, award: Award | None = None, imported: ImportedBadge | None = None
) -> None:
    """Make one badge public (listed on the learner's shared pages) or private again."""
    if award is not None:
        row = _decision_row(award, user)
        if is_public and row.decision == BackpackDecision.Decision.DECLINED:
            raise BackpackError(_("A declined badge cannot be made public; accept it first."))
        row.is_public = is_public
        row.save()
        target, organization = award, award.organization
    elif imported is not None:
        if imported.user_id != user.pk:
            raise BackpackError(_("This badge is not yours."))
        imported.is_public = is_public
        imported.save(update_fields=["is_public", "updated_at"])
        target, organization = imported, None
    else:
        raise BackpackError(_("Choose a badge."))
    audit_record(
        action="backpack.publish" if is_public else "backpack.unpublish",
        actor=user,
        organization=organization,
        target=target,
    )


# -- imports ----------------------------------------------------------------------------------


@dataclass
class _Verified:
    report: VerificationReport
    outcome: str


def _verify(data: bytes, fetcher: Fetcher | None) -> _Verified:
    report = verifying.verify_upload(data, fetcher=fetcher)
    return _Verified(report, verifying.outcome_of(report))


@transaction.atomic
def import_create(
    *, user, data: bytes, insist: bool = False, fetcher: Fetcher | None = None
) -> ImportedBadge:
    """Verify an upload and keep it in the backpack.

    Accepts an OB 3.0 credential (JSON, VC-JWT, baked PNG or SVG) or an OB 2.0 assertion
    (JSON, JWS, baked image or hosted URL). Anything that does not verify is refused with the
    engine's report, unless ``insist`` — then it is kept, marked unverified. Something that is
    not a badge at all is always refused.
    """
    if not data or not data.strip():
        raise BackpackError(_("Upload a badge file, paste its JSON or JWT, or give its address."))
    if len(data) > MAX_IMPORT_BYTES:
        raise BackpackError(_("The file is too large (2 MB at most)."))
    fetcher = fetcher or verifying.new_fetcher()
    verified = _verify(data, fetcher)
    report = verified.report
    if not verifying.is_readable(report):
        raise ImportRefused(_("This is not a badge we can read."), report)
    if verified.outcome != "verified" and not insist:
        raise ImportRefused(_("This badge did not verify, so it was not added."), report)
    facts = verifying.facts_of(report, fetcher=fetcher)
    source = verifying.sniff_source(data)
    badge = ImportedBadge.objects.create(
        user=user,
        source=source,
        original=data if source in {"png", "svg"} else data.strip(),
        spec=facts.spec,
        name=facts.name[:300],
        description=facts.description,
        issuer_name=facts.issuer_name[:300],
        issuer_id=facts.issuer_id[:500],
        issued_at=facts.issued_at,
        level=facts.level[:100],
        competencies=facts.competencies[:50],
        alignments=facts.alignments,
        credential_json=json.dumps(report.credential, ensure_ascii=False),
        outcome=verified.outcome,
        report_json=report.to_dict(),
        verified_at=timezone.now(),
    )
    audit_record(
        action="backpack.import",
        actor=user,
        target=badge,
        data={"source": source, "outcome": verified.outcome},
    )
    return badge


@transaction.atomic
def import_reverify(*, imported: ImportedBadge, fetcher: Fetcher | None = None) -> ImportedBadge:
    """Verify a kept badge again (its issuer may have revoked it since) and store the result."""
    verified = _verify(bytes(imported.original), fetcher)
    imported.outcome = verified.outcome
    imported.report_json = verified.report.to_dict()
    imported.verified_at = timezone.now()
    imported.save(update_fields=["outcome", "report_json", "verified_at", "updated_at"])
    audit_record(
        action="backpack.reverify",
        actor=imported.user,
        target=imported,
        data={"outcome": verified.outcome},
    )
    return imported


@transaction.atomic
def import_delete(*, imported: ImportedBadge) -> None:
    """Remove an imported badge from the backpack (and from every collection)."""
    audit_record(action="backpack.import_delete", actor=imported.user, target=imported)
    imported.delete()


# -- collections ------------------------------------------------------------------------------


@transaction.atomic
def collection_create(*, user, name: str, description: str = "") -> Collection:
    """A new, unshared collection."""
    name = name.strip()
    if not name:
        raise BackpackError(_("Give the collection a name."))
    collection = Collection.objects.create(
        user=user, name=name[:120], description=description.strip()
    )
    audit_record(action="collection.create", actor=user, target=collection)
    return collection


@transaction.atomic
def collection_update(
    *,
    collection: Collection,
    name: str,
    description: str,
    is_shared: bool,
    on_profile: bool,
) -> Collection:
    """Rename a collection and choose whether its link works and it shows on the profile."""
    name = name.strip()
    if not name:
        raise BackpackError(_("Give the collection a name."))
    collection.name = name[:120]
    collection.description = description.strip()
    collection.is_shared = is_shared
    collection.on_profile = on_profile
    collection.save()
    audit_record(
        action="collection.update",
        actor=collection.user,
        target=collection,
        data={"shared": is_shared, "profile": on_profile},
    )
    return collection


@transaction.atomic
def collection_delete(*, collection: Collection) -> None:
    """Delete a collection (the badges stay in the backpack)."""
    audit_record(action="collection.delete", actor=collection.user, target=collection)
    collection.delete()


@transaction.atomic
def collection_items_set(
    *,
    collection: Collection,
    awards: list[Award],
    imports: list[ImportedBadge],
) -> Collection:
    """Make the collection hold exactly these badges (the learner's own, not declined)."""
    user = collection.user
    declined = set(
        BackpackDecision.objects.filter(
            award__in=awards, decision=BackpackDecision.Decision.DECLINED
        ).values_list("award_id", flat=True)
    )
    if any(i.user_id != user.pk for i in imports):
        raise BackpackError(_("This badge is not yours."))
    CollectionItem.objects.filter(collection=collection).delete()
    rows = [CollectionItem(collection=collection, award=a) for a in awards if a.pk not in declined]
    rows += [CollectionItem(collection=collection, imported=b) for b in imports]
    for position, row in enumerate(rows, start=1):
        row.position = position
    CollectionItem.objects.bulk_create(rows)
    audit_record(
        action="collection.items", actor=user, target=collection, data={"count": len(rows)}
    )
    return collection


# -- profile and DID --------------------------------------------------------------------------


def _profile(user) -> LearnerProfile:
    return LearnerProfile.objects.select_for_update().get_or_create(user=user)[0]


@transaction.atomic
def profile_update(
    *, user, handle: str, display_name: str, bio: str, enabled: bool
) -> LearnerProfile:
    """Set the public profile's address and text, and turn it on or off."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_slug

    handle = handle.strip().lower()
    if enabled and not handle:
        raise BackpackError(_("Choose an address for your profile first."))
    if handle:
        try:
            validate_slug(handle)
        except ValidationError:
            raise BackpackError(
                _("Use only letters, numbers, hyphens and underscores in the address.")
            ) from None
        if len(handle) < 3 or len(handle) > 40 or handle in RESERVED_HANDLES:
            raise BackpackError(_("Choose another address (3 to 40 characters)."))
        if LearnerProfile.objects.filter(handle=handle).exclude(user=user).exists():
            raise BackpackError(_("That address is taken; choose another."))
    profile = _profile(user)
    profile.handle = handle or None
    profile.display_name = display_name.strip()[:120]
    profile.bio = bio.strip()[:1000]
    profile.enabled = enabled
    profile.save()
    audit_record(action="profile.update", actor=user, data={"enabled": enabled})
    return profile


@transaction.atomic
def did_create(*, user) -> tuple[LearnerProfile, dict]:
    """Make a did:key for the learner and return it with its private key as a JWK.

    Only the DID (which is the public key) is stored; the private JWK is returned once for the
    learner to keep, so the platform can never act as them. Making a new one replaces the old.
    """
    pair = keys.generate("ed25519")
    profile = _profile(user)
    profile.did = pair.did_key()
    profile.did_created_at = timezone.now()
    profile.save(update_fields=["did", "did_created_at", "updated_at"])
    audit_record(action="profile.did", actor=user, data={"did": profile.did})
    secret = {"did": profile.did, "privateKeyJwk": pair.private_jwk()}
    return profile, secret
