"""Recipient identity hashes (OB 3.0 ``IdentityObject`` and OB 2.0 ``recipient``).

``<algorithm>$`` + hex(hash(UTF-8(identifier + salt))); only ``sha256`` and ``md5`` exist in
the specifications, and we only ever write ``sha256``. Hex is compared without regard to case.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_ALGORITHMS = {"sha256": hashlib.sha256, "md5": hashlib.md5}


def new_salt() -> str:
    """A fresh random salt (URL-safe text, 128 bits)."""
    return secrets.token_urlsafe(16)


def normalize_email(email: str) -> str:
    """The form an e-mail address is hashed in: surrounding space removed, lower case."""
    return email.strip().lower()


def identity_hash(identifier: str, salt: str | None = None, algorithm: str = "sha256") -> str:
    """Return ``"<algorithm>$<hex>"`` for ``identifier`` with ``salt`` appended."""
    try:
        function = _ALGORITHMS[algorithm]
    except KeyError:
        raise ValueError(f"unsupported identity hash algorithm {algorithm!r}") from None
    digest = function((identifier + (salt or "")).encode("utf-8")).hexdigest()
    return f"{algorithm}${digest}"


def identity_matches(identifier: str, hashed: str, salt: str | None = None) -> bool:
    """True when ``hashed`` (``alg$hex``) is the hash of ``identifier`` with ``salt``.

    Also accepts an unhashed value (no ``$``), compared exactly. Tries the identifier as given
    and, for an e-mail address, in normalized form, since issuers differ on case.
    """
    if "$" not in hashed:
        return hmac.compare_digest(identifier, hashed)
    algorithm, _, expected = hashed.partition("$")
    algorithm = algorithm.lower()
    if algorithm not in _ALGORITHMS:
        return False
    candidates = {identifier}
    if "@" in identifier:
        candidates.add(normalize_email(identifier))
    for candidate in candidates:
        computed = identity_hash(candidate, salt, algorithm).partition("$")[2]
        if hmac.compare_digest(computed.lower(), expected.lower()):
            return True
    return False
