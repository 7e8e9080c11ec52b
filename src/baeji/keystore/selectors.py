"""Reading keys: the active signer of an organization, its DID and DID document."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from baeji.credentials import keys
from baeji.keystore.kek import unwrap
from baeji.keystore.models import SigningKey


def did_for_organization(organization) -> str:
    """``did:web:<host>:issuers:<slug>``, the host (and port, %-encoded) from BAEJI_BASE_URL."""
    netloc = urlsplit(settings.BASE_URL).netloc
    return f"did:web:{quote(netloc, safe='')}:issuers:{organization.slug}"


def active_key(organization) -> SigningKey | None:
    """The key that signs new credentials, if the organization has one."""
    return SigningKey.objects.filter(
        organization=organization, status=SigningKey.Status.ACTIVE
    ).first()


def keys_for_organization(organization):
    """Every key of the organization, newest first (active, retired and revoked)."""
    return SigningKey.objects.filter(organization=organization).order_by("-created_at", "-id")


def verification_method_id(key: SigningKey) -> str:
    """The DID URL of ``key``: ``<did>#<fragment>``."""
    return f"{did_for_organization(key.organization)}#{key.fragment}"


def private_key_of(key: SigningKey) -> Ed25519PrivateKey:
    """Decrypt ``key``'s private half for signing (kept in memory only)."""
    context = f"baeji-signing-key:{key.organization.public_id}:{key.public_id}"
    return Ed25519PrivateKey.from_private_bytes(unwrap(key.private_encrypted, context=context))


def did_document_for_organization(organization) -> dict:
    """The organization's DID document with all its keys, newest first, revoked ones marked.

    Retired keys stay listed as assertion methods: what they signed before rotation stays valid.
    """
    entries = [
        (
            k.fragment,
            keys.decode_multikey(k.public_multibase),
            k.revoked_at if k.status == SigningKey.Status.REVOKED else None,
        )
        for k in keys_for_organization(organization)
    ]
    return keys.did_web_document(did_for_organization(organization), keys=entries)
