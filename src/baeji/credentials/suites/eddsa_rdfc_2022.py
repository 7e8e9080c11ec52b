"""The Data Integrity cryptosuite ``eddsa-rdfc-2022`` (W3C vc-di-eddsa).

Signing and verifying follow the specification:

1. transform: canonicalize the document without its proof with RDFC-1.0 (safe mode);
2. proof configuration: the proof options without ``proofValue``, given the document's
   ``@context``, canonicalized the same way;
3. hashData = SHA-256(canonical proof configuration) || SHA-256(canonical document);
4. the Ed25519 signature of hashData, multibase base58btc encoded (``z...``), is the
   ``proofValue``.

Canonicalization uses :func:`baeji.credentials.jsonld.canonicalize`, so a document with an
undefined term, an undefined type or a relative IRI is refused with :class:`ContextError`
both when signing and when verifying.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from baeji.credentials import jsonld
from baeji.credentials.errors import ProofError, SigningError

__all__ = ["CRYPTOSUITE", "PROOF_TYPE", "hash_data", "proof_of", "sign", "verify_proof"]

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
# The same algorithm under its pre-Recommendation name; still found in issued credentials,
# so it is verified but never produced.
LEGACY_CRYPTOSUITES = frozenset({"eddsa-2022"})

# XSD dateTime lexical form (the spec requires "created" to be one).
_DATETIME = re.compile(
    r"^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
    r"(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))?$"
)
_BASE58_ALPHABET = set("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")


def hash_data(canonical_proof_config: str, canonical_document: str) -> bytes:
    """The 64 bytes that are signed: SHA-256 of the proof configuration, then of the document."""
    return (
        hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
        + hashlib.sha256(canonical_document.encode("utf-8")).digest()
    )


def _copy(value: Any) -> Any:
    # JSON-shaped deep copy: the signed document must not share objects with the input.
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _proof_config(document: dict, options: dict) -> dict:
    config = dict(options)
    if "@context" in document:
        config["@context"] = document["@context"]
    return config


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign(
    document: dict,
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    proof_purpose: str = "assertionMethod",
    created: str | None = None,
) -> dict:
    """Return a new dict: ``document`` plus an ``eddsa-rdfc-2022`` DataIntegrityProof.

    ``created`` is an XSD dateTime (default: now, UTC, whole seconds). The input is never
    modified. Raises :class:`SigningError` for a document that already has a proof or for
    bad arguments, and :class:`ContextError` when the document fails safe-mode JSON-LD.
    """
    if not isinstance(document, dict):
        raise SigningError("only a JSON object can be signed")
    if "proof" in document:
        raise SigningError(
            "the document already has a proof; sign the document without it "
            "(adding proofs to a proof set is not supported)"
        )
    if not isinstance(private_key, Ed25519PrivateKey):
        raise SigningError("eddsa-rdfc-2022 needs an Ed25519 private key")
    if not isinstance(verification_method, str) or ":" not in verification_method:
        raise SigningError("verification_method must be an absolute URL or DID URL")
    if not isinstance(proof_purpose, str) or not proof_purpose:
        raise SigningError("proof_purpose must be a non-empty string")
    if created is None:
        created = _now()
    elif not isinstance(created, str) or not _DATETIME.match(created):
        raise SigningError(f"created {created!r} is not an XSD dateTime")

    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    data = hash_data(
        jsonld.canonicalize(_proof_config(document, options)), jsonld.canonicalize(document)
    )
    signature = private_key.sign(data)
    proof = dict(options)
    proof["proofValue"] = "z" + base58.b58encode(signature).decode("ascii")
    signed = _copy(document)
    signed["proof"] = proof
    return signed


def _decode_proof_value(value: Any) -> bytes:
    if not isinstance(value, str) or not value:
        raise ProofError("the proof has no proofValue")
    if value[0] != "z":
        raise ProofError(
            "proofValue must be multibase base58btc (start with 'z'), "
            f"not multibase prefix {value[0]!r}"
        )
    if not set(value[1:]) <= _BASE58_ALPHABET:
        raise ProofError("proofValue is not valid base58btc")
    signature = base58.b58decode(value[1:])
    if len(signature) != 64:
        raise ProofError(
            f"proofValue decodes to {len(signature)} bytes; an Ed25519 signature has 64"
        )
    return signature


def verify_proof(document: dict, proof: dict, *, public_key: Ed25519PublicKey) -> None:
    """Check one ``eddsa-rdfc-2022`` proof over ``document`` (given without its proof).

    Returns None when the proof is valid. Raises :class:`ProofError` when the proof is
    malformed (type, cryptosuite, created, proofValue) or the signature does not match, and
    :class:`ContextError` when the document or proof fails safe-mode JSON-LD.
    """
    if not isinstance(document, dict):
        raise ProofError("the secured document must be a JSON object")
    if not isinstance(proof, dict):
        raise ProofError("a proof must be a JSON object")
    if not isinstance(public_key, Ed25519PublicKey):
        raise ProofError("eddsa-rdfc-2022 needs an Ed25519 public key")
    if "proof" in document:
        document = {key: value for key, value in document.items() if key != "proof"}
    if proof.get("type") != PROOF_TYPE:
        raise ProofError(f"proof type is {proof.get('type')!r}, expected {PROOF_TYPE!r}")
    if proof.get("cryptosuite") != CRYPTOSUITE and proof.get("cryptosuite") not in (
        LEGACY_CRYPTOSUITES
    ):
        raise ProofError(
            f"proof cryptosuite is {proof.get('cryptosuite')!r}, expected {CRYPTOSUITE!r}"
        )
    for required in ("verificationMethod", "proofPurpose"):
        if not isinstance(proof.get(required), str) or not proof[required]:
            raise ProofError(f"the proof has no {required}")
    created = proof.get("created")
    if created is not None and (not isinstance(created, str) or not _DATETIME.match(created)):
        raise ProofError(f"proof created {created!r} is not an XSD dateTime")
    signature = _decode_proof_value(proof.get("proofValue"))

    options = {key: value for key, value in proof.items() if key != "proofValue"}
    if "@context" in options:
        # A proof that carries its own @context must use a prefix of the document's.
        proof_context = options.pop("@context")
        proof_list = proof_context if isinstance(proof_context, list) else [proof_context]
        document_context = document.get("@context")
        document_list = (
            document_context if isinstance(document_context, list) else [document_context]
        )
        if document_list[: len(proof_list)] != proof_list:
            raise ProofError("the proof's @context does not match the document's @context")

    data = hash_data(
        jsonld.canonicalize(_proof_config(document, options)), jsonld.canonicalize(document)
    )
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        raise ProofError(
            "the eddsa-rdfc-2022 signature does not match: the credential or its proof "
            "was changed after signing, or the key is not the signer's"
        ) from None


def proof_of(document: dict) -> list[dict]:
    """The proofs in ``document`` as a list (empty when it has none).

    Raises :class:`ProofError` when ``proof`` is neither an object nor a list of objects.
    """
    if not isinstance(document, dict):
        raise ProofError("the secured document must be a JSON object")
    proof = document.get("proof")
    if proof is None:
        return []
    proofs = proof if isinstance(proof, list) else [proof]
    for item in proofs:
        if not isinstance(item, dict):
            raise ProofError("every proof must be a JSON object")
    return list(proofs)
