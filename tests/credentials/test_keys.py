from datetime import UTC, datetime

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from baeji.credentials import keys
from baeji.credentials.errors import KeyFormatError, ProofError

# W3C vc-di-eddsa TestVectors/keyPair.json
W3C_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_SECRET = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"

# 1EdTech Open Badges 3.0 implementation guide, linked-data-proof-ob.html (64-byte secret form)
OB_PUBLIC = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
OB_SECRET = (
    "zrv2bqTbNwCTsRrHFcJCPjVAduh4Ezcnoq1A3ZxH1GWTNkxipLVuaAoMFmze2gFN9oNXfJjufxSHWVZzsJiUsMHFMcx"
)
OB_PUBLIC_HEX = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
OB_SEED_HEX = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"


def dict_fetcher(documents):
    """A fetch_json backed by a dict; records the URLs asked for."""
    asked = []

    def fetch_json(url):
        asked.append(url)
        if url not in documents:
            raise KeyError(url)
        return documents[url]

    fetch_json.asked = asked
    return fetch_json


# ------------------------------------------------------------------ published vectors


def test_w3c_vector_public_multikey_decodes_to_an_ed25519_key():
    public = keys.decode_multikey(W3C_PUBLIC)
    assert isinstance(public, ed25519.Ed25519PublicKey)
    assert keys.encode_multikey(public) == W3C_PUBLIC
    assert W3C_PUBLIC.startswith("z6Mk")


def test_w3c_vector_secret_key_derives_the_published_public_key_and_did_key():
    key, controller, vm = keys.load_key_document(
        {"publicKeyMultibase": W3C_PUBLIC, "privateKeyMultibase": W3C_SECRET}
    )
    assert key.kind == "ed25519"
    assert key.public_multibase() == W3C_PUBLIC
    assert key.secret_multibase() == W3C_SECRET
    assert key.did_key() == "did:key:" + W3C_PUBLIC
    assert controller == "did:key:" + W3C_PUBLIC
    assert vm == f"did:key:{W3C_PUBLIC}#{W3C_PUBLIC}"


def test_1edtech_vector_64_byte_secret_multikey_is_accepted():
    key, controller, vm = keys.load_key_document(
        {
            "verificationMethod": "https://example.edu/issuers/565049#" + OB_PUBLIC,
            "controller": "https://example.edu/issuers/565049",
            "publicKeyMultibase": OB_PUBLIC,
            "secretKeyMultibase": OB_SECRET,
        }
    )
    assert key.public_key.public_bytes_raw().hex() == OB_PUBLIC_HEX
    assert key.private_key.private_bytes_raw().hex() == OB_SEED_HEX
    assert controller == "https://example.edu/issuers/565049"
    assert vm == "https://example.edu/issuers/565049#" + OB_PUBLIC
    # Baeji writes the 32-byte form, which starts z3u2 like the W3C vector.
    assert key.secret_multibase().startswith("z3u2")


def test_64_byte_secret_multikey_with_a_foreign_public_half_is_refused():
    raw = bytearray(base58.b58decode(OB_SECRET[1:]))
    raw[-1] ^= 1
    forged = "z" + base58.b58encode(bytes(raw)).decode()
    with pytest.raises(KeyFormatError, match="public half"):
        keys.load_key_document({"secretKeyMultibase": forged})


# ------------------------------------------------------------------ generation and encodings


@pytest.mark.parametrize("kind", ["ed25519", "rsa", "p256"])
def test_generate_then_jwk_round_trips(kind):
    key = keys.generate(kind)
    assert key.kind == kind
    public = keys.public_key_from_jwk(key.public_jwk())
    assert keys.public_jwk(public) == key.public_jwk()
    assert "d" not in key.public_jwk()
    assert keys.keypair_from_jwk(key.private_jwk()) == key
    # The public helper ignores private members.
    assert keys.public_jwk(keys.public_key_from_jwk(key.private_jwk())) == key.public_jwk()


def test_rsa_keys_are_2048_bit_with_exponent_65537():
    key = keys.generate("rsa")
    assert key.private_key.key_size == 2048
    assert key.public_key.public_numbers().e == 65537
    assert key.public_jwk()["e"] == "AQAB"


def test_ed25519_multikey_and_jwk_forms():
    key = keys.generate("ed25519")
    value = key.public_multibase()
    assert value.startswith("z6Mk")
    raw = base58.b58decode(value[1:])
    assert raw[:2] == b"\xed\x01" and len(raw) == 34
    assert keys.encode_multikey(keys.decode_multikey(value)) == value
    assert key.public_jwk()["kty"] == "OKP" and key.public_jwk()["crv"] == "Ed25519"
    secret = base58.b58decode(key.secret_multibase()[1:])
    assert secret[:2] == b"\x80\x26" and len(secret) == 34


def test_p256_multikey_uses_the_compressed_point():
    key = keys.generate("p256")
    value = key.public_multibase()
    assert value.startswith("zDn")
    decoded = keys.decode_multikey(value)
    assert isinstance(decoded, ec.EllipticCurvePublicKey)
    assert keys.public_jwk(decoded) == key.public_jwk()
    assert keys.load_key_document(keys.key_document(key))[0] == key


def test_rsa_has_no_multikey_and_no_did_key():
    key = keys.generate("rsa")
    with pytest.raises(KeyFormatError):
        key.public_multibase()
    with pytest.raises(KeyFormatError):
        key.secret_multibase()
    with pytest.raises(KeyFormatError, match="Ed25519"):
        key.did_key()
    with pytest.raises(KeyFormatError):
        keys.generate("p256").did_key()


def test_unknown_kind_and_short_rsa_are_refused():
    with pytest.raises(KeyFormatError, match="unknown key type"):
        keys.generate("dsa")
    with pytest.raises(KeyFormatError, match="2048"):
        keys.KeyPair(rsa.generate_private_key(public_exponent=65537, key_size=1024))
    with pytest.raises(KeyFormatError, match="private key"):
        keys.KeyPair(keys.generate().public_key)


@pytest.mark.parametrize("kind", ["ed25519", "rsa", "p256"])
def test_sign_and_verify_signature(kind):
    key = keys.generate(kind)
    signature = key.sign(b"message")
    assert keys.verify_signature(key.public_key, signature, b"message")
    assert not keys.verify_signature(key.public_key, signature, b"messagE")
    assert not keys.verify_signature(keys.generate(kind).public_key, signature, b"message")
    if kind == "p256":
        assert len(signature) == 64


def test_repr_shows_no_secret():
    key = keys.generate()
    assert key.private_jwk()["d"] not in repr(key)
    assert key.secret_multibase() not in repr(key)


@pytest.mark.parametrize(
    "value,message",
    [
        ("6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "start with 'z'"),
        ("z0OIl", "base58"),
        (W3C_SECRET, "secret key"),
        ("z" + base58.b58encode(b"\xed\x01" + b"\x01" * 31).decode(), "32 bytes"),
        ("z" + base58.b58encode(b"\x12\x00" + b"\x01" * 32).decode(), "unsupported"),
        ("", "non-empty"),
    ],
)
def test_decode_multikey_refuses_bad_values(value, message):
    with pytest.raises(KeyFormatError, match=message):
        keys.decode_multikey(value)


@pytest.mark.parametrize(
    "jwk,message",
    [
        ({"kty": "OKP", "crv": "X25519", "x": "AAAA"}, "X25519"),
        ({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}, "32 bytes"),
        ({"kty": "oct", "k": "c2VjcmV0"}, "unsupported JWK"),
        ({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}, "P-384"),
        ({"kty": "EC", "crv": "P-256", "x": "A" * 43, "y": "A" * 43}, "not a point"),
        ({"kty": "RSA", "n": "not base64!", "e": "AQAB"}, "base64url"),
        ("not a dict", "JSON object"),
    ],
)
def test_public_key_from_jwk_refuses_bad_keys(jwk, message):
    with pytest.raises(KeyFormatError, match=message):
        keys.public_key_from_jwk(jwk)


def test_private_jwk_whose_d_belongs_to_another_key_is_refused():
    jwk = keys.generate().private_jwk()
    jwk["d"] = keys.generate().private_jwk()["d"]
    with pytest.raises(KeyFormatError, match="does not belong"):
        keys.keypair_from_jwk(jwk)


def test_jwk_thumbprint_matches_rfc7638_example():
    # RFC 7638 section 3.1.
    jwk = {
        "kty": "RSA",
        "n": (
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
            "BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
            "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4"
            "vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
        ),
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert keys.jwk_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


# ------------------------------------------------------------------ key documents


def test_ed25519_key_document_shape_and_round_trip():
    key = keys.generate()
    doc = keys.key_document(key)
    assert doc["type"] == "ed25519"
    assert doc["did"] == key.did_key()
    assert doc["controller"] == key.did_key()
    assert doc["verificationMethod"] == f"{key.did_key()}#{key.public_multibase()}"
    assert doc["publicKeyMultibase"] == key.public_multibase()
    assert doc["secretKeyMultibase"] == key.secret_multibase()
    assert "privateKeyJwk" not in doc
    assert keys.load_key_document(doc) == (key, doc["controller"], doc["verificationMethod"])


def test_rsa_key_document_uses_jwk_members():
    key = keys.generate("rsa")
    doc = keys.key_document(
        key, controller="did:web:example.com", verification_method="did:web:example.com#key-1"
    )
    assert doc["type"] == "rsa"
    assert doc["did"] == key.did_jwk()
    assert doc["publicKeyJwk"] == key.public_jwk()
    assert doc["privateKeyJwk"]["d"]
    assert "publicKeyMultibase" not in doc
    loaded, controller, vm = keys.load_key_document(doc)
    assert loaded == key
    assert (controller, vm) == ("did:web:example.com", "did:web:example.com#key-1")


def test_key_document_default_vm_under_a_custom_controller():
    key = keys.generate()
    doc = keys.key_document(key, controller="https://example.org/issuers/1")
    assert doc["verificationMethod"] == "https://example.org/issuers/1#" + key.public_multibase()
    rsa_key = keys.generate("rsa")
    rsa_doc = keys.key_document(rsa_key, controller="https://example.org/issuers/1")
    assert rsa_doc["verificationMethod"].endswith("#" + keys.jwk_thumbprint(rsa_key.public_jwk()))


@pytest.mark.parametrize(
    "change,message",
    [
        ({"publicKeyMultibase": OB_PUBLIC}, "publicKeyMultibase"),
        ({"secretKeyMultibase": None}, "no secretKeyMultibase"),
        ({"type": "rsa"}, "type"),
        ({"controller": "did:key:" + OB_PUBLIC}, "another key"),
        ({"did": "did:key:" + OB_PUBLIC}, "not the DID"),
        ({"verificationMethod": "did:key:" + OB_PUBLIC + "#" + OB_PUBLIC}, "does not belong"),
        ({"controller": "nocolon"}, "controller"),
    ],
)
def test_load_key_document_refuses_inconsistent_documents(change, message):
    doc = keys.key_document(keys.generate())
    doc.update(change)
    doc = {name: value for name, value in doc.items() if value is not None}
    with pytest.raises(KeyFormatError, match=message):
        keys.load_key_document(doc)


def test_load_key_document_refuses_mismatched_public_jwk():
    doc = keys.key_document(keys.generate("rsa"))
    doc["publicKeyJwk"] = keys.generate("rsa").public_jwk()
    with pytest.raises(KeyFormatError, match="publicKeyJwk"):
        keys.load_key_document(doc)


# ------------------------------------------------------------------ did:key / did:jwk


def test_did_key_document_shape():
    did = "did:key:" + W3C_PUBLIC
    doc = keys.did_key_document(did)
    vm_id = f"{did}#{W3C_PUBLIC}"
    assert doc["id"] == did
    assert doc["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert doc["verificationMethod"] == [
        {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": W3C_PUBLIC}
    ]
    assert doc["assertionMethod"] == [vm_id]
    assert doc["authentication"] == [vm_id]
    assert keys.did_key_document(vm_id) == doc


@pytest.mark.parametrize("did", ["did:web:example.com", "did:key:", "did:key:zzzz", "did:key:x"])
def test_did_key_document_refuses_non_keys(did):
    with pytest.raises(KeyFormatError):
        keys.did_key_document(did)


def test_did_jwk_document_and_private_jwk_refusal():
    key = keys.generate("rsa")
    doc = keys.did_jwk_document(key.did_jwk())
    assert doc["verificationMethod"][0]["id"] == key.did_jwk() + "#0"
    assert doc["verificationMethod"][0]["publicKeyJwk"] == key.public_jwk()
    import base64
    import json

    leaked = base64.urlsafe_b64encode(json.dumps(key.private_jwk()).encode()).rstrip(b"=")
    with pytest.raises(KeyFormatError, match="private key"):
        keys.did_jwk_document("did:jwk:" + leaked.decode())


# ------------------------------------------------------------------ did:web


@pytest.mark.parametrize(
    "did,url",
    [
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        (
            "did:web:w3c-ccg.github.io:user:alice",
            "https://w3c-ccg.github.io/user/alice/did.json",
        ),
        ("did:web:example.com:issuers:acme", "https://example.com/issuers/acme/did.json"),
        ("did:web:example.com%3A3000", "https://example.com:3000/.well-known/did.json"),
        (
            "did:web:example.com%3A8443:issuers:acme",
            "https://example.com:8443/issuers/acme/did.json",
        ),
        ("did:web:example.com:issuers:acme#key-1", "https://example.com/issuers/acme/did.json"),
    ],
)
def test_did_web_url(did, url):
    assert keys.did_web_url(did) == url


@pytest.mark.parametrize(
    "did",
    [
        "did:web:",
        "did:web:exa mple.com",
        "did:web:example.com::x",
        "did:web:example.com:..:x",
        "did:web:user@example.com",
        "did:web:example.com%2Fevil",
        "did:key:z6Mk",
        "https://example.com",
    ],
)
def test_did_web_url_refuses_malformed(did):
    with pytest.raises(KeyFormatError):
        keys.did_web_url(did)


def test_did_web_document_with_a_revoked_key():
    did = "did:web:example.com:issuers:acme"
    new, old, legacy = keys.generate(), keys.generate(), keys.generate("rsa")
    doc = keys.did_web_document(
        did,
        [
            ("key-3", new.public_key, None),
            ("#key-2", old.public_key, "2025-01-02T03:04:05Z"),
            (did + "#key-1", legacy.public_key, False),
        ],
    )
    assert doc["id"] == did
    assert doc["@context"][:2] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    methods = doc["verificationMethod"]
    assert [m["id"] for m in methods] == [f"{did}#key-3", f"{did}#key-2", f"{did}#key-1"]
    assert methods[0] == {
        "id": f"{did}#key-3",
        "controller": did,
        "type": "Multikey",
        "publicKeyMultibase": new.public_multibase(),
    }
    assert methods[1]["revoked"] == "2025-01-02T03:04:05Z"
    assert methods[2]["type"] == "JsonWebKey"
    assert methods[2]["publicKeyJwk"] == legacy.public_jwk()
    assert "revoked" not in methods[0] and "revoked" not in methods[2]
    assert doc["assertionMethod"] == [f"{did}#key-3", f"{did}#key-1"]


def test_did_web_document_revocation_time_forms():
    did = "did:web:example.com"
    key = keys.generate()
    when = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    doc = keys.did_web_document(did, [("k", key.public_key, when)])
    assert doc["verificationMethod"][0]["revoked"] == "2025-06-01T12:00:00Z"
    assert doc["assertionMethod"] == []
    stamped = keys.did_web_document(did, [("k", key.public_key, True)], now=when)
    assert stamped["verificationMethod"][0]["revoked"] == "2025-06-01T12:00:00Z"
    assert stamped["assertionMethod"] == []
    with pytest.raises(KeyFormatError, match="time zone"):
        keys.did_web_document(did, [("k", key.public_key, datetime(2025, 6, 1))])
    with pytest.raises(KeyFormatError, match="revoked"):
        keys.did_web_document(did, [("k", key.public_key, "last week")])
    with pytest.raises(KeyFormatError, match="not under"):
        keys.did_web_document(did, [("did:web:other.example#k", key.public_key, None)])
    with pytest.raises(KeyFormatError, match="twice"):
        keys.did_web_document(did, [("k", key.public_key, None), ("#k", key.public_key, None)])


# ------------------------------------------------------------------ resolving


def test_resolve_did_key_with_and_without_fragment():
    key = keys.generate()
    method = keys.resolve_verification_method(f"{key.did_key()}#{key.public_multibase()}")
    assert method.public_key.public_bytes_raw() == key.public_key.public_bytes_raw()
    assert method.controller == key.did_key()
    assert method.type == "Multikey"
    assert method.revoked is None
    # The 1EdTech did:key fixture names the DID itself.
    bare = keys.resolve_verification_method(key.did_key())
    assert bare.id == f"{key.did_key()}#{key.public_multibase()}"


def test_resolve_did_key_unknown_fragment():
    key = keys.generate()
    with pytest.raises(KeyFormatError, match="no verification method"):
        keys.resolve_verification_method(key.did_key() + "#other")


def test_resolve_did_jwk_offline():
    key = keys.generate("p256")
    method = keys.resolve_verification_method(key.did_jwk() + "#0")
    assert keys.public_jwk(method.public_key) == key.public_jwk()


def _web_setup():
    did = "did:web:example.com:issuers:acme"
    active, revoked = keys.generate(), keys.generate()
    doc = keys.did_web_document(
        did,
        [("key-2", active.public_key, None), ("key-1", revoked.public_key, "2024-01-01T00:00:00Z")],
    )
    return did, active, revoked, doc


def test_resolve_did_web_through_the_fetcher():
    did, active, _revoked, doc = _web_setup()
    fetch = dict_fetcher({"https://example.com/issuers/acme/did.json": doc})
    method = keys.resolve_verification_method(did + "#key-2", fetch_json=fetch)
    assert method.public_key.public_bytes_raw() == active.public_key.public_bytes_raw()
    assert fetch.asked == ["https://example.com/issuers/acme/did.json"]
    # A bare DID names the single key it authorises.
    assert keys.resolve_verification_method(did, fetch_json=fetch).id == did + "#key-2"


def test_resolve_did_web_revoked_key_is_not_authorised_but_reports_revocation():
    did, _, _revoked, doc = _web_setup()
    fetch = dict_fetcher({"https://example.com/issuers/acme/did.json": doc})
    with pytest.raises(ProofError, match="does not authorise"):
        keys.resolve_verification_method(did + "#key-1", fetch_json=fetch)
    # A document that still lists it shows its revocation time to the caller.
    doc["assertionMethod"].append(did + "#key-1")
    method = keys.resolve_verification_method(did + "#key-1", fetch_json=fetch)
    assert method.revoked == "2024-01-01T00:00:00Z"


def test_resolve_did_web_wrong_purpose():
    did, _, _, doc = _web_setup()
    fetch = dict_fetcher({"https://example.com/issuers/acme/did.json": doc})
    with pytest.raises(ProofError, match="authentication"):
        keys.resolve_verification_method(did + "#key-2", fetch_json=fetch, purpose="authentication")
    with pytest.raises(ValueError):
        keys.resolve_verification_method(did + "#key-2", fetch_json=fetch, purpose="signing")


def test_resolve_did_web_unknown_fragment():
    did, _, _, doc = _web_setup()
    fetch = dict_fetcher({"https://example.com/issuers/acme/did.json": doc})
    with pytest.raises(KeyFormatError, match="no verification method"):
        keys.resolve_verification_method(did + "#key-9", fetch_json=fetch)


def test_resolve_did_web_controller_mismatch():
    did, _, _, doc = _web_setup()
    doc["verificationMethod"][0]["controller"] = "did:web:attacker.example"
    fetch = dict_fetcher({"https://example.com/issuers/acme/did.json": doc})
    with pytest.raises(ProofError, match=r"controlled by did:web:attacker\.example"):
        keys.resolve_verification_method(did + "#key-2", fetch_json=fetch)


def test_resolve_did_web_document_for_another_did():
    did, _, _, doc = _web_setup()
    doc["id"] = "did:web:example.com"
    fetch = dict_fetcher({"https://example.com/issuers/acme/did.json": doc})
    with pytest.raises(KeyFormatError, match="describes"):
        keys.resolve_verification_method(did + "#key-2", fetch_json=fetch)


def test_resolve_network_dids_need_a_fetcher_and_unknown_methods_fail():
    with pytest.raises(KeyFormatError, match="no fetcher"):
        keys.resolve_verification_method("did:web:example.com#key-1")
    with pytest.raises(KeyFormatError, match="no fetcher"):
        keys.resolve_verification_method("https://example.com/issuers/1#key-1")
    with pytest.raises(KeyFormatError, match="did:example"):
        keys.resolve_verification_method("did:example:123#key-1", fetch_json=dict_fetcher({}))
    with pytest.raises(KeyFormatError, match="https"):
        keys.resolve_verification_method("http://example.com/k", fetch_json=dict_fetcher({}))


def test_resolve_embedded_and_relative_verification_methods():
    key = keys.generate()
    did = "did:web:example.com"
    doc = {
        "id": did,
        "assertionMethod": [
            {
                "id": "#key-1",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": key.public_multibase(),
            }
        ],
    }
    fetch = dict_fetcher({"https://example.com/.well-known/did.json": doc})
    method = keys.resolve_verification_method(did + "#key-1", fetch_json=fetch)
    assert method.id == did + "#key-1"


def test_resolve_https_controller_document():
    key = keys.generate()
    controller = "https://example.com/issuers/1"
    vm_id = controller + "#" + key.public_multibase()
    doc = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": controller,
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": controller,
                "publicKeyMultibase": key.public_multibase(),
            }
        ],
        "assertionMethod": [vm_id],
    }
    fetch = dict_fetcher({controller: doc})
    method = keys.resolve_verification_method(vm_id, fetch_json=fetch)
    assert method.controller == controller
    assert fetch.asked == [controller]


def test_resolve_https_standalone_verification_method_checks_its_controller():
    key = keys.generate("rsa")
    vm_url = "https://example.com/keys/1"
    controller = "https://example.com/issuers/1"
    vm_doc = {
        "id": vm_url,
        "type": "JsonWebKey",
        "controller": controller,
        "publicKeyJwk": key.public_jwk(),
    }
    fetch = dict_fetcher(
        {vm_url: vm_doc, controller: {"id": controller, "assertionMethod": [vm_url]}}
    )
    method = keys.resolve_verification_method(vm_url, fetch_json=fetch)
    assert keys.public_jwk(method.public_key) == key.public_jwk()
    unauthorised = dict_fetcher(
        {vm_url: vm_doc, controller: {"id": controller, "assertionMethod": []}}
    )
    with pytest.raises(ProofError, match="does not authorise"):
        keys.resolve_verification_method(vm_url, fetch_json=unauthorised)


def test_resolve_refuses_a_verification_method_exposing_a_private_key():
    key = keys.generate("p256")
    did = "did:web:example.com"
    doc = {
        "id": did,
        "verificationMethod": [
            {
                "id": did + "#k",
                "type": "JsonWebKey",
                "controller": did,
                "publicKeyJwk": key.private_jwk(),
            }
        ],
        "assertionMethod": [did + "#k"],
    }
    fetch = dict_fetcher({"https://example.com/.well-known/did.json": doc})
    with pytest.raises(KeyFormatError, match="private key"):
        keys.resolve_verification_method(did + "#k", fetch_json=fetch)


def test_resolve_legacy_ed25519_2018_and_2020_methods():
    key = keys.generate()
    did = "did:web:example.com"
    raw = key.public_key.public_bytes_raw()
    doc = {
        "id": did,
        "verificationMethod": [
            {
                "id": did + "#a",
                "type": "Ed25519VerificationKey2018",
                "controller": did,
                "publicKeyBase58": base58.b58encode(raw).decode(),
            },
            {
                "id": did + "#b",
                "type": "Ed25519VerificationKey2020",
                "controller": did,
                "publicKeyMultibase": key.public_multibase(),
            },
            {"id": did + "#c", "type": "SomethingElse", "controller": did},
        ],
        "assertionMethod": [did + "#a", did + "#b", did + "#c"],
    }
    fetch = dict_fetcher({"https://example.com/.well-known/did.json": doc})
    for fragment in ("#a", "#b"):
        method = keys.resolve_verification_method(did + fragment, fetch_json=fetch)
        assert method.public_key.public_bytes_raw() == raw
    with pytest.raises(KeyFormatError, match="unsupported type"):
        keys.resolve_verification_method(did + "#c", fetch_json=fetch)
