"""The key-encryption key (KEK) and AES-GCM wrapping of private keys."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12


def _decode(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except ValueError as exc:
        raise ImproperlyConfigured("BAEJI_KEK must be 32 bytes in base64") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(f"BAEJI_KEK must be 32 bytes in base64, not {len(raw)} bytes")
    return raw


def new_kek_text() -> str:
    """A fresh KEK as base64 text, for an operator to put in BAEJI_KEK or BAEJI_KEK_FILE."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def load_kek() -> bytes:
    """The KEK from settings (BAEJI_KEK / BAEJI_KEK_FILE), else ``<data dir>/kek``, which
    the demo generates (BAEJI_KEK_AUTOCREATE) so that later commands on its data find it."""
    if settings.BAEJI_KEK:
        return _decode(settings.BAEJI_KEK)
    path = Path(settings.DATA_DIR) / "kek"
    if not path.exists() and not settings.BAEJI_KEK_AUTOCREATE:
        raise ImproperlyConfigured(
            "No key-encryption key: set BAEJI_KEK (32 random bytes, base64) or BAEJI_KEK_FILE."
        )
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_kek_text())
    return _decode(path.read_text("ascii"))


def wrap(secret: bytes, *, context: str) -> bytes:
    """Encrypt ``secret`` under the KEK; ``context`` binds the ciphertext to its row."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(load_kek()).encrypt(nonce, secret, context.encode("utf-8"))


def unwrap(blob: bytes, *, context: str) -> bytes:
    """Decrypt what :func:`wrap` produced (raises cryptography's InvalidTag if tampered)."""
    blob = bytes(blob)
    return AESGCM(load_kek()).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode())
