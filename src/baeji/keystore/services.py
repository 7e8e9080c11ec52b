"""Creating, rotating and revoking signing keys."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from baeji.audit.services import audit_record
from baeji.credentials import keys
from baeji.keystore.kek import wrap
from baeji.keystore.models import SigningKey


def _context(organization, key: SigningKey) -> str:
    return f"baeji-signing-key:{organization.public_id}:{key.public_id}"


def _new_key(organization) -> SigningKey:
    pair = keys.generate("ed25519")
    key = SigningKey(organization=organization, public_multibase=pair.public_multibase())
    key.fragment = f"key-{key.public_id[:8]}"
    key.private_encrypted = wrap(
        pair.private_key.private_bytes_raw(), context=_context(organization, key)
    )
    key.save()
    return key


@transaction.atomic
def signing_key_create(*, organization, by=None) -> SigningKey:
    """Give ``organization`` its first active key (returns the existing one if it has one)."""
    existing = SigningKey.objects.filter(
        organization=organization, status=SigningKey.Status.ACTIVE
    ).first()
    if existing:
        return existing
    key = _new_key(organization)
    audit_record(action="signing_key.create", actor=by, organization=organization, target=key)
    return key


@transaction.atomic
def signing_key_rotate(*, organization, by=None) -> SigningKey:
    """Retire the active key and make a new one; the old public key stays in the DID document."""
    now = timezone.now()
    SigningKey.objects.filter(organization=organization, status=SigningKey.Status.ACTIVE).update(
        status=SigningKey.Status.RETIRED, retired_at=now
    )
    key = _new_key(organization)
    audit_record(action="signing_key.rotate", actor=by, organization=organization, target=key)
    return key


@transaction.atomic
def signing_key_revoke(*, key: SigningKey, by=None, reason: str = "") -> SigningKey:
    """Mark ``key`` revoked (it is compromised): verifiers then reject what it signed.

    Revoking the active key leaves the organization without one until it is rotated.
    """
    key.status = SigningKey.Status.REVOKED
    key.revoked_at = timezone.now()
    key.save(update_fields=["status", "revoked_at", "updated_at"])
    audit_record(
        action="signing_key.revoke",
        actor=by,
        organization=key.organization,
        target=key,
        data={"reason": reason},
    )
    return key
