"""VC-JWT edge cases: issuing refusals, claim forms and the key resolver's refusals."""

from __future__ import annotations

import pytest

from baeji.credentials import keys
from baeji.credentials.errors import ProofError, SigningError
from baeji.credentials.suites import vc_jwt

from .test_vc_jwt import (
    DID_URL,
    ISSUER_DID,
    credential,
    dict_fetcher,
    fixed_key,
    hand_signed,
)


@pytest.fixture(scope="module")
def key():
    return keys.generate("p256")


def claims(**extra):
    return {
        **credential(),
        "iss": ISSUER_DID,
        "jti": credential()["id"],
        "nbf": 1740830400,
        **extra,
    }


def signed(key, payload, **header):
    return hand_signed({"alg": "ES256", "jwk": key.public_jwk(), **header}, payload, key)


# -- issuing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "kwargs", "message"),
    [
        ({"validFrom": "yesterday"}, {"embed_jwk": True}, "'yesterday' is not an ISO 8601"),
        ({}, {"kid": "key-1"}, "kid must be a URL or DID URL"),
        (
            {"credentialSubject": [{"id": "did:example:a"}, {"id": "did:example:b"}]},
            {"embed_jwk": True},
            "several subjects with ids",
        ),
    ],
)
def test_issue_refuses(key, changes, kwargs, message):
    with pytest.raises(SigningError, match=message):
        vc_jwt.issue(credential(**changes), key, **kwargs)


def test_vc_1_1_credential_maps_expiration_date_to_exp(key):
    legacy = credential(
        validFrom=None,
        issuanceDate="2025-03-01T12:00:00Z",
        expirationDate="2026-03-01T12:00:00Z",
    )
    token = vc_jwt.issue(legacy, key, embed_jwk=True)
    payload = vc_jwt.decode_unverified(token)[1]
    assert payload["exp"] == 1772366400
    assert vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver())["expirationDate"] == (
        "2026-03-01T12:00:00Z"
    )


# -- decoding ---------------------------------------------------------------------------------


def test_decode_accepts_ascii_bytes_and_refuses_other_bytes(key):
    token = vc_jwt.issue(credential(), key, embed_jwk=True)
    assert vc_jwt.decode_unverified(token.encode("ascii"))[2]["id"] == credential()["id"]
    with pytest.raises(ProofError, match="non-ASCII bytes"):
        vc_jwt.decode_unverified("토큰.토큰.토큰".encode())


# -- header and claims ------------------------------------------------------------------------


def test_header_without_alg(key):
    token = hand_signed({"jwk": key.public_jwk()}, claims(), key)
    with pytest.raises(ProofError, match="header has no alg"):
        vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver())


def test_jwk_header_that_is_not_an_object(key):
    with pytest.raises(ProofError, match="jwk header is not a JSON object"):
        vc_jwt.verify(signed(key, claims(), jwk="AAAA"), resolve_key=vc_jwt.key_resolver())


def test_nbf_written_as_text_does_not_match(key):
    token = signed(key, claims(nbf="2025-03-01T12:00:00Z"))
    with pytest.raises(ProofError, match="nbf claim '2025-03-01T12:00:00Z' does not match"):
        vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver())


def test_credential_without_id_or_valid_from_needs_no_jti_or_nbf(key):
    bare = {k: v for k, v in credential().items() if k not in ("id", "validFrom")}
    token = signed(key, dict(bare, iss=ISSUER_DID))
    assert vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver()) == bare


@pytest.mark.parametrize(
    ("exp", "message"),
    [
        ("2030-01-01", "is not a NumericDate"),
        (True, "is not a NumericDate"),
        (1e20, "out of range"),
    ],
)
def test_exp_claim_must_be_a_usable_numeric_date(key, exp, message):
    with pytest.raises(ProofError, match=message):
        vc_jwt.verify(signed(key, claims(exp=exp)), resolve_key=vc_jwt.key_resolver())


def test_resolved_object_that_is_not_a_key(key):
    token = vc_jwt.issue(credential(), key, embed_jwk=True)
    with pytest.raises(ProofError, match="the key found for this token cannot be used"):
        vc_jwt.verify(token, resolve_key=fixed_key("-----BEGIN PUBLIC KEY-----"))


# -- key resolver -----------------------------------------------------------------------------


def test_resolver_needs_a_kid_or_jwk():
    resolve = vc_jwt.key_resolver()
    with pytest.raises(ProofError, match="names no key"):
        resolve({"alg": "ES256"}, credential())


@pytest.mark.parametrize("with_kid", [False, True])
def test_resolver_refuses_an_unusable_embedded_key(key, with_kid):
    header = {"alg": "ES256", "jwk": {"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"}}
    if with_kid:
        header["kid"] = key.did_jwk() + "#0"
    resolve = vc_jwt.key_resolver()
    with pytest.raises(ProofError, match="embedded key is unusable"):
        resolve(header, credential(issuer=key.did_jwk()))


HTTPS_KID = "https://example.edu/keys#key-1"


def _https_token(key):
    cred = credential(issuer={"id": "https://example.edu/issuers/1", "type": ["Profile"]})
    return vc_jwt.issue(cred, key, kid=HTTPS_KID)


def test_resolver_key_set_with_one_key_names_it_even_without_kid(key):
    fetch = dict_fetcher({"https://example.edu/keys": {"keys": [key.public_jwk()]}})
    assert vc_jwt.verify(_https_token(key), resolve_key=vc_jwt.key_resolver(fetch))


def test_resolver_key_set_without_the_named_key(key):
    other = keys.generate("p256").public_jwk()
    key_set = {"keys": [dict(other, kid="key-0"), dict(other, kid="key-2")]}
    fetch = dict_fetcher({"https://example.edu/keys": key_set})
    # A key problem is a ProofError like every other reason the token does not verify.
    with pytest.raises(ProofError, match="has no key with that kid"):
        vc_jwt.verify(_https_token(key), resolve_key=vc_jwt.key_resolver(fetch))


def test_resolver_https_kid_naming_a_controller_document(key):
    controller = "https://example.edu/keys"
    document = {
        "id": controller,
        "verificationMethod": [
            {
                "id": HTTPS_KID,
                "type": "Multikey",
                "controller": controller,
                "publicKeyMultibase": key.public_multibase(),
            }
        ],
        "assertionMethod": [HTTPS_KID],
    }
    fetch = dict_fetcher({controller: document})
    assert vc_jwt.verify(_https_token(key), resolve_key=vc_jwt.key_resolver(fetch))
    document["assertionMethod"] = []
    with pytest.raises(ProofError, match="does not authorise"):
        vc_jwt.verify(_https_token(key), resolve_key=vc_jwt.key_resolver(fetch))


def test_resolver_https_kid_without_a_fetcher(key):
    with pytest.raises(ProofError, match="needs the network"):
        vc_jwt.verify(_https_token(key), resolve_key=vc_jwt.key_resolver())


def test_resolver_did_web_key_not_authorised_for_the_purpose(key):
    document = keys.did_web_document(ISSUER_DID, [("key-1", key.public_key, None)])
    document["authentication"] = document.pop("assertionMethod")
    token = vc_jwt.issue(credential(), key, kid=ISSUER_DID + "#key-1")
    fetch = dict_fetcher({DID_URL: document})
    with pytest.raises(ProofError, match="does not authorise"):
        vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver(fetch))


def test_resolver_published_jwk_that_is_not_a_key(key):
    fetch = dict_fetcher({"https://example.edu/keys": {"kty": "oct", "k": "c2VjcmV0"}})
    with pytest.raises(ProofError, match="cannot be used: unsupported JWK key type 'oct'"):
        vc_jwt.verify(_https_token(key), resolve_key=vc_jwt.key_resolver(fetch))
