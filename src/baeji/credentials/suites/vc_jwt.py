"""VC-JWT: the JSON Web Token proof format as Open Badges 3.0 profiles it.

Open Badges 3.0 ("JSON Web Token Proof Format") secures a credential as a compact JWS:

* JOSE header: ``alg`` (``RS256`` is the one every implementation must support; ``ES256`` and
  ``EdDSA`` are accepted too), optional ``typ`` which must be ``"JWT"``, and either ``kid`` (a
  URL or DID URL of the public key) or ``jwk`` (the public key itself, never with ``d``). The
  spec allows no other header parameters, so verification refuses them.
* payload: the credential's own JSON object with the registered claims added: ``iss`` =
  ``issuer.id``, ``jti`` = ``id``, ``nbf`` = ``validFrom``, ``exp`` = ``validUntil`` (when
  present) and ``sub`` = ``credentialSubject.id`` (when present).

Tokens made under VC Data Model 1.1 carry the credential in a ``vc`` claim instead and use
``issuanceDate``/``expirationDate``; :func:`decode_unverified` and :func:`verify` accept that
form too (the 1EdTech validator's fixtures use both).

:func:`verify` checks the signature and that the claims agree with the credential. It does not
judge times (expired, not yet valid): that is the verifier's job.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from baeji.credentials import keys
from baeji.credentials.errors import CredentialError, KeyFormatError, ProofError, SigningError

__all__ = [
    "ALGORITHMS",
    "REGISTERED_CLAIMS",
    "algorithm_for",
    "decode_unverified",
    "issue",
    "key_resolver",
    "verify",
]

#: JWS algorithms accepted, with the key kind each one needs.
ALGORITHMS = {"RS256": "rsa", "ES256": "p256", "EdDSA": "ed25519"}

#: RFC 7519 registered claim names; in the VC 2.0 form they are not part of the credential.
REGISTERED_CLAIMS = ("iss", "sub", "aud", "exp", "nbf", "iat", "jti")

_HEADER_PARAMETERS = {"alg", "typ", "kid", "jwk"}
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")
# A NumericDate may carry a fraction the credential's dateTime does not (or the reverse); less
# than a second apart is the same instant for this comparison.
_TOLERANCE_SECONDS = 1.0
_MIN_RSA_BITS = 2048


def algorithm_for(key: keys.KeyPair) -> str:
    """The JWS ``alg`` used with a key pair: RS256 (RSA), ES256 (P-256) or EdDSA (Ed25519)."""
    return {kind: alg for alg, kind in ALGORITHMS.items()}[key.kind]


# --------------------------------------------------------------------------------------------
# helpers


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64u_decode(segment: str, what: str) -> bytes:
    if not _SEGMENT.match(segment) or len(segment) % 4 == 1:
        raise ProofError(f"the token's {what} is not base64url text")
    # The alphabet and length were checked above, so decoding cannot fail.
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Duplicate members would let two parsers read different claims from one signed payload.
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise ProofError(f"the token repeats the JSON member {name!r}")
        result[name] = value
    return result


def _json_object(segment: str, what: str) -> dict[str, Any]:
    raw = _b64u_decode(segment, what)
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProofError(f"the token's {what} is not JSON") from error
    if not isinstance(value, dict):
        raise ProofError(f"the token's {what} is not a JSON object")
    return value


def _json_bytes(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    # VC 2.0 requires a time zone; an old credential without one is read as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _numeric_date(value: str, name: str) -> int | float:
    moment = _parse_datetime(value)
    if moment is None:
        raise SigningError(f"the credential's {name} {value!r} is not an ISO 8601 date-time")
    stamp = moment.timestamp()
    return int(stamp) if stamp.is_integer() else round(stamp, 3)


def _issuer_id(credential: dict[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _subject_ids(credential: dict[str, Any]) -> list[Any]:
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    return [item["id"] for item in subjects if isinstance(item, dict) and "id" in item]


def _valid_from(credential: dict[str, Any]) -> tuple[str, Any]:
    if "validFrom" in credential or "issuanceDate" not in credential:
        return "validFrom", credential.get("validFrom")
    return "issuanceDate", credential["issuanceDate"]


def _valid_until(credential: dict[str, Any]) -> tuple[str, Any]:
    if "validUntil" in credential or "expirationDate" not in credential:
        return "validUntil", credential.get("validUntil")
    return "expirationDate", credential["expirationDate"]


def _is_v1(credential: dict[str, Any]) -> bool:
    context = credential.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    return first == "https://www.w3.org/2018/credentials/v1"


# --------------------------------------------------------------------------------------------
# issuing


def issue(
    credential: dict[str, Any],
    key: keys.KeyPair,
    *,
    kid: str | None = None,
    embed_jwk: bool = False,
) -> str:
    """Sign ``credential`` as an Open Badges 3.0 VC-JWT and return the compact JWS.

    The header names the key by ``kid`` (a verification method URL or DID URL), embeds its
    public ``jwk``, or both; one of them is required. The payload is the credential with
    ``iss``, ``jti``, ``nbf`` and, when the credential has them, ``exp`` and ``sub`` added.
    Raises :class:`SigningError` when the credential lacks ``issuer``, ``id`` or ``validFrom``,
    already uses a registered claim name, or no key reference is asked for.
    """
    if not isinstance(credential, dict):
        raise SigningError("a credential must be a JSON object")
    if kid is None and not embed_jwk:
        raise SigningError("name the signing key with kid, or embed its public JWK")
    if kid is not None and (not isinstance(kid, str) or ":" not in kid):
        raise SigningError("kid must be a URL or DID URL")
    clashes = [name for name in REGISTERED_CLAIMS if name in credential]
    if clashes:
        raise SigningError(f"the credential already has the JWT claim name(s) {', '.join(clashes)}")
    issuer = _issuer_id(credential)
    if not isinstance(issuer, str) or not issuer:
        raise SigningError("the credential has no issuer id (needed for the iss claim)")
    credential_id = credential.get("id")
    if not isinstance(credential_id, str) or not credential_id:
        raise SigningError("the credential has no id (needed for the jti claim)")
    from_name, valid_from = _valid_from(credential)
    if valid_from is None:
        raise SigningError("the credential has no validFrom (needed for the nbf claim)")

    header: dict[str, Any] = {"alg": algorithm_for(key), "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    if embed_jwk:
        header["jwk"] = key.public_jwk()

    payload = dict(credential)
    payload["iss"] = issuer
    payload["jti"] = credential_id
    payload["nbf"] = _numeric_date(valid_from, from_name)
    until_name, valid_until = _valid_until(credential)
    if valid_until is not None:
        payload["exp"] = _numeric_date(valid_until, until_name)
    subjects = _subject_ids(credential)
    if len(subjects) == 1:
        payload["sub"] = subjects[0]
    elif len(subjects) > 1:
        raise SigningError("the credential has several subjects with ids; sub can name only one")

    signing_input = _b64u(_json_bytes(header)) + "." + _b64u(_json_bytes(payload))
    signature = key.sign(signing_input.encode("ascii"))
    return signing_input + "." + _b64u(signature)


# --------------------------------------------------------------------------------------------
# decoding and verifying


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Split a compact JWS into ``(header, payload, credential)`` without checking anything.

    The credential is the ``vc`` claim for VC Data Model 1.1 tokens, otherwise the payload
    without the registered JWT claims. Raises :class:`ProofError` when ``token`` is not a
    compact JWS with JSON object header and payload.
    """
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError as error:
            raise ProofError("the token is not a compact JWS (non-ASCII bytes)") from error
    if not isinstance(token, str):
        raise ProofError("the token is not a compact JWS string")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ProofError(
            f"a compact JWS has three dot-separated parts; this token has {len(parts)}"
        )
    header = _json_object(parts[0], "header")
    payload = _json_object(parts[1], "payload")
    if not parts[2]:
        raise ProofError("the token has no signature")
    _b64u_decode(parts[2], "signature")
    if isinstance(payload.get("vc"), dict) and "@context" not in payload:
        credential = dict(payload["vc"])
    else:
        credential = {name: v for name, v in payload.items() if name not in REGISTERED_CLAIMS}
    return header, payload, credential


def _check_header(header: dict[str, Any]) -> str:
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise ProofError("the token's header has no alg")
    if alg.lower() == "none":
        raise ProofError("the token is unsigned (alg none); refusing it")
    if alg.upper().startswith("HS"):
        raise ProofError(f"the token uses the shared-secret algorithm {alg}; refusing it")
    if alg not in ALGORITHMS:
        raise ProofError(
            f"the token's algorithm {alg} is not supported (use {', '.join(ALGORITHMS)})"
        )
    extra = sorted(set(header) - _HEADER_PARAMETERS)
    if extra:
        raise ProofError(
            f"Open Badges 3.0 allows no JOSE header parameters besides alg, typ, kid and jwk; "
            f"this token has {', '.join(extra)}"
        )
    typ = header.get("typ")
    if typ is not None and (not isinstance(typ, str) or typ.upper() != "JWT"):
        raise ProofError(f"the token's typ must be JWT, not {typ!r}")
    if "kid" in header and (not isinstance(header["kid"], str) or not header["kid"]):
        raise ProofError("the token's kid must be a non-empty string")
    if "jwk" in header:
        jwk = header["jwk"]
        if not isinstance(jwk, dict):
            raise ProofError("the token's jwk header is not a JSON object")
        if "d" in jwk:
            raise ProofError("the token's jwk header exposes a private key (member d)")
    if "kid" not in header and "jwk" not in header:
        raise ProofError("the token's header names no key: it needs kid or jwk")
    return alg


def _same_instant(claim: Any, value: Any) -> bool:
    moment = _parse_datetime(value)
    if moment is None or isinstance(claim, bool) or not isinstance(claim, int | float):
        return False
    return abs(moment.timestamp() - claim) < _TOLERANCE_SECONDS


def _check_claims(payload: dict[str, Any], credential: dict[str, Any], require_sub: bool) -> None:
    issuer = _issuer_id(credential)
    if "iss" not in payload:
        raise ProofError("the token has no iss claim")
    if payload["iss"] != issuer:
        raise ProofError(
            f"the iss claim {payload['iss']!r} does not match the issuer id {issuer!r}"
        )

    credential_id = credential.get("id")
    if "jti" in payload or credential_id is not None:
        if "jti" not in payload:
            raise ProofError("the token has no jti claim (the credential's id)")
        if payload["jti"] != credential_id:
            raise ProofError(
                f"the jti claim {payload['jti']!r} does not match the credential id "
                f"{credential_id!r}"
            )

    from_name, valid_from = _valid_from(credential)
    if "nbf" in payload or valid_from is not None:
        if "nbf" not in payload:
            raise ProofError(f"the token has no nbf claim (the credential's {from_name})")
        if not _same_instant(payload["nbf"], valid_from):
            raise ProofError(
                f"the nbf claim {payload['nbf']!r} does not match {from_name} {valid_from!r}"
            )

    subjects = _subject_ids(credential)
    if "sub" in payload:
        if payload["sub"] not in subjects:
            shown = subjects[0] if len(subjects) == 1 else subjects or None
            raise ProofError(
                f"the sub claim {payload['sub']!r} does not match credentialSubject.id {shown!r}"
            )
    elif subjects and require_sub:
        raise ProofError("the token has no sub claim (the credentialSubject's id)")

    until_name, valid_until = _valid_until(credential)
    if valid_until is not None:
        if "exp" not in payload:
            raise ProofError(f"the token has no exp claim although the credential has {until_name}")
        if not _same_instant(payload["exp"], valid_until):
            raise ProofError(
                f"the exp claim {payload['exp']!r} does not match {until_name} {valid_until!r}"
            )
    elif "exp" in payload:
        exp = payload["exp"]
        if isinstance(exp, bool) or not isinstance(exp, int | float):
            raise ProofError(f"the exp claim {exp!r} is not a NumericDate")
        # The spec: exp "MUST be used to set the value of the validUntil", so a verifier that
        # judges expiry from the credential sees the token's limit.
        try:
            stamp = datetime.fromtimestamp(exp, UTC)
        except (OverflowError, OSError, ValueError) as error:
            raise ProofError(f"the exp claim {exp!r} is out of range") from error
        name = "expirationDate" if _is_v1(credential) else "validUntil"
        credential[name] = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def verify(
    token: str,
    *,
    resolve_key: Callable[[dict[str, Any], dict[str, Any]], Any],
    require_sub: bool = False,
) -> dict[str, Any]:
    """Verify a VC-JWT and return the credential it carries.

    ``resolve_key(header, credential)`` returns the public key (a ``cryptography`` key or a
    :class:`~baeji.credentials.keys.VerificationMethod`); :func:`key_resolver` builds one.
    Checks, in order: the header (alg RS256/ES256/EdDSA, never ``none`` or HMAC; no header
    parameters beyond alg/typ/kid/jwk; a key named; no private key in ``jwk``), that the key
    suits the algorithm (RSA at least 2048 bits), the signature, and that ``iss``/``jti``/
    ``nbf``/``sub``/``exp`` equal ``issuer.id``/``id``/``validFrom``/``credentialSubject.id``/
    ``validUntil``. A missing ``sub`` is accepted unless ``require_sub`` (the 1EdTech
    validator's own fixtures omit it); an ``exp`` without ``validUntil`` sets ``validUntil``,
    as the spec says. Times are not judged here. Raises :class:`ProofError` naming what failed.
    """
    header, payload, credential = decode_unverified(token)
    alg = _check_header(header)
    resolved = resolve_key(header, credential)
    public_key = getattr(resolved, "public_key", resolved)
    try:
        kind = keys.key_kind(public_key)
    except KeyFormatError as error:
        raise ProofError(f"the key found for this token cannot be used: {error}") from error
    if kind != ALGORITHMS[alg]:
        raise ProofError(f"the token says {alg} but the key found is a {kind} key")
    if kind == "rsa" and public_key.key_size < _MIN_RSA_BITS:
        raise ProofError(f"the RSA key has {public_key.key_size} bits; at least 2048 are needed")
    signing_input, _, signature_segment = token.strip().rpartition(".")
    signature = _b64u_decode(signature_segment, "signature")
    if not keys.verify_signature(public_key, signature, signing_input.encode("ascii")):
        raise ProofError("the token's signature does not verify with the issuer's key")
    _check_claims(payload, credential, require_sub)
    return credential


# --------------------------------------------------------------------------------------------
# finding the key


def _did_of(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith("did:"):
        return value.split("#", 1)[0].split("?", 1)[0]
    return None


def _jwk_from_document(document: Any, kid: str) -> dict[str, Any] | None:
    if not isinstance(document, dict):
        return None
    if "kty" in document:
        return document
    candidates = document.get("keys")
    if isinstance(candidates, list):
        fragment = kid.partition("#")[2]
        for candidate in candidates:
            if isinstance(candidate, dict) and candidate.get("kid") in (kid, fragment or None):
                return candidate
        if len(candidates) == 1 and isinstance(candidates[0], dict):
            return candidates[0]
        raise KeyFormatError(f"the key set at {kid} has no key with that kid")
    return None


def key_resolver(
    fetch_json: Callable[[str], Any] | None = None,
    *,
    purpose: str = "assertionMethod",
    allow_embedded_jwk: bool = True,
    now: Callable[[], datetime] | None = None,
) -> Callable[[dict[str, Any], dict[str, Any]], Any]:
    """Build a ``resolve_key`` for :func:`verify` that follows the Open Badges 3.0 rules.

    * ``kid`` that is a DID URL: resolved with
      :func:`~baeji.credentials.keys.resolve_verification_method` (``did:key``/``did:jwk``
      offline, ``did:web`` through ``fetch_json``) and must be authorised for ``purpose``.
      When the issuer id is a DID as well, the key must belong to that same DID.
    * ``kid`` that is an https URL: ``fetch_json(kid)`` may return a bare JWK (what the spec
      describes), a JWK set, or a controller/verification method document.
    * no ``kid``: the embedded ``jwk``, if ``allow_embedded_jwk``. Such a key proves only that
      the token is intact, not who made it; trusting it is the verifier's decision.
    * both: the embedded ``jwk`` must be the key ``kid`` names.

    A verification method revoked at or before ``now()`` is refused.
    """
    clock = now or (lambda: datetime.now(UTC))

    def resolve(header: dict[str, Any], credential: dict[str, Any]) -> Any:
        kid = header.get("kid")
        embedded = header.get("jwk")
        if kid is None:
            if embedded is None:
                raise ProofError("the token names no key (kid or jwk)")
            if not allow_embedded_jwk:
                raise ProofError("the token only embeds its key (jwk) and that is not allowed")
            try:
                return keys.public_key_from_jwk(embedded)
            except KeyFormatError as error:
                raise ProofError(f"the token's embedded key is unusable: {error}") from error
        key_did = _did_of(kid)
        issuer_did = _did_of(_issuer_id(credential))
        if key_did and issuer_did and key_did != issuer_did:
            raise ProofError(f"the token's key {kid} does not belong to the issuer {issuer_did}")
        public_key = None
        if kid.startswith("https://") and fetch_json is not None:
            try:
                jwk = _jwk_from_document(fetch_json(kid.split("#", 1)[0]), kid)
                if jwk is not None:
                    if "d" in jwk:
                        raise ProofError(f"the key published at {kid} exposes a private key")
                    public_key = keys.public_key_from_jwk(jwk)
            except KeyFormatError as error:
                # verify() promises ProofError for every key problem, as below.
                raise ProofError(f"the token's key {kid} cannot be used: {error}") from error
        if public_key is None:
            try:
                method = keys.resolve_verification_method(
                    kid, fetch_json=fetch_json, purpose=purpose
                )
            except CredentialError as error:
                if isinstance(error, ProofError):
                    raise
                raise ProofError(f"the token's key {kid} cannot be resolved: {error}") from error
            if method.revoked is not None:
                revoked_at = _parse_datetime(method.revoked)
                if revoked_at is None or revoked_at <= clock():
                    raise ProofError(f"the key {method.id} was revoked at {method.revoked}")
            public_key = method.public_key
        if embedded is not None:
            try:
                same = keys.public_key_from_jwk(embedded)
            except KeyFormatError as error:
                raise ProofError(f"the token's embedded key is unusable: {error}") from error
            if keys.public_jwk(same) != keys.public_jwk(public_key):
                raise ProofError("the token's jwk is not the key its kid names")
        return public_key

    return resolve
