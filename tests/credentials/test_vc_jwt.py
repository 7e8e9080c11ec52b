import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from baeji.credentials import keys
from baeji.credentials.errors import ProofError, SigningError
from baeji.credentials.suites import vc_jwt

FIXTURES = Path(__file__).parent / "fixtures" / "jwt"

ISSUER_DID = "did:web:example.com:issuers:acme"
DID_URL = "https://example.com/issuers/acme/did.json"


def fixture(name):
    return (FIXTURES / name).read_text().strip()


def credential(**changes):
    value = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:0f2a2ffe-5d8c-4a51-9f6a-2b7c4a1d8e10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": ISSUER_DID, "type": ["Profile"], "name": "Acme Academy"},
        "validFrom": "2025-03-01T12:00:00Z",
        "name": "Teamwork",
        "credentialSubject": {
            "id": "did:example:learner-1",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.com/achievements/teamwork",
                "type": ["Achievement"],
                "name": "Teamwork",
                "description": "Works well in a team.",
                "criteria": {"narrative": "Peer nominated."},
            },
        },
    }
    value.update(changes)
    return {name: v for name, v in value.items() if v is not None}


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(obj):
    return b64u(json.dumps(obj, separators=(",", ":")).encode())


def hand_signed(header, payload, key):
    """A token signed with the right key but with header/payload chosen by the test."""
    signing_input = segment(header) + "." + segment(payload)
    return signing_input + "." + b64u(key.sign(signing_input.encode()))


def fixed_key(public_key):
    return lambda header, credential: public_key


def dict_fetcher(documents):
    def fetch_json(url):
        return documents[url]

    return fetch_json


@pytest.fixture(scope="module")
def rsa_key():
    return keys.generate("rsa")


@pytest.fixture(scope="module")
def did_web_fetch(rsa_key):
    doc = keys.did_web_document(ISSUER_DID, [("key-1", rsa_key.public_key, None)])
    return dict_fetcher({DID_URL: doc})


# ------------------------------------------------------------------ issuing


def test_rs256_with_kid_round_trip(rsa_key, did_web_fetch):
    token = vc_jwt.issue(credential(), rsa_key, kid=ISSUER_DID + "#key-1")
    header, payload, carried = vc_jwt.decode_unverified(token)
    assert header == {"alg": "RS256", "typ": "JWT", "kid": ISSUER_DID + "#key-1"}
    # OB 3.0: the payload is the credential itself plus the claims, no vc wrapper.
    assert "vc" not in payload
    assert payload["@context"] == credential()["@context"]
    assert payload["iss"] == ISSUER_DID
    assert payload["jti"] == credential()["id"]
    assert payload["nbf"] == int(datetime(2025, 3, 1, 12, tzinfo=UTC).timestamp())
    assert payload["sub"] == "did:example:learner-1"
    assert "exp" not in payload
    assert carried == credential()
    resolver = vc_jwt.key_resolver(did_web_fetch)
    assert vc_jwt.verify(token, resolve_key=resolver) == credential()


def test_rs256_with_embedded_jwk_round_trip(rsa_key):
    token = vc_jwt.issue(credential(), rsa_key, embed_jwk=True)
    header, _, _ = vc_jwt.decode_unverified(token)
    assert header["jwk"] == rsa_key.public_jwk()
    assert "d" not in header["jwk"] and "kid" not in header
    assert vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver()) == credential()


def test_es256_other_issuer_with_did_jwk_kid():
    other = keys.generate("p256")
    issuer = {"id": other.did_jwk(), "type": ["Profile"], "name": "Other"}
    token = vc_jwt.issue(credential(issuer=issuer), other, kid=other.did_jwk() + "#0")
    assert vc_jwt.decode_unverified(token)[0]["alg"] == "ES256"
    assert vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver())["issuer"] == issuer


def test_eddsa_other_issuer_with_did_key_kid():
    other = keys.generate("ed25519")
    did = other.did_key()
    token = vc_jwt.issue(credential(issuer=did), other, kid=f"{did}#{other.public_multibase()}")
    assert vc_jwt.decode_unverified(token)[0]["alg"] == "EdDSA"
    assert vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver())["issuer"] == did


def test_pyjwt_accepts_our_tokens_and_we_accept_pyjwt_tokens(rsa_key):
    token = vc_jwt.issue(credential(), rsa_key, embed_jwk=True)
    decoded = pyjwt.decode(
        token,
        rsa_key.public_key,
        algorithms=["RS256"],
        options={"verify_nbf": False, "verify_exp": False},
    )
    assert decoded["jti"] == credential()["id"]

    eddsa = keys.generate()
    payload = dict(credential(issuer=eddsa.did_key()))
    payload.update(
        iss=eddsa.did_key(), jti=payload["id"], nbf=1740830400, sub="did:example:learner-1"
    )
    theirs = pyjwt.encode(
        payload, eddsa.private_key, algorithm="EdDSA", headers={"kid": eddsa.did_key()}
    )
    assert vc_jwt.verify(theirs, resolve_key=vc_jwt.key_resolver())["id"] == payload["id"]


def test_exp_and_sub_follow_the_credential(rsa_key):
    with_until = credential(validUntil="2030-01-01T00:00:00.500Z")
    with_until["credentialSubject"] = dict(with_until["credentialSubject"])
    del with_until["credentialSubject"]["id"]
    token = vc_jwt.issue(with_until, rsa_key, embed_jwk=True)
    _, payload, _ = vc_jwt.decode_unverified(token)
    assert payload["exp"] == 1893456000.5
    assert "sub" not in payload
    assert vc_jwt.verify(token, resolve_key=fixed_key(rsa_key.public_key)) == with_until


@pytest.mark.parametrize(
    "changes,kwargs,message",
    [
        ({}, {}, "kid"),
        ({"id": None}, {"embed_jwk": True}, "jti"),
        ({"issuer": None}, {"embed_jwk": True}, "iss"),
        ({"validFrom": None}, {"embed_jwk": True}, "nbf"),
        ({"validFrom": "yesterday"}, {"embed_jwk": True}, "ISO 8601"),
        ({"iss": "x"}, {"embed_jwk": True}, "claim name"),
        ({}, {"kid": "key-1"}, "URL"),
    ],
)
def test_issue_refuses(rsa_key, changes, kwargs, message):
    with pytest.raises(SigningError, match=message):
        vc_jwt.issue(credential(**changes), rsa_key, **kwargs)


# ------------------------------------------------------------------ tampering


def test_changed_payload_fails_the_signature(rsa_key):
    token = vc_jwt.issue(credential(), rsa_key, embed_jwk=True)
    head, _, signature = token.split(".")
    _, payload, _ = vc_jwt.decode_unverified(token)
    payload["name"] = "Leadership"
    forged = f"{head}.{segment(payload)}.{signature}"
    with pytest.raises(ProofError, match="signature does not verify"):
        vc_jwt.verify(forged, resolve_key=vc_jwt.key_resolver())


def test_wrong_key_fails(rsa_key):
    token = vc_jwt.issue(credential(), rsa_key, kid=ISSUER_DID + "#key-1")
    with pytest.raises(ProofError, match="signature"):
        vc_jwt.verify(token, resolve_key=fixed_key(keys.generate("rsa").public_key))


def test_key_type_must_suit_the_algorithm(rsa_key):
    token = vc_jwt.issue(credential(), rsa_key, embed_jwk=True)
    with pytest.raises(ProofError, match="RS256 but the key found is a ed25519"):
        vc_jwt.verify(token, resolve_key=fixed_key(keys.generate().public_key))


@pytest.mark.parametrize(
    "claim,value,message",
    [
        ("iss", "https://evil.example/issuer", "iss claim"),
        ("jti", "urn:uuid:other", "jti claim"),
        ("nbf", 1740830400 + 3600, "nbf claim"),
        ("sub", "did:example:someone-else", "sub claim"),
        ("exp", 1893456000 + 86400, "exp claim"),
    ],
)
def test_claim_mismatch_is_named(rsa_key, claim, value, message):
    payload = dict(credential(validUntil="2030-01-01T00:00:00Z"))
    payload.update(
        iss=ISSUER_DID,
        jti=payload["id"],
        nbf=1740830400,
        sub="did:example:learner-1",
        exp=1893456000,
    )
    token = hand_signed({"alg": "RS256", "jwk": rsa_key.public_jwk()}, payload, rsa_key)
    assert vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver())["id"] == payload["id"]
    payload[claim] = value
    token = hand_signed(
        {"alg": "RS256", "typ": "JWT", "jwk": rsa_key.public_jwk()}, payload, rsa_key
    )
    with pytest.raises(ProofError, match=message):
        vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver())


@pytest.mark.parametrize("missing", ["iss", "jti", "nbf"])
def test_required_claims(rsa_key, missing):
    payload = dict(credential())
    payload.update(iss=ISSUER_DID, jti=payload["id"], nbf=1740830400)
    del payload[missing]
    token = hand_signed({"alg": "RS256", "jwk": rsa_key.public_jwk()}, payload, rsa_key)
    with pytest.raises(ProofError, match=f"no {missing} claim"):
        vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver())


def test_missing_sub_is_accepted_unless_required(rsa_key):
    payload = dict(credential())
    payload.update(iss=ISSUER_DID, jti=payload["id"], nbf=1740830400)
    token = hand_signed({"alg": "RS256", "jwk": rsa_key.public_jwk()}, payload, rsa_key)
    assert vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver())["id"] == payload["id"]
    with pytest.raises(ProofError, match="no sub claim"):
        vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver(), require_sub=True)


def test_validuntil_without_exp_fails_and_exp_without_validuntil_sets_it(rsa_key):
    base = dict(credential())
    base.update(iss=ISSUER_DID, jti=base["id"], nbf=1740830400)
    header = {"alg": "RS256", "jwk": rsa_key.public_jwk()}
    token = hand_signed(header, {**base, "validUntil": "2030-01-01T00:00:00Z"}, rsa_key)
    with pytest.raises(ProofError, match="no exp claim"):
        vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver())
    token = hand_signed(header, {**base, "exp": 1893456000}, rsa_key)
    result = vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver())
    assert result["validUntil"] == "2030-01-01T00:00:00Z"


def test_legacy_vc_claim_form(rsa_key):
    inner = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "id": "http://example.edu/credentials/1",
        "type": ["VerifiableCredential"],
        "issuer": "https://example.edu/issuers/1",
        "issuanceDate": "2010-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:abc"},
    }
    payload = {
        "vc": inner,
        "iss": "https://example.edu/issuers/1",
        "jti": "http://example.edu/credentials/1",
        "nbf": 1262304000,
        "sub": "did:example:abc",
        "exp": 1893456000,
    }
    token = hand_signed(
        {"alg": "RS256", "typ": "JWT", "jwk": rsa_key.public_jwk()}, payload, rsa_key
    )
    assert vc_jwt.decode_unverified(token)[2] == inner
    result = vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver())
    assert result["expirationDate"] == "2030-01-01T00:00:00Z"
    assert "validUntil" not in result


def test_alg_none_and_hmac_are_refused(rsa_key):
    payload = dict(credential(), iss=ISSUER_DID, jti=credential()["id"], nbf=1740830400)
    unsigned = segment({"alg": "none", "jwk": rsa_key.public_jwk()}) + "." + segment(payload) + "."
    with pytest.raises(ProofError, match=r"no signature|alg none"):
        vc_jwt.verify(unsigned, resolve_key=vc_jwt.key_resolver())
    unsigned_with_junk = unsigned + "AAAA"
    with pytest.raises(ProofError, match="alg none"):
        vc_jwt.verify(unsigned_with_junk, resolve_key=vc_jwt.key_resolver())
    # The classic confusion: an HMAC token keyed with the issuer's public key.
    hmac_token = pyjwt.encode(payload, "a shared secret of at least 32 bytes!!", algorithm="HS256")
    with pytest.raises(ProofError, match="shared-secret"):
        vc_jwt.verify(hmac_token, resolve_key=fixed_key(rsa_key.public_key))
    ps256 = hand_signed({"alg": "PS256", "jwk": rsa_key.public_jwk()}, payload, rsa_key)
    with pytest.raises(ProofError, match="not supported"):
        vc_jwt.verify(ps256, resolve_key=vc_jwt.key_resolver())


@pytest.mark.parametrize(
    "extra,message",
    [
        ({"crit": ["exp"]}, "crit"),
        ({"x5u": "https://example.com/cert"}, "x5u"),
        ({"typ": "vc+ld+json"}, "typ"),
        ({"kid": 5}, "kid"),
    ],
)
def test_header_rules(rsa_key, extra, message):
    payload = dict(credential(), iss=ISSUER_DID, jti=credential()["id"], nbf=1740830400)
    header = {"alg": "RS256", "jwk": rsa_key.public_jwk(), **extra}
    with pytest.raises(ProofError, match=message):
        vc_jwt.verify(hand_signed(header, payload, rsa_key), resolve_key=vc_jwt.key_resolver())


def test_header_with_private_jwk_or_no_key_is_refused(rsa_key):
    payload = dict(credential(), iss=ISSUER_DID, jti=credential()["id"], nbf=1740830400)
    leaked = hand_signed({"alg": "RS256", "jwk": rsa_key.private_jwk()}, payload, rsa_key)
    with pytest.raises(ProofError, match="private key"):
        vc_jwt.verify(leaked, resolve_key=vc_jwt.key_resolver())
    anonymous = hand_signed({"alg": "RS256", "typ": "JWT"}, payload, rsa_key)
    with pytest.raises(ProofError, match="names no key"):
        vc_jwt.verify(anonymous, resolve_key=fixed_key(rsa_key.public_key))


def test_short_rsa_keys_are_refused():
    short = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    payload = dict(credential(), iss=ISSUER_DID, jti=credential()["id"], nbf=1740830400)
    signing_input = segment({"alg": "RS256", "kid": ISSUER_DID + "#k"}) + "." + segment(payload)
    signature = short.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    token = signing_input + "." + b64u(signature)
    with pytest.raises(ProofError, match="2048"):
        vc_jwt.verify(token, resolve_key=fixed_key(short.public_key()))


@pytest.mark.parametrize(
    "token,message",
    [
        ("abc.def", "three"),
        ("a.b.c.d", "three"),
        ("!!.e30.AAAA", "base64url"),
        (b64u(b"[1]") + ".e30.AAAA", "JSON object"),
        (b64u(b"{not json") + ".e30.AAAA", "not JSON"),
        (b64u(b'{"alg":"RS256","alg":"none"}') + ".e30.AAAA", "repeats"),
        (12, "string"),
    ],
)
def test_decode_unverified_refuses_non_jws(token, message):
    with pytest.raises(ProofError, match=message):
        vc_jwt.decode_unverified(token)


# ------------------------------------------------------------------ key resolution


def test_resolver_refuses_a_did_key_of_another_did(rsa_key):
    attacker = keys.generate()
    token = vc_jwt.issue(credential(), attacker, kid=attacker.did_key())
    with pytest.raises(ProofError, match="does not belong to the issuer"):
        vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver())


def test_resolver_kid_and_jwk_must_agree(rsa_key, did_web_fetch):
    token = vc_jwt.issue(credential(), rsa_key, kid=ISSUER_DID + "#key-1", embed_jwk=True)
    assert vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver(did_web_fetch))
    other = keys.generate("rsa")
    payload = vc_jwt.decode_unverified(token)[1]
    header = {"alg": "RS256", "kid": ISSUER_DID + "#key-1", "jwk": other.public_jwk()}
    forged = hand_signed(header, payload, rsa_key)
    with pytest.raises(ProofError, match="not the key its kid names"):
        vc_jwt.verify(forged, resolve_key=vc_jwt.key_resolver(did_web_fetch))


def test_resolver_refuses_revoked_keys(rsa_key):
    revoked_at = "2025-06-01T00:00:00Z"
    doc = keys.did_web_document(ISSUER_DID, [("key-1", rsa_key.public_key, revoked_at)])
    doc["assertionMethod"].append(ISSUER_DID + "#key-1")
    fetch = dict_fetcher({DID_URL: doc})
    token = vc_jwt.issue(credential(), rsa_key, kid=ISSUER_DID + "#key-1")
    before = vc_jwt.key_resolver(fetch, now=lambda: datetime(2025, 5, 1, tzinfo=UTC))
    assert vc_jwt.verify(token, resolve_key=before)
    after = vc_jwt.key_resolver(fetch, now=lambda: datetime(2025, 7, 1, tzinfo=UTC))
    with pytest.raises(ProofError, match="revoked"):
        vc_jwt.verify(token, resolve_key=after)


def test_resolver_unlisted_key_and_missing_fetcher(rsa_key):
    doc = keys.did_web_document(ISSUER_DID, [("key-1", keys.generate("rsa").public_key, None)])
    token = vc_jwt.issue(credential(), rsa_key, kid=ISSUER_DID + "#key-2")
    with pytest.raises(ProofError, match="no verification method"):
        vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver(dict_fetcher({DID_URL: doc})))
    with pytest.raises(ProofError, match="no fetcher"):
        vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver())


def test_resolver_https_kid_with_bare_jwk_and_key_set(rsa_key):
    issuer = "https://example.edu/issuers/565049"
    kid = "https://example.edu/keys#key-1"
    cred = credential(issuer={"id": issuer, "type": ["Profile"]})
    token = vc_jwt.issue(cred, rsa_key, kid=kid)
    bare = dict_fetcher({"https://example.edu/keys": rsa_key.public_jwk()})
    assert vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver(bare))["issuer"]["id"] == issuer
    other = keys.generate("rsa").public_jwk()
    key_set = {"keys": [dict(other, kid="key-0"), dict(rsa_key.public_jwk(), kid="key-1")]}
    fetch = dict_fetcher({"https://example.edu/keys": key_set})
    assert vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver(fetch))
    leaked = dict_fetcher({"https://example.edu/keys": rsa_key.private_jwk()})
    with pytest.raises(ProofError, match="private key"):
        vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver(leaked))


def test_resolver_can_refuse_embedded_keys(rsa_key):
    token = vc_jwt.issue(credential(), rsa_key, embed_jwk=True)
    with pytest.raises(ProofError, match="not allowed"):
        vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver(allow_embedded_jwk=False))


# ------------------------------------------------------------------ 1EdTech validator fixtures


def test_clr20_fixture_verifies_with_its_embedded_key():
    token = fixture("clr20-simple.jwt")
    header = vc_jwt.decode_unverified(token)[0]
    assert header["alg"] == "RS256" and "jwk" in header and "d" not in header["jwk"]
    result = vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver())
    assert result["id"] == "http://example.edu/credentials/3732"
    assert "ClrCredential" in result["type"]
    # The CLR carries its achievements as VC-JWTs too; each one verifies on its own.
    nested = result["credentialSubject"]["verifiableCredential"]
    assert nested
    for inner in nested:
        assert vc_jwt.verify(inner, resolve_key=vc_jwt.key_resolver())["type"]


def test_clr20_fixture_tampered_fails():
    token = fixture("clr20-simple.jwt")
    head, body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["vc"]["name"] = "Forged Transcript"
    with pytest.raises(ProofError, match="signature"):
        vc_jwt.verify(f"{head}.{segment(payload)}.{signature}", resolve_key=vc_jwt.key_resolver())


def test_ob30_baked_svg_tokens_verify_in_both_payload_forms():
    v2 = vc_jwt.verify(fixture("ob30-simple-jwt-svg.jwt"), resolve_key=vc_jwt.key_resolver())
    assert v2["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert v2["validFrom"] == "2010-01-01T00:00:00Z"
    # The registered claims (iat, aud, iss, nbf, jti) are not part of the credential.
    assert not set(vc_jwt.REGISTERED_CLAIMS) & set(v2)
    v1 = vc_jwt.verify(fixture("ob30-simple-jwt_v1-svg.jwt"), resolve_key=vc_jwt.key_resolver())
    assert v1["@context"][0] == "https://www.w3.org/2018/credentials/v1"
    assert v1["issuanceDate"] == "2010-01-01T00:00:00Z"


def test_ob30_simple_fixture_names_no_key():
    token = fixture("ob30-simple.jwt")
    header, payload, carried = vc_jwt.decode_unverified(token)
    assert header == {"alg": "RS256", "typ": "JWT"}
    assert payload["iss"] == carried["issuer"]["id"]
    assert payload["jti"] == carried["id"]
    with pytest.raises(ProofError, match="names no key"):
        vc_jwt.verify(token, resolve_key=fixed_key(keys.generate("rsa").public_key))


def test_velocity_fixture_names_a_key_outside_the_issuer_did():
    token = fixture("ob30-velocity.jwt")
    header, _, carried = vc_jwt.decode_unverified(token)
    assert header["kid"].startswith("did:velocity:")
    assert carried["issuer"]["id"].startswith("did:web:")
    with pytest.raises(ProofError, match="does not belong to the issuer"):
        vc_jwt.verify(token, resolve_key=vc_jwt.key_resolver())
