"""Signing keys, their encodings and the identifiers that name them.

Three key kinds are supported:

* ``ed25519``: the key of the ``eddsa-rdfc-2022`` Data Integrity suite and of ``EdDSA`` JWTs;
* ``rsa``: 2048-bit RSA, the key Open Badges 3.0 requires for ``RS256`` VC-JWTs;
* ``p256``: NIST P-256, for ``ES256`` JWTs from other issuers.

Encodings: Multikey (``publicKeyMultibase``/``secretKeyMultibase``, base58btc with a multicodec
header), JSON Web Keys (RFC 7517/7518/8037), ``did:key`` (Ed25519), ``did:jwk`` (any kind) and
``did:web`` documents. :func:`resolve_verification_method` turns a verification method id (a
DID URL or an https URL) into a public key, checking that its controller authorises it for a
proof purpose. This module never touches the network: a caller that wants ``did:web`` or https
resolution passes ``fetch_json``, normally the guarded fetcher.

Revocation of a verification method follows the W3C Controlled Identifiers 1.0 ``revoked``
property: an ``xsd:dateTimeStamp`` string saying when the key stopped being usable. A revoked
key stays in ``verificationMethod`` (so old proofs can still be explained) but is removed from
``assertionMethod``; whether a proof made before that time is still acceptable is the
verifier's decision.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from baeji.credentials.contexts import DID_V1, MULTIKEY_V1
from baeji.credentials.errors import KeyFormatError, ProofError

__all__ = [
    "CID_V1",
    "KINDS",
    "PURPOSES",
    "KeyPair",
    "PrivateKey",
    "PublicKey",
    "VerificationMethod",
    "decode_multikey",
    "did_jwk",
    "did_jwk_document",
    "did_key_document",
    "did_web_document",
    "did_web_url",
    "encode_multikey",
    "generate",
    "jwk_thumbprint",
    "key_document",
    "key_kind",
    "keypair_from_jwk",
    "load_key_document",
    "public_jwk",
    "public_key_from_jwk",
    "resolve_controller_document",
    "resolve_verification_method",
    "verify_signature",
]

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey

KINDS = ("ed25519", "rsa", "p256")

#: Verification relationships a controller document can grant (DID Core / Controlled Identifiers).
PURPOSES = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
    "keyAgreement",
)

#: The Controlled Identifiers 1.0 context, which defines the ``JsonWebKey`` type. It is named in
#: DID documents that carry an RSA key; it is not one of the bundled contexts.
CID_V1 = "https://www.w3.org/ns/cid/v1"

# Multicodec codes as unsigned varints: ed25519-pub 0xed, ed25519-priv 0x1300,
# p256-pub 0x1200, p256-priv 0x1306.
_ED25519_PUB = b"\xed\x01"
_ED25519_PRIV = b"\x80\x26"
_P256_PUB = b"\x80\x24"
_P256_PRIV = b"\x86\x26"

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_BASE58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]+$")
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")

_VM_TYPES_MULTIBASE = {"Multikey", "Ed25519VerificationKey2020"}
_VM_TYPES_JWK = {"JsonWebKey", "JsonWebKey2020"}
_VM_TYPES_BASE58 = {"Ed25519VerificationKey2018"}


# --------------------------------------------------------------------------------------------
# small encoding helpers


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64u_decode(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not _B64URL.match(value) or len(value) % 4 == 1:
        raise KeyFormatError(f"{what} is not base64url text")
    # The alphabet and length were checked above, so decoding cannot fail.
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _int_b64u(number: int, length: int | None = None) -> str:
    size = length if length is not None else max(1, (number.bit_length() + 7) // 8)
    return _b64u(number.to_bytes(size, "big"))


def _b64u_int(value: Any, what: str) -> int:
    raw = _b64u_decode(value, what)
    if not raw:
        raise KeyFormatError(f"{what} is empty")
    return int.from_bytes(raw, "big")


def _base58_decode(value: str, what: str) -> bytes:
    if not _BASE58.match(value):
        raise KeyFormatError(f"{what} is not base58btc text")
    return base58.b58decode(value)


def _multibase_decode(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise KeyFormatError(f"{what} must be a non-empty string")
    if value[0] != "z":
        raise KeyFormatError(
            f"{what} must be base58btc multibase (start with 'z'); it starts with {value[0]!r}"
        )
    return _base58_decode(value[1:], what)


def key_kind(key: Any) -> str:
    """Return ``"ed25519"``, ``"rsa"`` or ``"p256"`` for a cryptography public or private key.

    Raises :class:`KeyFormatError` for any other key type or curve.
    """
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "rsa"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        if isinstance(key.curve, ec.SECP256R1):
            return "p256"
        raise KeyFormatError(f"elliptic curve {key.curve.name} is not supported (only P-256)")
    raise KeyFormatError(f"unsupported key type {type(key).__name__}")


# --------------------------------------------------------------------------------------------
# key pairs


class KeyPair:
    """A private key together with its public half.

    ``kind`` is one of :data:`KINDS`; ``private_key`` and ``public_key`` are ``cryptography``
    objects. The representation never shows secret material.
    """

    __slots__ = ("kind", "private_key", "public_key")

    def __init__(self, private_key: PrivateKey) -> None:
        """Wrap a ``cryptography`` private key (Ed25519, RSA or EC P-256)."""
        if not isinstance(
            private_key,
            ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
        ):
            raise KeyFormatError("a key pair needs a private key (Ed25519, RSA or P-256)")
        self.kind: str = key_kind(private_key)
        if isinstance(private_key, rsa.RSAPrivateKey) and private_key.key_size < 2048:
            raise KeyFormatError("RSA keys shorter than 2048 bits are not accepted")
        self.private_key: PrivateKey = private_key
        self.public_key: PublicKey = private_key.public_key()

    def __repr__(self) -> str:
        return f"<KeyPair {self.kind} {jwk_thumbprint(self.public_jwk())}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KeyPair):
            return NotImplemented
        return self.private_jwk() == other.private_jwk()

    def __hash__(self) -> int:
        return hash(jwk_thumbprint(self.public_jwk()))

    def public_multibase(self) -> str:
        """The public key as a Multikey ``publicKeyMultibase`` (``z6Mk...`` for Ed25519).

        RSA keys have no Multikey form: :class:`KeyFormatError`.
        """
        return encode_multikey(self.public_key)

    def secret_multibase(self) -> str:
        """The private key as a Multikey ``secretKeyMultibase``.

        Ed25519: ``z`` + base58btc(0x8026 + 32-byte seed), which starts ``z3u2``. P-256:
        0x8626 + 32-byte scalar. RSA: :class:`KeyFormatError`.
        """
        if isinstance(self.private_key, ed25519.Ed25519PrivateKey):
            seed = self.private_key.private_bytes_raw()
            return "z" + base58.b58encode(_ED25519_PRIV + seed).decode("ascii")
        if isinstance(self.private_key, ec.EllipticCurvePrivateKey):
            scalar = self.private_key.private_numbers().private_value.to_bytes(32, "big")
            return "z" + base58.b58encode(_P256_PRIV + scalar).decode("ascii")
        raise KeyFormatError("RSA keys have no Multikey encoding; use the JWK form")

    def public_jwk(self) -> dict[str, str]:
        """The public key as a JSON Web Key (OKP/Ed25519, RSA or EC/P-256), never with ``d``."""
        return _public_jwk(self.public_key)

    def private_jwk(self) -> dict[str, str]:
        """The private key as a JSON Web Key (the public members plus ``d`` and, for RSA, CRT)."""
        jwk = self.public_jwk()
        key = self.private_key
        if isinstance(key, ed25519.Ed25519PrivateKey):
            jwk["d"] = _b64u(key.private_bytes_raw())
        elif isinstance(key, rsa.RSAPrivateKey):
            numbers = key.private_numbers()
            jwk.update(
                d=_int_b64u(numbers.d),
                p=_int_b64u(numbers.p),
                q=_int_b64u(numbers.q),
                dp=_int_b64u(numbers.dmp1),
                dq=_int_b64u(numbers.dmq1),
                qi=_int_b64u(numbers.iqmp),
            )
        else:
            jwk["d"] = _int_b64u(key.private_numbers().private_value, 32)
        return jwk

    def did_key(self) -> str:
        """The ``did:key`` identifier of an Ed25519 key; :class:`KeyFormatError` for other kinds."""
        if self.kind != "ed25519":
            raise KeyFormatError(f"did:key is only issued for Ed25519 keys, not {self.kind}")
        return "did:key:" + self.public_multibase()

    def did_jwk(self) -> str:
        """The ``did:jwk`` identifier of this key's public JWK (any kind)."""
        return did_jwk(self.public_key)

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``: Ed25519 (64 bytes), RSA PKCS#1 v1.5 with SHA-256 (RS256), or ECDSA
        P-256 with SHA-256 as the 64-byte ``r || s`` form JOSE (ES256) uses."""
        key = self.private_key
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return key.sign(data)
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        der = key.sign(data, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def generate(kind: str = "ed25519") -> KeyPair:
    """Generate a new key pair: ``ed25519``, ``rsa`` (2048-bit, e=65537) or ``p256``."""
    if kind == "ed25519":
        return KeyPair(ed25519.Ed25519PrivateKey.generate())
    if kind == "rsa":
        return KeyPair(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    if kind == "p256":
        return KeyPair(ec.generate_private_key(ec.SECP256R1()))
    raise KeyFormatError(f"unknown key type {kind!r}; choose one of {', '.join(KINDS)}")


def verify_signature(public_key: PublicKey, signature: bytes, data: bytes) -> bool:
    """Check a signature made by :meth:`KeyPair.sign` with the matching public key.

    Returns ``False`` when the signature does not verify (including a malformed signature);
    raises :class:`KeyFormatError` only for an unsupported key.
    """
    key_kind(public_key)
    try:
        if isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, data)
        elif isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            if len(signature) != 64:
                return False
            der = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
            public_key.verify(der, data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


# --------------------------------------------------------------------------------------------
# Multikey


def encode_multikey(public_key: PublicKey) -> str:
    """Encode an Ed25519 or P-256 public key as a Multikey ``publicKeyMultibase`` value."""
    kind = key_kind(public_key)
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        raw = public_key.public_bytes_raw()
        return "z" + base58.b58encode(_ED25519_PUB + raw).decode("ascii")
    if kind == "p256":
        point = public_key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
        return "z" + base58.b58encode(_P256_PUB + point).decode("ascii")
    raise KeyFormatError("RSA keys have no Multikey encoding; use publicKeyJwk")


def decode_multikey(value: Any) -> PublicKey:
    """Decode a Multikey ``publicKeyMultibase`` (Ed25519 ``z6Mk...`` or P-256 ``zDn...``).

    Raises :class:`KeyFormatError` for other encodings, other key types or wrong lengths.
    """
    raw = _multibase_decode(value, "the Multikey value")
    if raw[:2] == _ED25519_PUB:
        if len(raw) != 34:
            raise KeyFormatError(f"an Ed25519 Multikey carries 32 bytes, this one {len(raw) - 2}")
        return ed25519.Ed25519PublicKey.from_public_bytes(raw[2:])
    if raw[:2] == _P256_PUB:
        if len(raw) != 35:
            raise KeyFormatError("a P-256 Multikey carries a 33-byte compressed point")
        try:
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[2:])
        except ValueError as error:
            raise KeyFormatError("the P-256 Multikey is not a point on the curve") from error
    if raw[:2] in (_ED25519_PRIV, _P256_PRIV):
        raise KeyFormatError("this Multikey is a secret key, not a public key")
    raise KeyFormatError(
        f"unsupported Multikey header 0x{raw[:2].hex()} (expected Ed25519 0xed01 or P-256 0x8024)"
    )


def _decode_secret_multikey(value: str) -> KeyPair:
    raw = _multibase_decode(value, "the secret Multikey value")
    if raw[:2] == _ED25519_PRIV:
        # The W3C vectors carry the 32-byte seed; the 1EdTech ones the seed and public key.
        if len(raw) not in (34, 66):
            raise KeyFormatError("an Ed25519 secret Multikey carries 32 (or 64) bytes")
        private = ed25519.Ed25519PrivateKey.from_private_bytes(raw[2:34])
        if len(raw) == 66 and raw[34:] != private.public_key().public_bytes_raw():
            raise KeyFormatError("the secret Multikey's public half does not match its seed")
        return KeyPair(private)
    if raw[:2] == _P256_PRIV:
        if len(raw) != 34:
            raise KeyFormatError("a P-256 secret Multikey carries 32 bytes")
        scalar = int.from_bytes(raw[2:], "big")
        try:
            return KeyPair(ec.derive_private_key(scalar, ec.SECP256R1()))
        except ValueError as error:
            raise KeyFormatError("the P-256 secret Multikey is out of range") from error
    raise KeyFormatError(f"unsupported secret Multikey header 0x{raw[:2].hex()}")


# --------------------------------------------------------------------------------------------
# JWK


def _public_jwk(public_key: PublicKey) -> dict[str, str]:
    key_kind(public_key)
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64u(public_key.public_bytes_raw())}
    if isinstance(public_key, rsa.RSAPublicKey):
        rsa_numbers = public_key.public_numbers()
        return {"kty": "RSA", "n": _int_b64u(rsa_numbers.n), "e": _int_b64u(rsa_numbers.e)}
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise KeyFormatError("a public key is needed here, not a private key")
    ec_numbers = public_key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _int_b64u(ec_numbers.x, 32),
        "y": _int_b64u(ec_numbers.y, 32),
    }


def public_jwk(public_key: PublicKey) -> dict[str, str]:
    """The JWK of a ``cryptography`` public key (OKP/Ed25519, RSA or EC/P-256)."""
    return _public_jwk(public_key)


def public_key_from_jwk(jwk: Any) -> PublicKey:
    """Build a public key from a JWK: OKP/Ed25519, RSA or EC/P-256.

    Private members such as ``d`` are ignored (callers that must refuse a JWK exposing a private
    key check for ``d`` themselves). Raises :class:`KeyFormatError` for anything else.
    """
    if not isinstance(jwk, dict):
        raise KeyFormatError("a JWK must be a JSON object")
    kty = jwk.get("kty")
    if kty == "OKP":
        if jwk.get("crv") != "Ed25519":
            raise KeyFormatError(f"OKP curve {jwk.get('crv')!r} is not supported (only Ed25519)")
        raw = _b64u_decode(jwk.get("x"), "the JWK member x")
        if len(raw) != 32:
            raise KeyFormatError("an Ed25519 JWK's x must be 32 bytes")
        return ed25519.Ed25519PublicKey.from_public_bytes(raw)
    if kty == "RSA":
        n = _b64u_int(jwk.get("n"), "the JWK member n")
        e = _b64u_int(jwk.get("e"), "the JWK member e")
        try:
            return rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError as error:
            raise KeyFormatError(f"the RSA JWK is not a valid key: {error}") from error
    if kty == "EC":
        if jwk.get("crv") != "P-256":
            raise KeyFormatError(f"EC curve {jwk.get('crv')!r} is not supported (only P-256)")
        x = _b64u_decode(jwk.get("x"), "the JWK member x")
        y = _b64u_decode(jwk.get("y"), "the JWK member y")
        if len(x) != 32 or len(y) != 32:
            raise KeyFormatError("a P-256 JWK's x and y must be 32 bytes each")
        numbers = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
        )
        try:
            return numbers.public_key()
        except ValueError as error:
            raise KeyFormatError("the P-256 JWK is not a point on the curve") from error
    raise KeyFormatError(f"unsupported JWK key type {kty!r} (expected OKP, RSA or EC)")


def keypair_from_jwk(jwk: dict[str, Any]) -> KeyPair:
    """Build a :class:`KeyPair` from a private JWK, checking that ``d`` matches the public part."""
    public = public_key_from_jwk(jwk)
    if "d" not in jwk:
        raise KeyFormatError("the JWK has no private member d")
    private: PrivateKey
    if isinstance(public, ed25519.Ed25519PublicKey):
        seed = _b64u_decode(jwk["d"], "the JWK member d")
        if len(seed) != 32:
            raise KeyFormatError("an Ed25519 JWK's d must be 32 bytes")
        private = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    elif isinstance(public, rsa.RSAPublicKey):
        numbers = public.public_numbers()
        d = _b64u_int(jwk["d"], "the JWK member d")
        try:
            if all(name in jwk for name in ("p", "q")):
                p = _b64u_int(jwk["p"], "the JWK member p")
                q = _b64u_int(jwk["q"], "the JWK member q")
            else:
                p, q = rsa.rsa_recover_prime_factors(numbers.n, numbers.e, d)
            private = rsa.RSAPrivateNumbers(
                p,
                q,
                d,
                rsa.rsa_crt_dmp1(d, p),
                rsa.rsa_crt_dmq1(d, q),
                rsa.rsa_crt_iqmp(p, q),
                numbers,
            ).private_key()
        except ValueError as error:
            raise KeyFormatError(f"the RSA private JWK is inconsistent: {error}") from error
    else:
        scalar = _b64u_int(jwk["d"], "the JWK member d")
        try:
            private = ec.derive_private_key(scalar, ec.SECP256R1())
        except ValueError as error:
            raise KeyFormatError("the P-256 private JWK is out of range") from error
    pair = KeyPair(private)
    if pair.public_jwk() != _public_jwk(public):
        raise KeyFormatError("the JWK's private member d does not belong to its public key")
    return pair


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """The RFC 7638 SHA-256 thumbprint of a public JWK, base64url-encoded."""
    required = {
        "OKP": ("crv", "kty", "x"),
        "RSA": ("e", "kty", "n"),
        "EC": ("crv", "kty", "x", "y"),
    }
    names = required.get(str(jwk.get("kty", "")))
    if names is None or any(name not in jwk for name in names):
        raise KeyFormatError("cannot compute the thumbprint of an incomplete or unknown JWK")
    canonical = json.dumps({name: jwk[name] for name in names}, separators=(",", ":"))
    return _b64u(hashlib.sha256(canonical.encode("utf-8")).digest())


# --------------------------------------------------------------------------------------------
# key documents (what `baeji keygen` prints and signing configuration reads)


def _default_controller(key: KeyPair) -> str:
    return key.did_key() if key.kind == "ed25519" else key.did_jwk()


def _default_vm(key: KeyPair, controller: str) -> str:
    if controller.startswith("did:key:"):
        return controller + "#" + controller[len("did:key:") :]
    if controller.startswith("did:jwk:"):
        return controller + "#0"
    if key.kind == "rsa":
        return controller + "#" + jwk_thumbprint(key.public_jwk())
    return controller + "#" + key.public_multibase()


def key_document(
    key: KeyPair, *, controller: str | None = None, verification_method: str | None = None
) -> dict[str, Any]:
    """The JSON description of a signing key, as ``baeji keygen`` prints it.

    Members: ``type`` (the key kind), ``did`` (``did:key`` for Ed25519, ``did:jwk`` otherwise),
    ``controller`` (defaults to that DID), ``verificationMethod`` (the id proofs will name;
    defaults to ``did:key:z..#z..``, ``did:jwk:..#0``, or the controller plus ``#`` and the
    Multikey value (Ed25519, P-256) or JWK thumbprint (RSA)), then ``publicKeyMultibase`` and
    ``secretKeyMultibase`` (Ed25519, P-256) or ``publicKeyJwk`` and ``privateKeyJwk`` (RSA).
    The document contains the private key: store it like a password.
    """
    did = _default_controller(key)
    controller = controller or did
    if not isinstance(controller, str) or ":" not in controller:
        raise KeyFormatError("the controller must be a DID or an absolute URL")
    verification_method = verification_method or _default_vm(key, controller)
    document: dict[str, Any] = {
        "type": key.kind,
        "did": did,
        "controller": controller,
        "verificationMethod": verification_method,
    }
    if key.kind == "rsa":
        document["publicKeyJwk"] = key.public_jwk()
        document["privateKeyJwk"] = key.private_jwk()
    else:
        document["publicKeyMultibase"] = key.public_multibase()
        document["secretKeyMultibase"] = key.secret_multibase()
    return document


def load_key_document(doc: dict[str, Any]) -> tuple[KeyPair, str, str]:
    """Read a key document (see :func:`key_document`).

    Returns ``(key, controller, verification_method_id)``. The private key comes from
    ``secretKeyMultibase`` (or the W3C vectors' ``privateKeyMultibase``) or ``privateKeyJwk``;
    any public member present must match it, and a ``did:key`` controller must be this key's.
    Raises :class:`KeyFormatError` on any inconsistency.
    """
    if not isinstance(doc, dict):
        raise KeyFormatError("a key document must be a JSON object")
    secret = doc.get("secretKeyMultibase", doc.get("privateKeyMultibase"))
    if secret is not None:
        key = _decode_secret_multikey(secret)
    elif "privateKeyJwk" in doc:
        key = keypair_from_jwk(doc["privateKeyJwk"])
    else:
        raise KeyFormatError("the key document has no secretKeyMultibase or privateKeyJwk")
    declared = doc.get("type")
    if declared is not None and declared not in (key.kind, _LEGACY_TYPES.get(key.kind)):
        raise KeyFormatError(f"the key document says type {declared!r} but holds a {key.kind} key")
    if "publicKeyMultibase" in doc and doc["publicKeyMultibase"] != key.public_multibase():
        raise KeyFormatError("publicKeyMultibase does not match the secret key")
    if "publicKeyJwk" in doc and _public_jwk(public_key_from_jwk(doc["publicKeyJwk"])) != (
        key.public_jwk()
    ):
        raise KeyFormatError("publicKeyJwk does not match the private key")
    did = doc.get("did")
    if (
        isinstance(did, str)
        and did.startswith(("did:key:", "did:jwk:"))
        and did not in (_default_controller(key), key.did_jwk())
    ):
        raise KeyFormatError(f"the document's did {did} is not the DID of its key")
    controller = doc.get("controller") or did or _default_controller(key)
    if not isinstance(controller, str) or ":" not in controller:
        raise KeyFormatError("the controller must be a DID or an absolute URL")
    if controller.startswith("did:key:") and controller != _default_controller(key):
        raise KeyFormatError(f"the controller {controller} is a did:key of another key")
    vm = doc.get("verificationMethod") or _default_vm(key, controller)
    if not isinstance(vm, str) or ":" not in vm:
        raise KeyFormatError("verificationMethod must be a DID URL or an absolute URL")
    if vm.startswith("did:key:") and vm.split("#", 1)[0] != controller:
        raise KeyFormatError(f"the verification method {vm} does not belong to {controller}")
    return key, controller, vm


_LEGACY_TYPES = {"ed25519": "Ed25519", "rsa": "RSA", "p256": "P-256"}


# --------------------------------------------------------------------------------------------
# DIDs


def _relationships(vm_id: str, purposes: Iterable[str]) -> dict[str, list[str]]:
    return {purpose: [vm_id] for purpose in purposes}


def did_key_document(did: str) -> dict[str, Any]:
    """Resolve a ``did:key`` offline into its DID document.

    The document has one ``Multikey`` verification method ``did:key:z..#z..`` listed under
    ``authentication``, ``assertionMethod``, ``capabilityInvocation`` and
    ``capabilityDelegation``. A fragment in ``did`` is ignored. Ed25519 and P-256 keys.
    """
    if not isinstance(did, str) or not did.startswith("did:key:"):
        raise KeyFormatError(f"{did!r} is not a did:key")
    bare = did.split("#", 1)[0]
    value = bare[len("did:key:") :]
    decode_multikey(value)
    vm_id = f"{bare}#{value}"
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": bare,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": bare, "publicKeyMultibase": value}
        ],
        **_relationships(
            vm_id,
            ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation"),
        ),
    }


def did_jwk(public_key: PublicKey) -> str:
    """The ``did:jwk`` identifier of a public key: base64url of its compact public JWK."""
    jwk = _public_jwk(public_key)
    return "did:jwk:" + _b64u(json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode())


def did_jwk_document(did: str) -> dict[str, Any]:
    """Resolve a ``did:jwk`` offline: one ``JsonWebKey`` verification method ``did:jwk:..#0``.

    Refuses a ``did:jwk`` whose JWK carries a private member ``d``.
    """
    if not isinstance(did, str) or not did.startswith("did:jwk:"):
        raise KeyFormatError(f"{did!r} is not a did:jwk")
    bare = did.split("#", 1)[0]
    raw = _b64u_decode(bare[len("did:jwk:") :], "the did:jwk value")
    try:
        jwk = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise KeyFormatError("the did:jwk value is not a JSON Web Key") from error
    if not isinstance(jwk, dict):
        raise KeyFormatError("the did:jwk value is not a JSON Web Key")
    if "d" in jwk:
        raise KeyFormatError("the did:jwk exposes a private key (member d); refusing it")
    public_key_from_jwk(jwk)
    vm_id = bare + "#0"
    purposes = (
        ["keyAgreement"]
        if jwk.get("use") == "enc"
        else [
            "assertionMethod",
            "authentication",
            "capabilityInvocation",
            "capabilityDelegation",
        ]
    )
    return {
        "@context": [DID_V1, CID_V1],
        "id": bare,
        "verificationMethod": [
            {"id": vm_id, "type": "JsonWebKey", "controller": bare, "publicKeyJwk": jwk}
        ],
        **_relationships(vm_id, purposes),
    }


def _did_web_parts(did: str) -> tuple[str, list[str]]:
    if not isinstance(did, str) or not did.startswith("did:web:"):
        raise KeyFormatError(f"{did!r} is not a did:web")
    bare = did.split("#", 1)[0].split("?", 1)[0]
    segments = bare[len("did:web:") :].split(":")
    host = segments[0].replace("%3A", ":").replace("%3a", ":")
    if not host or not _HOST.match(host):
        raise KeyFormatError(f"the did:web {did!r} does not name a valid host")
    path = segments[1:]
    for segment in path:
        if not segment or segment in (".", "..") or "/" in segment or "%2F" in segment.upper():
            raise KeyFormatError(f"the did:web {did!r} has an empty or unsafe path segment")
    return host, path


def did_web_url(did: str) -> str:
    """The https URL of a ``did:web`` DID document.

    ``did:web:example.com`` -> ``https://example.com/.well-known/did.json``;
    ``did:web:example.com:issuers:acme`` -> ``https://example.com/issuers/acme/did.json``;
    a percent-encoded port (``example.com%3A8443``) is decoded. A fragment is ignored.
    """
    host, path = _did_web_parts(did)
    if not path:
        return f"https://{host}/.well-known/did.json"
    return f"https://{host}/{'/'.join(path)}/did.json"


def _timestamp(value: Any, now: datetime | None) -> str:
    if value is True:
        value = now or datetime.now(UTC)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise KeyFormatError("a revocation time needs a time zone")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, str) and _DATETIME.match(value):
        return value
    raise KeyFormatError(
        "a revoked key needs the time it was revoked (an xsd:dateTimeStamp string or an aware "
        f"datetime), not {value!r}"
    )


def did_web_document(
    did: str, keys: list[tuple[str, Any, Any]], *, now: datetime | None = None
) -> dict[str, Any]:
    """The DID document to publish for a ``did:web`` issuer.

    ``keys`` is ``[(fragment_or_vm_id, public_key, revoked)]``, newest first. The first member
    is a fragment (``"key-1"`` or ``"#key-1"``) or a full id under ``did``. ``revoked`` is
    ``None``/``False`` for an active key, or the time the key was revoked (an
    ``xsd:dateTimeStamp`` string or an aware ``datetime``): per Controlled Identifiers 1.0 the
    verification method then carries ``"revoked": <dateTimeStamp>``. ``True`` (revoked, time
    unknown) is stamped with ``now`` (default: the current time), so pass the real time when
    it is known: verifiers may compare it with when a proof was made. Ed25519 and P-256 keys
    become ``Multikey`` verification methods, RSA keys ``JsonWebKey`` ones.
    ``assertionMethod`` lists the active keys in the given order; revoked ones stay in
    ``verificationMethod`` only.
    """
    _did_web_parts(did)
    if "#" in did or "?" in did:
        raise KeyFormatError("a DID document is published for a DID, not a DID URL")
    methods: list[dict[str, Any]] = []
    active: list[str] = []
    uses_jwk = False
    seen: set[str] = set()
    for name, public_key, revoked in keys:
        if not isinstance(name, str) or not name:
            raise KeyFormatError("each key needs a fragment or verification method id")
        if name.startswith(did + "#"):
            vm_id = name
        elif ":" in name or "/" in name:
            raise KeyFormatError(f"the verification method {name} is not under {did}")
        else:
            vm_id = f"{did}#{name.removeprefix('#')}"
        if vm_id in seen:
            raise KeyFormatError(f"the verification method {vm_id} is listed twice")
        seen.add(vm_id)
        method: dict[str, Any] = {"id": vm_id, "controller": did}
        if key_kind(public_key) == "rsa":
            uses_jwk = True
            method["type"] = "JsonWebKey"
            method["publicKeyJwk"] = _public_jwk(public_key)
        else:
            method["type"] = "Multikey"
            method["publicKeyMultibase"] = encode_multikey(public_key)
        if revoked is None or revoked is False:
            active.append(vm_id)
        else:
            method["revoked"] = _timestamp(revoked, now)
        methods.append(method)
    context = [DID_V1, MULTIKEY_V1] + ([CID_V1] if uses_jwk else [])
    return {
        "@context": context,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": active,
    }


# --------------------------------------------------------------------------------------------
# resolving verification methods


@dataclass(frozen=True)
class VerificationMethod:
    """A resolved verification method: its id, type, controller, public key and, when the
    controller has revoked it, the ``xsd:dateTimeStamp`` of the revocation."""

    id: str
    type: str
    controller: str
    public_key: Any
    revoked: str | None = None


def _absolute(ref: Any, base: str) -> Any:
    if isinstance(ref, str) and ref.startswith("#"):
        return base.split("#", 1)[0] + ref
    return ref


def _parse_vm(obj: dict[str, Any], base: str) -> VerificationMethod:
    # Callers pass only JSON objects: _find_vm matches dicts, and a stand-alone method
    # document was checked to be one.
    vm_id = _absolute(obj.get("id"), base)
    vm_type = obj.get("type")
    controller = _absolute(obj.get("controller"), base)
    if not isinstance(vm_id, str) or not isinstance(controller, str):
        raise KeyFormatError("a verification method needs an id and a controller")
    if not isinstance(vm_type, str):
        raise KeyFormatError(f"the verification method {vm_id} has no type")
    public_key: PublicKey
    if vm_type in _VM_TYPES_MULTIBASE:
        public_key = decode_multikey(obj.get("publicKeyMultibase"))
        if vm_type == "Ed25519VerificationKey2020" and key_kind(public_key) != "ed25519":
            raise KeyFormatError(f"the verification method {vm_id} is not an Ed25519 key")
    elif vm_type in _VM_TYPES_JWK:
        jwk = obj.get("publicKeyJwk")
        if isinstance(jwk, dict) and "d" in jwk:
            raise KeyFormatError(f"the verification method {vm_id} exposes a private key")
        public_key = public_key_from_jwk(jwk)
    elif vm_type in _VM_TYPES_BASE58:
        raw = _base58_decode(str(obj.get("publicKeyBase58", "")), "publicKeyBase58")
        if len(raw) != 32:
            raise KeyFormatError(f"the verification method {vm_id} is not a 32-byte Ed25519 key")
        public_key = ed25519.Ed25519PublicKey.from_public_bytes(raw)
    else:
        raise KeyFormatError(f"the verification method {vm_id} has unsupported type {vm_type!r}")
    revoked = obj.get("revoked")
    if revoked is not None and not isinstance(revoked, str):
        raise KeyFormatError(f"the verification method {vm_id} has a malformed revoked time")
    return VerificationMethod(vm_id, vm_type, controller, public_key, revoked)


def _candidates(document: dict[str, Any]) -> Iterable[Any]:
    # Verification methods may be listed once and referenced, or embedded in a relationship.
    for name in ("verificationMethod", *PURPOSES):
        value = document.get(name, [])
        yield from value if isinstance(value, list) else [value]


def _find_vm(document: dict[str, Any], vm_id: str | None, purpose: str) -> dict[str, Any]:
    base = document["id"]
    if vm_id is None:
        # A bare DID names its key only when exactly one is authorised for the purpose.
        granted = document.get(purpose, [])
        granted = granted if isinstance(granted, list) else [granted]
        if len(granted) != 1:
            raise KeyFormatError(
                f"{base} names no single key for {purpose}; the proof must name a "
                "verification method with a fragment"
            )
        entry = granted[0]
        vm_id = _absolute(entry.get("id") if isinstance(entry, dict) else entry, base)
    for candidate in _candidates(document):
        if isinstance(candidate, dict) and _absolute(candidate.get("id"), base) == vm_id:
            return candidate
    raise KeyFormatError(f"the controller document {base} has no verification method {vm_id}")


def _authorised(document: dict[str, Any], vm_id: str, purpose: str) -> bool:
    base = document["id"]
    granted = document.get(purpose, [])
    for entry in granted if isinstance(granted, list) else [granted]:
        ref = entry.get("id") if isinstance(entry, dict) else entry
        if _absolute(ref, base) == vm_id:
            return True
    return False


def _from_controller_document(
    document: Any, expected_id: str, vm_id: str | None, purpose: str
) -> VerificationMethod:
    if not isinstance(document, dict):
        raise KeyFormatError(f"the controller document for {expected_id} is not a JSON object")
    if document.get("id") != expected_id:
        raise KeyFormatError(
            f"the controller document fetched for {expected_id} describes "
            f"{document.get('id')!r} instead"
        )
    method = _parse_vm(_find_vm(document, vm_id, purpose), expected_id)
    if method.controller != expected_id:
        raise ProofError(
            f"the verification method {method.id} is controlled by {method.controller}, "
            f"not by {expected_id}"
        )
    if not _authorised(document, method.id, purpose):
        raise ProofError(f"{expected_id} does not authorise {method.id} for {purpose}")
    return method


def resolve_verification_method(
    vm_id: str,
    *,
    fetch_json: Callable[[str], Any] | None = None,
    purpose: str = "assertionMethod",
) -> VerificationMethod:
    """Resolve a verification method id to its public key, checking it may be used for
    ``purpose``.

    * ``did:key`` and ``did:jwk``: resolved offline.
    * ``did:web``: ``fetch_json(did_web_url(did))``; the document's ``id`` must be the DID.
    * ``https``: the URL without its fragment is fetched. If that is a controller document,
      the method is looked up in it; if it is the verification method itself, its controller
      document is fetched in turn.

    In every case the method's ``controller`` must be the controller document's ``id``, and
    that document must list the method (by reference or embedded) under ``purpose``. A DID
    without a fragment names the one key the DID authorises for ``purpose``. Raises
    :class:`KeyFormatError` when the method cannot be found or decoded (or a network id is given
    without ``fetch_json``) and :class:`ProofError` when it is not authorised. The result's
    ``revoked`` is for the caller to judge.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"unknown proof purpose {purpose!r}")
    if not isinstance(vm_id, str) or ":" not in vm_id:
        raise KeyFormatError(f"{vm_id!r} is not a DID URL or an absolute URL")
    base, _, fragment = vm_id.partition("#")
    wanted = vm_id if fragment else None
    if vm_id.startswith("did:key:"):
        return _from_controller_document(did_key_document(base), base, wanted, purpose)
    if vm_id.startswith("did:jwk:"):
        return _from_controller_document(did_jwk_document(base), base, wanted, purpose)
    if vm_id.startswith("did:web:"):
        url = did_web_url(base)
        if fetch_json is None:
            raise KeyFormatError(f"resolving {base} needs the network ({url}); no fetcher given")
        return _from_controller_document(fetch_json(url), base, wanted, purpose)
    if vm_id.startswith("did:"):
        method_name = vm_id.split(":", 2)[1]
        raise KeyFormatError(f"the DID method did:{method_name} is not supported")
    if not vm_id.startswith("https://"):
        raise KeyFormatError(f"{vm_id} is neither a supported DID nor an https URL")
    if fetch_json is None:
        raise KeyFormatError(f"resolving {vm_id} needs the network; no fetcher given")
    document = fetch_json(base)
    if not isinstance(document, dict):
        raise KeyFormatError(f"the document at {base} is not a JSON object")
    if (
        document.get("id") == vm_id
        and "controller" in document
        and ("publicKeyMultibase" in document or "publicKeyJwk" in document)
    ):
        # The URL names a stand-alone verification method document.
        method = _parse_vm(document, vm_id)
        controller_url = method.controller.split("#", 1)[0]
        if controller_url.startswith("did:"):
            controller_doc = resolve_controller_document(controller_url, fetch_json)
        else:
            controller_doc = fetch_json(controller_url)
        if not isinstance(controller_doc, dict) or controller_doc.get("id") != method.controller:
            raise ProofError(
                f"the controller document of {vm_id} does not describe {method.controller}"
            )
        if not _authorised(controller_doc, vm_id, purpose):
            raise ProofError(f"{method.controller} does not authorise {vm_id} for {purpose}")
        return method
    return _from_controller_document(document, base, wanted, purpose)


def resolve_controller_document(did: str, fetch_json: Callable[[str], Any] | None) -> Any:
    """Return the DID document of ``did`` (did:key and did:jwk offline, did:web via
    ``fetch_json``). Raises :class:`KeyFormatError` for other methods."""
    bare = did.split("#", 1)[0]
    if bare.startswith("did:key:"):
        return did_key_document(bare)
    if bare.startswith("did:jwk:"):
        return did_jwk_document(bare)
    if bare.startswith("did:web:"):
        if fetch_json is None:
            raise KeyFormatError(f"resolving {bare} needs the network; no fetcher given")
        return fetch_json(did_web_url(bare))
    raise KeyFormatError(f"the DID {bare} uses an unsupported method")
