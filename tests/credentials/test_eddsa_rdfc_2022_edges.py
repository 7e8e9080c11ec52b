"""eddsa-rdfc-2022 argument refusals, through the suite's public functions."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from baeji.credentials import keys
from baeji.credentials.errors import ContextError, ProofError, SigningError
from baeji.credentials.suites import eddsa_rdfc_2022

KEY = Ed25519PrivateKey.from_private_bytes(b"\x03" * 32)
METHOD = "did:key:z6Mk#z6Mk"


def test_only_objects_can_be_signed():
    with pytest.raises(SigningError, match="only a JSON object can be signed"):
        eddsa_rdfc_2022.sign(["not", "a", "document"], private_key=KEY, verification_method=METHOD)


def test_document_without_context_is_refused_by_safe_mode():
    # Without @context nothing is defined, so every property would be dropped.
    with pytest.raises(ContextError, match="JSON-LD safe mode"):
        eddsa_rdfc_2022.sign({"name": "x"}, private_key=KEY, verification_method=METHOD)


@pytest.mark.parametrize(
    ("document", "proof", "public_key", "message"),
    [
        ("text", {}, KEY.public_key(), "secured document must be a JSON object"),
        ({}, "proof", KEY.public_key(), "a proof must be a JSON object"),
        ({}, {}, keys.generate("p256").public_key, "needs an Ed25519 public key"),
    ],
)
def test_verify_proof_refuses_bad_arguments(document, proof, public_key, message):
    with pytest.raises(ProofError, match=message):
        eddsa_rdfc_2022.verify_proof(document, proof, public_key=public_key)


def test_proof_of_needs_an_object():
    with pytest.raises(ProofError, match="secured document must be a JSON object"):
        eddsa_rdfc_2022.proof_of([{"proof": {}}])
