"""The eddsa-rdfc-2022 Data Integrity cryptosuite: published vectors, fixtures, tampering."""

from __future__ import annotations

import copy
import hashlib
import re

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings

from baeji.credentials import jsonld
from baeji.credentials.errors import ContextError, ProofError, SigningError
from baeji.credentials.suites import eddsa_rdfc_2022
from baeji.credentials.suites.eddsa_rdfc_2022 import hash_data, proof_of, sign, verify_proof

from .eddsa_samples import (
    OB3_VECTOR,
    VALIDATOR,
    W3C,
    credentials,
    load_json,
    private_key_from_multikey,
    public_key_from_multikey,
    realistic_credential,
)

RDFC = W3C / "eddsa-rdfc-2022"

# W3C vc-di-eddsa TestVectors (keyPair.json, eddsa-rdfc-2022/, eddsa-rdfc-2022/employ/)
W3C_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_SECRET = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
W3C_METHOD = f"did:key:{W3C_PUBLIC}#{W3C_PUBLIC}"
W3C_CREATED = "2023-02-24T23:36:38Z"
W3C_PROOF_VALUE = (
    "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme"
)
W3C_COMBINED_HASH = (
    "bea7b7acfbad0126b135104024a5f1733e705108f42d59668b05c0c50004c6b0"
    "517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017"
)
EMPLOY_PROOF_VALUE = (
    "zeuuS9pi2ZR8Q41bFFJKS9weSWkwa7pRcxHTHzxjDEHtVSZp3D9Rm3JdzT82EQpmXMb9wvfFJLuDPeSXZaRX1q1c"
)
EMPLOY_DOCUMENT_HASH = "03f59e5b04ab575b1172cb684f22eede72f0e9033e0b5c67d0e2506768d6ce11"

# 1EdTech Open Badges 3.0 linked-data-proof example (vectors/1edtech-ob3/vector.json)
OB3_SECRET = (
    "zrv2bqTbNwCTsRrHFcJCPjVAduh4Ezcnoq1A3ZxH1GWTNkxipLVuaAoMFmze2gFN9oNXfJjufxSHWVZzsJiUsMHFMcx"
)
OB3_PUBLIC = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
OB3_PROOF_VALUE = (
    "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"
)
OB3_SIGNATURE_HEX = (
    "f7a017acf7d27983267ec362657c0fb08e955549f49dac5bf36a03c4f2c3a4f1"
    "e3738a6c5ecd7ffba7135cb9cd754e6196f4b73082ea8df8e703c8ecd4333503"
)
OB3_DATA_HEX = (
    "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19"
    "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
)


@pytest.fixture
def path(request, monkeypatch):
    """Run a test once on pyld's full path and once on the fast path."""
    monkeypatch.setattr(jsonld, "FAST_PATH", request.param)
    return request.param


PATHS = pytest.mark.parametrize("path", [False, True], ids=["full", "fast"], indirect=True)


def _without_proof(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "proof"}


def _issuer_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"baeji test issuer").digest())


METHOD = "https://badges.example.kr/issuers/1#key-1"


# ------------------------------------------------------------------ W3C vectors


@PATHS
def test_w3c_vector_sign_reproduces_the_proof_value(path):
    signed_vector = load_json(RDFC / "signedDataInt.json")
    signed = sign(
        _without_proof(signed_vector),
        private_key=private_key_from_multikey(W3C_SECRET),
        verification_method=W3C_METHOD,
        created=W3C_CREATED,
    )
    assert signed["proof"]["proofValue"] == W3C_PROOF_VALUE
    assert signed == signed_vector


@PATHS
def test_w3c_vector_verifies(path):
    signed_vector = load_json(RDFC / "signedDataInt.json")
    verify_proof(
        _without_proof(signed_vector),
        signed_vector["proof"],
        public_key=public_key_from_multikey(W3C_PUBLIC),
    )


def test_w3c_vector_hash_data():
    proof_canon = (RDFC / "proofCanonDataInt.txt").read_text("utf-8")
    document_canon = (RDFC / "canonDocDataInt.txt").read_text("utf-8")
    assert hash_data(proof_canon, document_canon).hex() == W3C_COMBINED_HASH


def test_w3c_employ_vector_from_its_canonical_forms():
    # Its citizenship/v4rc1 context is not bundled, so the published canonical forms are the
    # input here; the signature over them must be the published one.
    employ = RDFC / "employ"
    proof_canon = (employ / "proofCanonDataInt.txt").read_text("utf-8")
    document_canon = (employ / "canonDocDataInt.txt").read_text("utf-8")
    data = hash_data(proof_canon, document_canon)
    assert data[32:].hex() == EMPLOY_DOCUMENT_HASH
    signature = private_key_from_multikey(W3C_SECRET).sign(data)
    assert "z" + base58.b58encode(signature).decode() == EMPLOY_PROOF_VALUE
    signed = load_json(employ / "signedDataInt.json")
    assert signed["proof"]["proofValue"] == EMPLOY_PROOF_VALUE
    public_key_from_multikey(W3C_PUBLIC).verify(base58.b58decode(EMPLOY_PROOF_VALUE[1:]), data)


@PATHS
def test_w3c_employ_vector_context_is_refused_not_fetched(path):
    signed = load_json(RDFC / "employ" / "signedDataInt.json")
    with pytest.raises(ContextError, match="not bundled"):
        verify_proof(
            _without_proof(signed), signed["proof"], public_key=public_key_from_multikey(W3C_PUBLIC)
        )
    with pytest.raises(ContextError, match="not bundled"):
        sign(
            _without_proof(signed),
            private_key=private_key_from_multikey(W3C_SECRET),
            verification_method=W3C_METHOD,
        )


# ------------------------------------------------------------------ 1EdTech OB 3.0 vector


@PATHS
def test_1edtech_ob3_vector_sign(path):
    vector = load_json(OB3_VECTOR / "vector.json")
    key = private_key_from_multikey(OB3_SECRET)
    assert key.private_bytes_raw().hex() == vector["keyPair"]["secretKeyHex"][:64]
    signed = sign(
        vector["unsignedCredential"],
        private_key=key,
        verification_method=vector["proofOptions"]["verificationMethod"],
        created=vector["proofOptions"]["created"],
    )
    assert signed["proof"]["proofValue"] == OB3_PROOF_VALUE
    assert base58.b58decode(OB3_PROOF_VALUE[1:]).hex() == OB3_SIGNATURE_HEX
    assert signed == vector["signedCredential"]


@PATHS
def test_1edtech_ob3_vector_verifies(path):
    vector = load_json(OB3_VECTOR / "vector.json")
    signed = vector["signedCredential"]
    verify_proof(
        _without_proof(signed), signed["proof"], public_key=public_key_from_multikey(OB3_PUBLIC)
    )


def test_1edtech_ob3_vector_hash_data():
    data = hash_data(
        (OB3_VECTOR / "proof-canon.txt").read_text("utf-8"),
        (OB3_VECTOR / "document-canon.txt").read_text("utf-8"),
    )
    assert data.hex() == OB3_DATA_HEX


# ------------------------------------------------------------------ 1EdTech validator fixtures

# The README's "verifies" rows for DataIntegrityProof / eddsa-rdfc-2022 (and its legacy name).
VERIFIES = [
    "simple.json",
    "simple-did-key-method.json",
    "simple-did-web-method.json",
    "simple-multiple-proofs.json",
    "simple-context-alias.json",
    "simple-context-version.json",
    "simple-eddsa-2022.json",
    "complete.json",
    "bit-string-list/credential-status-revoked.json",
    "bit-string-list/credential-status-revoked-blank-nodes.json",
    "bit-string-list/testlist",
    "endorsement-valid.json",
    "simple-err-expired.json",
    "simple-err-issued.json",
    "simple-err-issuer.json",
]

# Edited after signing ("does not verify"): a proof error, or a safe-mode error when the edit
# introduced an undefined term or type.
DOES_NOT_VERIFY = {
    "simple-err-type.json": ContextError,
    "simple-err-context.json": ContextError,
    "simple-err-credential-subject-type.json": ContextError,
    "simple-err-credential-subject-identifier-type.json": ContextError,
    "simple-err-credential-subject-result-type.json": ContextError,
    "simple-err-credential-subject-achievement-result-description-type.json": ContextError,
    "simple-err-credential-subject-profile-type.json": ContextError,
    "simple-err-evidence-type.json": ContextError,
    "simple-err-issuer-type.json": ContextError,
    "simple-err-issuer-parentorg-type.json": ContextError,
    "simple-err-issuer-otheridentifier-type.json": ContextError,
    "simple-err-proof-method-no-scheme.json": ContextError,
    "simple-err-proof-method-unknown-scheme.json": ProofError,
    "simple-err-proof-method-unknown-did-method.json": ProofError,
    "simple-err-proof-value.json": ProofError,
}


def _fixture_key(verification_method: str):
    """The Multikey carried in the verificationMethod (fragment or did:key)."""
    match = re.search(r"z6Mk[1-9A-HJ-NP-Za-km-z]+", verification_method)
    assert match, verification_method
    return public_key_from_multikey(match.group(0))


def _suite_proofs(document: dict) -> list[dict]:
    return [
        proof
        for proof in proof_of(document)
        if proof.get("type") == "DataIntegrityProof"
        and proof.get("cryptosuite") in ("eddsa-rdfc-2022", "eddsa-2022")
    ]


@PATHS
@pytest.mark.parametrize("name", VERIFIES)
def test_validator_fixture_verifies(name, path):
    document = load_json(VALIDATOR / name)
    proofs = _suite_proofs(document)
    assert proofs
    for proof in proofs:
        verify_proof(
            _without_proof(document),
            proof,
            public_key=_fixture_key(proof["verificationMethod"]),
        )


@PATHS
@pytest.mark.parametrize("name", sorted(DOES_NOT_VERIFY))
def test_validator_fixture_edited_after_signing_fails(name, path):
    document = load_json(VALIDATOR / name)
    (proof,) = _suite_proofs(document)
    with pytest.raises(DOES_NOT_VERIFY[name]):
        verify_proof(
            _without_proof(document),
            proof,
            public_key=_fixture_key(proof["verificationMethod"]),
        )


def test_validator_proof_with_undefined_type_is_refused():
    document = load_json(VALIDATOR / "simple-multiple-proofs.json")
    (odd,) = [proof for proof in proof_of(document) if proof["type"] != "DataIntegrityProof"]
    with pytest.raises(ProofError, match="SomeProofType"):
        verify_proof(_without_proof(document), odd, public_key=public_key_from_multikey(OB3_PUBLIC))


# ------------------------------------------------------------------ signing behaviour


@PATHS
def test_sign_then_verify_a_realistic_credential(path):
    key = _issuer_key()
    document = realistic_credential(3)
    signed = sign(document, private_key=key, verification_method=METHOD)
    proof = signed["proof"]
    assert set(proof) == {
        "type",
        "cryptosuite",
        "created",
        "verificationMethod",
        "proofPurpose",
        "proofValue",
    }
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == eddsa_rdfc_2022.CRYPTOSUITE == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == METHOD
    assert proof["proofPurpose"] == "assertionMethod"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", proof["created"])
    assert proof["proofValue"].startswith("z")
    assert len(base58.b58decode(proof["proofValue"][1:])) == 64
    assert _without_proof(signed) == document
    verify_proof(document, proof, public_key=key.public_key())


def test_fast_and_full_paths_sign_identically(monkeypatch):
    signatures = []
    for fast in (False, True):
        monkeypatch.setattr(jsonld, "FAST_PATH", fast)
        signatures.append(
            sign(
                realistic_credential(11),
                private_key=_issuer_key(),
                verification_method=METHOD,
                created="2026-03-01T09:00:00Z",
            )
        )
    assert signatures[0] == signatures[1]


def test_sign_never_mutates_its_input_and_returns_a_separate_copy():
    document = realistic_credential()
    before = copy.deepcopy(document)
    signed = sign(document, private_key=_issuer_key(), verification_method=METHOD)
    assert document == before and "proof" not in document
    signed["credentialSubject"]["achievement"]["name"] = "changed"
    signed["issuer"]["name"] = "changed"
    assert document == before


def test_sign_refuses_a_document_that_already_has_a_proof():
    signed = sign(realistic_credential(), private_key=_issuer_key(), verification_method=METHOD)
    with pytest.raises(SigningError, match="already has a proof"):
        sign(signed, private_key=_issuer_key(), verification_method=METHOD)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"created": "yesterday"},
        {"created": "2026-13-01T00:00:00Z"},
        {"verification_method": "key-1"},
        {"proof_purpose": ""},
        {"private_key": "not a key"},
    ],
)
def test_sign_refuses_bad_arguments(kwargs):
    arguments = {"private_key": _issuer_key(), "verification_method": METHOD} | kwargs
    with pytest.raises(SigningError):
        sign(realistic_credential(), **arguments)


def test_proof_purpose_and_created_are_signed_as_given():
    key = _issuer_key()
    signed = sign(
        realistic_credential(),
        private_key=key,
        verification_method=METHOD,
        proof_purpose="authentication",
        created="2030-01-02T03:04:05Z",
    )
    assert signed["proof"]["proofPurpose"] == "authentication"
    assert signed["proof"]["created"] == "2030-01-02T03:04:05Z"
    verify_proof(_without_proof(signed), signed["proof"], public_key=key.public_key())


# ------------------------------------------------------------------ safe mode


def _add_undefined_property(document: dict) -> None:
    document["credentialSubject"]["nickname"] = "민수"


def _add_undefined_type(document: dict) -> None:
    document["type"].append("PremiumBadgeCredential")


def _make_relative_id(document: dict) -> None:
    document["credentialSubject"]["achievement"]["id"] = "achievements/infosec-101"


UNSAFE = {
    "undefined property": (_add_undefined_property, "nickname"),
    "undefined type": (_add_undefined_type, "PremiumBadgeCredential"),
    "relative id": (_make_relative_id, "achievements/infosec-101"),
}


@PATHS
@pytest.mark.parametrize("name", sorted(UNSAFE))
def test_unsafe_documents_are_refused_when_signing(name, path):
    change, term = UNSAFE[name]
    document = realistic_credential()
    change(document)
    with pytest.raises(ContextError, match=term):
        sign(document, private_key=_issuer_key(), verification_method=METHOD)


@PATHS
@pytest.mark.parametrize("name", sorted(UNSAFE))
def test_unsafe_documents_are_refused_when_verifying(name, path):
    change, term = UNSAFE[name]
    key = _issuer_key()
    signed = sign(realistic_credential(), private_key=key, verification_method=METHOD)
    document = _without_proof(copy.deepcopy(signed))
    change(document)
    with pytest.raises(ContextError, match=term):
        verify_proof(document, signed["proof"], public_key=key.public_key())


@PATHS
def test_unsafe_proof_is_refused(path):
    key = _issuer_key()
    signed = sign(realistic_credential(), private_key=key, verification_method=METHOD)
    proof = dict(signed["proof"], nonceish="x")
    with pytest.raises(ContextError, match="nonceish"):
        verify_proof(_without_proof(signed), proof, public_key=key.public_key())


# ------------------------------------------------------------------ tampering


def _set(path: tuple, value):
    def change(document: dict, proof: dict) -> None:
        target = proof if path[0] == "proof" else document
        keys = path[1:] if path[0] == "proof" else path
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return change


def _flip_proof_value(document: dict, proof: dict) -> None:
    value = proof["proofValue"]
    index = len(value) // 2
    proof["proofValue"] = value[:index] + ("2" if value[index] != "2" else "3") + value[index + 1 :]


TAMPER = {
    "credential name": _set(("name",), "정보보안 전문가 배지 (위조)"),
    "achievement name": _set(("credentialSubject", "achievement", "name"), "정보보안 심화"),
    "validFrom date": _set(("validFrom",), "2026-03-02T09:00:00Z"),
    "validUntil date": _set(("validUntil",), "2099-03-01T09:00:00Z"),
    "issuer id": _set(("issuer", "id"), "https://evil.example/issuers/1"),
    "issuer name": _set(("issuer", "name"), "가짜대학교"),
    "subject": _set(("credentialSubject", "id"), "did:example:someone-else"),
    "result value": _set(("credentialSubject", "result", 0, "value"), "C"),
    "status index": _set(("credentialStatus", "statusListIndex"), "1"),
    "credits": _set(("credentialSubject", "creditsEarned"), 30.0),
    "proof created": _set(("proof", "created"), "2026-03-01T09:00:01Z"),
    "proof verificationMethod": _set(("proof", "verificationMethod"), METHOD + "x"),
    "proof proofPurpose": _set(("proof", "proofPurpose"), "authentication"),
    "proofValue character": _flip_proof_value,
}


@PATHS
@pytest.mark.parametrize("name", sorted(TAMPER))
def test_tampering_is_detected(name, path):
    key = _issuer_key()
    signed = sign(realistic_credential(5), private_key=key, verification_method=METHOD)
    document = _without_proof(copy.deepcopy(signed))
    proof = dict(signed["proof"])
    TAMPER[name](document, proof)
    assert (document, proof) != (_without_proof(signed), signed["proof"])
    with pytest.raises(ProofError):
        verify_proof(document, proof, public_key=key.public_key())


def test_wrong_key_is_rejected():
    signed = sign(realistic_credential(), private_key=_issuer_key(), verification_method=METHOD)
    other = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32).public_key()
    with pytest.raises(ProofError, match="does not match"):
        verify_proof(_without_proof(signed), signed["proof"], public_key=other)


@pytest.mark.parametrize(
    "change,message",
    [
        ({"type": "Ed25519Signature2020"}, "proof type"),
        ({"cryptosuite": "ecdsa-rdfc-2019"}, "cryptosuite"),
        ({"cryptosuite": None}, "cryptosuite"),
        ({"proofValue": None}, "no proofValue"),
        ({"proofValue": "u" + "A" * 86}, "base58btc"),
        ({"proofValue": "z0OIl"}, "base58btc"),
        ({"proofValue": "z" + "2" * 40}, "64"),
        ({"created": "last tuesday"}, "dateTime"),
        ({"verificationMethod": None}, "verificationMethod"),
        ({"proofPurpose": ""}, "proofPurpose"),
    ],
)
def test_malformed_proofs_are_rejected(change, message):
    key = _issuer_key()
    signed = sign(realistic_credential(), private_key=key, verification_method=METHOD)
    proof = dict(signed["proof"])
    for name, value in change.items():
        if value is None:
            proof.pop(name)
        else:
            proof[name] = value
    with pytest.raises(ProofError, match=message):
        verify_proof(_without_proof(signed), proof, public_key=key.public_key())


def test_verify_ignores_a_proof_left_in_the_document():
    key = _issuer_key()
    signed = sign(realistic_credential(), private_key=key, verification_method=METHOD)
    verify_proof(signed, signed["proof"], public_key=key.public_key())


def test_proof_context_must_be_a_prefix_of_the_document_context():
    key = _issuer_key()
    document = realistic_credential()
    signed = sign(document, private_key=key, verification_method=METHOD)
    good = dict(signed["proof"], **{"@context": document["@context"][:1]})
    verify_proof(document, good, public_key=key.public_key())
    bad = dict(signed["proof"], **{"@context": ["https://w3id.org/security/data-integrity/v2"]})
    with pytest.raises(ProofError, match="@context"):
        verify_proof(document, bad, public_key=key.public_key())


# ------------------------------------------------------------------ proof_of


def test_proof_of_single_list_and_none():
    proof = {"type": "DataIntegrityProof"}
    assert proof_of({"proof": proof}) == [proof]
    assert proof_of({"proof": [proof, proof]}) == [proof, proof]
    assert proof_of({"name": "x"}) == []
    with pytest.raises(ProofError):
        proof_of({"proof": "z123"})
    with pytest.raises(ProofError):
        proof_of({"proof": [proof, 7]})


# ------------------------------------------------------------------ property-based


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(credentials())
def test_signatures_made_on_the_fast_path_verify_on_the_full_path(document):
    key = _issuer_key()
    try:
        jsonld.FAST_PATH = True
        signed = sign(
            document, private_key=key, verification_method=METHOD, created="2026-01-01T00:00:00Z"
        )
        jsonld.FAST_PATH = False
        verify_proof(_without_proof(signed), signed["proof"], public_key=key.public_key())
        signed_full = sign(
            document, private_key=key, verification_method=METHOD, created="2026-01-01T00:00:00Z"
        )
        assert signed_full == signed
    finally:
        jsonld.FAST_PATH = True
