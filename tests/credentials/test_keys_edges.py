"""Key handling edge cases: malformed keys, documents and DIDs are refused with a reason."""

from __future__ import annotations

import base64
import json

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from baeji.credentials import keys
from baeji.credentials.errors import KeyFormatError, ProofError

from .test_keys import dict_fetcher


def multibase(header: bytes, body: bytes) -> str:
    return "z" + base58.b58encode(header + body).decode()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# -- key pairs --------------------------------------------------------------------------------


def test_other_elliptic_curves_are_refused():
    with pytest.raises(KeyFormatError, match="secp384r1 is not supported"):
        keys.KeyPair(ec.generate_private_key(ec.SECP384R1()))


def test_key_pairs_compare_by_private_key_and_work_in_sets():
    seed = b"\x05" * 32
    first = keys.KeyPair(ed25519.Ed25519PrivateKey.from_private_bytes(seed))
    again = keys.KeyPair(ed25519.Ed25519PrivateKey.from_private_bytes(seed))
    other = keys.generate()
    assert first == again and first != other
    assert first != first.public_jwk()
    assert len({first, again, other}) == 2


def test_p256_signature_of_the_wrong_length_does_not_verify():
    key = keys.generate("p256")
    signature = key.sign(b"data")
    assert keys.verify_signature(key.public_key, signature, b"data")
    assert not keys.verify_signature(key.public_key, signature + b"\x00", b"data")


def test_public_jwk_of_a_private_key_is_refused():
    with pytest.raises(KeyFormatError, match="public key is needed"):
        keys.public_jwk(keys.generate().private_key)


# -- Multikey ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (multibase(b"\x80\x24", b"\x02" + b"\x01" * 31), "33-byte compressed point"),
        # 0x05 is not a valid compressed-point prefix.
        (multibase(b"\x80\x24", b"\x05" + b"\x01" * 32), "not a point on the curve"),
    ],
)
def test_decode_multikey_refuses_bad_p256_values(value, message):
    with pytest.raises(KeyFormatError, match=message):
        keys.decode_multikey(value)


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        (multibase(b"\x80\x26", b"\x01" * 16), "32 \\(or 64\\) bytes"),
        (multibase(b"\x86\x26", b"\x01" * 16), "P-256 secret Multikey carries 32 bytes"),
        (multibase(b"\x86\x26", b"\x00" * 32), "out of range"),
        (multibase(b"\x13\x00", b"\x01" * 32), "unsupported secret Multikey header"),
    ],
)
def test_load_key_document_refuses_bad_secret_multikeys(secret, message):
    with pytest.raises(KeyFormatError, match=message):
        keys.load_key_document({"secretKeyMultibase": secret})


def test_p256_key_document_round_trip():
    key = keys.generate("p256")
    document = keys.key_document(key)
    loaded, controller, vm = keys.load_key_document(document)
    assert loaded == key
    assert controller.startswith("did:jwk:") and vm == controller + "#0"


# -- JWK --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jwk", "message"),
    [
        ({"kty": "RSA", "n": "", "e": "AQAB"}, "the JWK member n is empty"),
        ({"kty": "RSA", "n": "AQAB", "e": "Ag"}, "the RSA JWK is not a valid key"),
        ({"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"}, "secp256k1"),
    ],
)
def test_public_key_from_jwk_refuses_more_bad_keys(jwk, message):
    with pytest.raises(KeyFormatError, match=message):
        keys.public_key_from_jwk(jwk)


def test_rsa_private_jwk_without_prime_factors_is_recovered():
    key = keys.generate("rsa")
    jwk = {name: value for name, value in key.private_jwk().items() if name in "kty n e d"}
    assert keys.keypair_from_jwk(jwk) == key


@pytest.mark.parametrize(
    ("kind", "change", "message"),
    [
        ("ed25519", {"d": None}, "has no private member d"),
        ("ed25519", {"d": "AAAA"}, "Ed25519 JWK's d must be 32 bytes"),
        ("rsa", {"p": "Aw"}, "RSA private JWK is inconsistent"),
        ("p256", {"d": b64(b"\x00" * 32)}, "out of range"),
    ],
)
def test_keypair_from_jwk_refuses_bad_private_members(kind, change, message):
    jwk = keys.generate(kind).private_jwk()
    for name, value in change.items():
        if value is None:
            del jwk[name]
        else:
            jwk[name] = value
    with pytest.raises(KeyFormatError, match=message):
        keys.keypair_from_jwk(jwk)


def test_thumbprint_of_an_incomplete_jwk_is_refused():
    with pytest.raises(KeyFormatError, match="incomplete or unknown JWK"):
        keys.jwk_thumbprint({"kty": "EC", "crv": "P-256", "x": "AA"})


# -- key documents ----------------------------------------------------------------------------


def test_key_document_refuses_a_controller_that_is_not_an_identifier():
    with pytest.raises(KeyFormatError, match="controller must be a DID or an absolute URL"):
        keys.key_document(keys.generate(), controller="youth centre")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"type": "ed25519"}, "no secretKeyMultibase or privateKeyJwk"),
        ({"verificationMethod": "key-1"}, "verificationMethod must be a DID URL"),
    ],
)
def test_load_key_document_refuses_incomplete_documents(document, message):
    if "verificationMethod" in document:
        document = {**keys.key_document(keys.generate()), **document}
    with pytest.raises(KeyFormatError, match=message):
        keys.load_key_document(document)


# -- DIDs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("did", "message"),
    [
        ("did:key:z6Mk", "is not a did:jwk"),
        ("did:jwk:" + b64(b"\xff\xfe not json"), "not a JSON Web Key"),
        ("did:jwk:" + b64(b"[1, 2]"), "not a JSON Web Key"),
    ],
)
def test_did_jwk_document_refuses_non_jwks(did, message):
    with pytest.raises(KeyFormatError, match=message):
        keys.did_jwk_document(did)


def test_did_web_document_refuses_did_urls_and_unnamed_keys():
    public = keys.generate().public_key
    with pytest.raises(KeyFormatError, match="published for a DID, not a DID URL"):
        keys.did_web_document("did:web:example.com#key-1", [("key-1", public, None)])
    with pytest.raises(KeyFormatError, match="needs a fragment"):
        keys.did_web_document("did:web:example.com", [("", public, None)])


DID = "did:web:example.com"
DID_URL = "https://example.com/.well-known/did.json"


def resolve(methods, fragment="#k", **extra):
    document = {"id": DID, "verificationMethod": methods, "assertionMethod": [DID + "#k"]}
    document.update(extra)
    return keys.resolve_verification_method(
        DID + fragment, fetch_json=dict_fetcher({DID_URL: document})
    )


@pytest.mark.parametrize(
    ("method", "message"),
    [
        ({"id": DID + "#k", "type": "Multikey"}, "needs an id and a controller"),
        ({"id": DID + "#k", "controller": DID}, "has no type"),
        (
            {
                "id": DID + "#k",
                "type": "Ed25519VerificationKey2020",
                "controller": DID,
                "publicKeyMultibase": keys.generate("p256").public_multibase(),
            },
            "is not an Ed25519 key",
        ),
        (
            {
                "id": DID + "#k",
                "type": "Ed25519VerificationKey2018",
                "controller": DID,
                "publicKeyBase58": base58.b58encode(b"\x01" * 31).decode(),
            },
            "not a 32-byte Ed25519 key",
        ),
        (
            {
                "id": DID + "#k",
                "type": "Multikey",
                "controller": DID,
                "publicKeyMultibase": keys.generate().public_multibase(),
                "revoked": True,
            },
            "malformed revoked time",
        ),
    ],
)
def test_malformed_verification_methods_are_refused(method, message):
    with pytest.raises(KeyFormatError, match=message):
        resolve([method])


def test_bare_did_with_several_assertion_keys_is_ambiguous():
    with pytest.raises(KeyFormatError, match="names no single key for assertionMethod"):
        resolve([], assertionMethod=[DID + "#a", DID + "#b"], fragment="")


def test_did_web_document_that_is_not_an_object():
    fetch = dict_fetcher({DID_URL: ["not", "a", "document"]})
    with pytest.raises(KeyFormatError, match="is not a JSON object"):
        keys.resolve_verification_method(DID + "#k", fetch_json=fetch)


def test_unknown_proof_purpose_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown proof purpose"):
        keys.resolve_verification_method(DID + "#k", purpose="signing")


def test_https_key_url_answering_something_other_than_an_object():
    fetch = dict_fetcher({"https://example.com/keys/1": "a string"})
    with pytest.raises(KeyFormatError, match="is not a JSON object"):
        keys.resolve_verification_method("https://example.com/keys/1", fetch_json=fetch)


def _standalone(controller: str, key: keys.KeyPair) -> dict:
    return {
        "id": "https://example.com/keys/1",
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": key.public_multibase(),
    }


def test_standalone_method_controlled_by_a_did():
    key = keys.generate()
    vm_url = "https://example.com/keys/1"
    fetch = dict_fetcher(
        {
            vm_url: _standalone(DID, key),
            DID_URL: {"id": DID, "assertionMethod": [vm_url]},
        }
    )
    method = keys.resolve_verification_method(vm_url, fetch_json=fetch)
    assert method.controller == DID
    assert fetch.asked == [vm_url, DID_URL]


def test_standalone_method_whose_controller_document_describes_someone_else():
    key = keys.generate()
    vm_url = "https://example.com/keys/1"
    controller = "https://example.com/issuers/1"
    fetch = dict_fetcher(
        {
            vm_url: _standalone(controller, key),
            controller: {"id": "https://example.com/issuers/2", "assertionMethod": [vm_url]},
        }
    )
    with pytest.raises(ProofError, match=r"does not describe https://example\.com/issuers/1"):
        keys.resolve_verification_method(vm_url, fetch_json=fetch)


def test_resolve_controller_document_for_each_did_method():
    key = keys.generate()
    assert keys.resolve_controller_document(key.did_key() + "#x", None)["id"] == key.did_key()
    did_jwk = key.did_jwk()
    assert keys.resolve_controller_document(did_jwk, None)["id"] == did_jwk
    fetch = dict_fetcher({DID_URL: {"id": DID}})
    assert keys.resolve_controller_document(DID, fetch) == {"id": DID}
    with pytest.raises(KeyFormatError, match="needs the network"):
        keys.resolve_controller_document(DID, None)
    with pytest.raises(KeyFormatError, match="unsupported method"):
        keys.resolve_controller_document("did:ion:abc", None)


def test_did_jwk_json_helper_matches_the_key():
    key = keys.generate("rsa")
    encoded = key.did_jwk()[len("did:jwk:") :]
    decoded = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert decoded == key.public_jwk()


def test_key_kind_of_something_that_is_not_a_key():
    with pytest.raises(KeyFormatError, match="unsupported key type str"):
        keys.key_kind("-----BEGIN PUBLIC KEY-----")


def test_p256_jwk_coordinates_must_be_32_bytes():
    jwk = {"kty": "EC", "crv": "P-256", "x": b64(b"\x01" * 31), "y": b64(b"\x01" * 32)}
    with pytest.raises(KeyFormatError, match="x and y must be 32 bytes each"):
        keys.public_key_from_jwk(jwk)


def test_load_key_document_needs_an_object():
    with pytest.raises(KeyFormatError, match="must be a JSON object"):
        keys.load_key_document(["secretKeyMultibase"])


@pytest.mark.parametrize("vm_id", ["key-1", None])
def test_resolve_needs_an_absolute_identifier(vm_id):
    with pytest.raises(KeyFormatError, match="is not a DID URL or an absolute URL"):
        keys.resolve_verification_method(vm_id)


def test_standalone_method_with_a_malformed_controller():
    document = {**_standalone(DID, keys.generate()), "controller": 5}
    fetch = dict_fetcher({"https://example.com/keys/1": document})
    with pytest.raises(KeyFormatError, match="needs an id and a controller"):
        keys.resolve_verification_method("https://example.com/keys/1", fetch_json=fetch)
