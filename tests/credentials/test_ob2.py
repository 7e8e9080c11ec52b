"""Open Badges 2.0 verification against the 1EdTech validator fixtures, all seeded (no network).

The fixtures' documents live at example.org URLs; like the validator's own tests, every file
in ``fixtures/ob2/assets/`` is served at ``http://example.org/<file>`` and
``https://example.org/<file>``. The recipient of every fixture is nobody@example.org, salt
``deadsea``.
"""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from baeji.credentials.fetch import Fetcher
from baeji.credentials.identity import identity_hash
from baeji.credentials.ob2 import verify_ob2

FIXTURES = Path(__file__).parent / "fixtures" / "ob2"
RECIPIENT = "nobody@example.org"
ASSERTION_URL = "https://example.org/beths-robotics-badge.json"
CHECK_NAMES = ["format", "issuer", "proof", "validity", "status", "recipient"]


def _fixture(name: str) -> Any:
    text = (FIXTURES / name).read_text()
    return text.strip() if name.endswith(".jwt") else json.loads(text)


@pytest.fixture
def fetcher() -> Fetcher:
    seeded = Fetcher(offline=True)
    for path in (FIXTURES / "assets").glob("*.json"):
        for scheme in ("http", "https"):
            seeded.seed(f"{scheme}://example.org/{path.name}", path.read_bytes())
    return seeded


def _hosted(fetcher: Fetcher, name: str) -> dict[str, Any]:
    """Load a fixture assertion and host it at its own id."""
    assertion = _fixture(name)
    fetcher.seed(assertion["id"], assertion)
    return assertion


def _statuses(report) -> dict[str, str]:
    return {check.name: check.status for check in report.checks}


def _message(report, name: str) -> str:
    check = report.get(name)
    assert check is not None, f"no {name} check"
    return check.message


# -- JWS helpers for cases the fixtures do not cover ------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _sign(payload: dict[str, Any], key: rsa.RSAPrivateKey, alg: str = "RS256") -> str:
    header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = _b64(json.dumps(payload).encode())
    signature = key.sign(f"{header}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{body}.{_b64(signature)}"


def _pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _own_issuer(fetcher: Fetcher, key: rsa.RSAPrivateKey, **issuer_extra: Any) -> dict[str, Any]:
    """Host an issuer, badge and key at issuer.test; return an unsigned assertion for them."""
    context = "https://w3id.org/openbadges/v2"
    fetcher.seed(
        "https://issuer.test/issuer.json",
        {
            "@context": context,
            "type": "Issuer",
            "id": "https://issuer.test/issuer.json",
            "name": "Test Issuer",
            "url": "https://issuer.test",
            "email": "badges@issuer.test",
            "publicKey": "https://issuer.test/key.json",
            **issuer_extra,
        },
    )
    fetcher.seed(
        "https://issuer.test/badge.json",
        {
            "@context": context,
            "type": "BadgeClass",
            "id": "https://issuer.test/badge.json",
            "name": "Test Badge",
            "description": "For testing.",
            "image": "https://issuer.test/badge.png",
            "criteria": {"narrative": "Be a test."},
            "issuer": "https://issuer.test/issuer.json",
        },
    )
    fetcher.seed(
        "https://issuer.test/key.json",
        {
            "@context": context,
            "type": "CryptographicKey",
            "id": "https://issuer.test/key.json",
            "owner": "https://issuer.test/issuer.json",
            "publicKeyPem": _pem(key),
        },
    )
    return {
        "@context": context,
        "type": "Assertion",
        "id": "urn:uuid:0b7fdc0a-98a1-4b4c-9b1b-6f0c3f3c7a11",
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": "pepper",
            "identity": identity_hash("learner@example.net", "pepper"),
        },
        "badge": "https://issuer.test/badge.json",
        "issuedOn": "2024-05-01T12:00:00Z",
        "verification": {"type": "SignedBadge", "creator": "https://issuer.test/key.json"},
    }


# -- hosted ------------------------------------------------------------------------------------


def test_valid_hosted_assertion(fetcher: Fetcher) -> None:
    assertion = _hosted(fetcher, "basic-assertion.json")
    report = verify_ob2(assertion, fetcher=fetcher)
    assert report.valid
    assert report.format == "ob2"
    assert report.credential == assertion
    assert [c.name for c in report.checks] == CHECK_NAMES
    assert _statuses(report) == {
        "format": "pass",
        "issuer": "pass",
        "proof": "pass",
        "validity": "pass",
        "status": "pass",
        "recipient": "skip",
    }
    assert "An Example Badge Issuer" in _message(report, "issuer")


@pytest.mark.parametrize("form", ["url", "json-text", "url-with-fragment"])
def test_valid_hosted_assertion_other_forms(fetcher: Fetcher, form: str) -> None:
    assertion = _hosted(fetcher, "basic-assertion.json")
    source = {
        "url": ASSERTION_URL,
        "json-text": json.dumps(assertion),
        "url-with-fragment": ASSERTION_URL + "#x",
    }[form]
    report = verify_ob2(source, fetcher=fetcher, email=RECIPIENT)
    assert report.valid, report.to_dict()
    assert report.credential == assertion


def test_hosted_revoked_by_410(fetcher: Fetcher) -> None:
    assertion = _fixture("basic-assertion.json")
    fetcher.seed(assertion["id"], {"error": "gone"}, status=410)
    report = verify_ob2(assertion, fetcher=fetcher)
    assert not report.valid
    assert report.get("status").status == "fail"
    assert "410" in _message(report, "status")
    assert "Revoked" in _message(report, "status")


def test_hosted_url_answering_410(fetcher: Fetcher) -> None:
    fetcher.seed(ASSERTION_URL, b"", "text/plain", status=410)
    report = verify_ob2(ASSERTION_URL, fetcher=fetcher)
    assert not report.valid
    assert report.get("status").status == "fail"
    assert "410" in _message(report, "status")


def test_hosted_revoked_flag(fetcher: Fetcher) -> None:
    given = _fixture("basic-assertion.json")
    hosted = {**given, "revoked": True, "revocationReason": "Issued by mistake"}
    fetcher.seed(given["id"], hosted)
    report = verify_ob2(given, fetcher=fetcher)
    assert not report.valid
    assert report.get("proof").status == "pass"
    assert report.get("status").status == "fail"
    assert "Issued by mistake" in _message(report, "status")
    # The same when the revoked copy is what the learner brings.
    assert verify_ob2(hosted, fetcher=fetcher).get("status").status == "fail"


def test_hosted_copy_differs(fetcher: Fetcher) -> None:
    hosted = _hosted(fetcher, "basic-assertion.json")
    given = copy.deepcopy(hosted)
    given["recipient"]["identity"] = identity_hash("mallory@example.org", "deadsea")
    report = verify_ob2(given, fetcher=fetcher)
    assert report.get("proof").status == "fail"
    assert "differs" in _message(report, "proof")
    assert not report.valid


def test_hosted_assertion_not_hosted(fetcher: Fetcher) -> None:
    assertion = _fixture("basic-assertion.json")  # not seeded at its id
    report = verify_ob2(assertion, fetcher=fetcher)
    assert report.get("proof").status == "fail"
    assert ASSERTION_URL in _message(report, "proof")
    assert report.get("status").status == "skip"
    assert not report.valid


def test_hosted_404(fetcher: Fetcher) -> None:
    assertion = _fixture("basic-assertion.json")
    fetcher.seed(assertion["id"], {}, status=404)
    report = verify_ob2(assertion, fetcher=fetcher)
    assert report.get("proof").status == "fail"
    assert "404" in _message(report, "proof")


def test_expired(fetcher: Fetcher) -> None:
    assertion = _hosted(fetcher, "basic-assertion-expired.json")
    report = verify_ob2(assertion, fetcher=fetcher)
    assert report.get("validity").status == "fail"
    assert "Expired" in _message(report, "validity")
    assert not report.valid
    before = verify_ob2(assertion, fetcher=fetcher, at=datetime(2020, 1, 1, tzinfo=UTC))
    assert before.get("validity").status == "pass"
    assert before.valid


def test_issued_in_the_future(fetcher: Fetcher) -> None:
    assertion = _hosted(fetcher, "basic-assertion-in-future.json")
    report = verify_ob2(assertion, fetcher=fetcher, at=datetime(2026, 1, 1, tzinfo=UTC))
    assert report.get("validity").status == "fail"
    assert "future" in _message(report, "validity")
    later = verify_ob2(assertion, fetcher=fetcher, at=datetime(2101, 1, 1, tzinfo=UTC))
    assert later.get("validity").status == "pass"


def test_expires_before_issued(fetcher: Fetcher) -> None:
    assertion = _hosted(fetcher, "basic-assertion-expired-before-issued.json")
    report = verify_ob2(assertion, fetcher=fetcher, at=datetime(2022, 1, 1, tzinfo=UTC))
    assert report.get("validity").status == "fail"
    assert "before it was issued" in _message(report, "validity")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("basic-assertion-invalid-context.json", "@context"),
        ("basic-assertion-invalid-type.json", "type is not Assertion"),
    ],
)
def test_not_an_ob2_assertion(fetcher: Fetcher, name: str, expected: str) -> None:
    assertion = _hosted(fetcher, name)
    report = verify_ob2(assertion, fetcher=fetcher)
    assert report.get("format").status == "fail"
    assert expected in _message(report, "format")
    assert {c.status for c in report.checks[1:]} == {"skip"}
    assert not report.valid


@pytest.mark.parametrize(
    "source",
    ["hello", "ftp://example.org/a.json", "{not json", "a.b"],
)
def test_unreadable_sources(fetcher: Fetcher, source: str) -> None:
    report = verify_ob2(source, fetcher=fetcher)
    assert report.get("format").status == "fail"
    assert not report.valid


def test_missing_required_fields(fetcher: Fetcher) -> None:
    assertion = _fixture("basic-assertion.json")
    del assertion["issuedOn"]
    del assertion["recipient"]
    report = verify_ob2(assertion, fetcher=fetcher)
    message = _message(report, "format")
    assert "issuedOn" in message
    assert "recipient" in message


@pytest.mark.parametrize(
    "name",
    [
        "basic-assertion-with-allowed-origins.json",
        "basic-assertion-with-allowed-origins-valid-starts-with.json",
        "basic-assertion-with-allowed-origins-valid-multiple-starts-with.json",
        "basic-assertion-with-language.json",
        "basic-assertion-no-public-key.json",
    ],
)
def test_hosted_verification_policy_allows(fetcher: Fetcher, name: str) -> None:
    assertion = _hosted(fetcher, name)
    report = verify_ob2(assertion, fetcher=fetcher, email=RECIPIENT)
    assert report.get("issuer").status == "pass", _message(report, "issuer")
    assert report.valid


@pytest.mark.parametrize(
    "name",
    [
        "basic-assertion-with-allowed-origins-invalid-starts-with.json",
        "basic-assertion-with-allowed-origins-invalid-multiple-starts-with.json",
    ],
)
def test_hosted_verification_policy_refuses(fetcher: Fetcher, name: str) -> None:
    assertion = _hosted(fetcher, name)
    report = verify_ob2(assertion, fetcher=fetcher)
    assert report.get("issuer").status == "fail"
    assert "does not start with" in _message(report, "issuer")
    assert not report.valid


def test_hosted_elsewhere_than_the_issuer(fetcher: Fetcher) -> None:
    # Anyone can host a copy naming a real issuer's badge; the default policy is the
    # issuer's own host.
    assertion = _fixture("basic-assertion.json")
    assertion["id"] = "https://badges.attacker.test/beths-robotics-badge.json"
    fetcher.seed(assertion["id"], assertion)
    report = verify_ob2(assertion, fetcher=fetcher)
    assert report.get("issuer").status == "fail"
    assert "not hosted on an origin the issuer allows (example.org)" in _message(report, "issuer")
    assert not report.valid


def test_issuer_profile_must_live_at_its_id(fetcher: Fetcher) -> None:
    # A fake profile on another host claims the real issuer's id and widens the policy.
    fake = {
        **_fixture("assets/organization.json"),
        "verification": {"allowedOrigins": ["badges.attacker.test"]},
    }
    fetcher.seed("https://badges.attacker.test/issuer.json", fake)
    badge = {
        **_fixture("assets/robotics-badge.json"),
        "id": "https://badges.attacker.test/badge.json",
        "issuer": "https://badges.attacker.test/issuer.json",
    }
    fetcher.seed(badge["id"], badge)
    assertion = {
        **_fixture("basic-assertion.json"),
        "id": "https://badges.attacker.test/assertion.json",
        "badge": badge["id"],
    }
    fetcher.seed(assertion["id"], assertion)
    report = verify_ob2(assertion, fetcher=fetcher)
    assert report.get("issuer").status == "fail"
    assert "on another host" in _message(report, "issuer")


def test_issuer_without_web_id_warns(fetcher: Fetcher) -> None:
    assertion = _hosted(fetcher, "warning-issuer-non-http.json")
    report = verify_ob2(assertion, fetcher=fetcher)
    assert report.get("issuer").status == "warn"
    assert "not an http(s) address" in _message(report, "issuer")
    assert report.valid


def test_badge_class_missing(fetcher: Fetcher) -> None:
    assertion = _fixture("basic-assertion.json")
    assertion["badge"] = "https://example.org/no-such-badge.json"
    fetcher.seed(assertion["id"], assertion)
    report = verify_ob2(assertion, fetcher=fetcher)
    assert report.get("issuer").status == "fail"
    assert "BadgeClass could not be fetched" in _message(report, "issuer")


def test_issuer_of_wrong_type(fetcher: Fetcher) -> None:
    badge = {
        **_fixture("assets/robotics-badge.json"),
        "issuer": "http://example.org/issuer-invalid-type.json",
    }
    fetcher.seed("https://example.org/odd-badge.json", badge)
    assertion = {**_fixture("basic-assertion.json"), "badge": "https://example.org/odd-badge.json"}
    fetcher.seed(assertion["id"], assertion)
    report = verify_ob2(assertion, fetcher=fetcher)
    assert report.get("issuer").status == "fail"
    assert "not an Issuer Profile" in _message(report, "issuer")


# -- recipient ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "status"),
    [
        (RECIPIENT, "pass"),
        ("  Nobody@Example.ORG ", "pass"),
        ("somebody@example.org", "fail"),
        ("nobody@example.org.evil", "fail"),
    ],
)
def test_recipient_hashed_and_salted(fetcher: Fetcher, email: str, status: str) -> None:
    assertion = _hosted(fetcher, "basic-assertion.json")
    report = verify_ob2(assertion, fetcher=fetcher, email=email)
    assert report.get("recipient").status == status
    assert report.valid is (status == "pass")


def test_recipient_salt_is_honoured(fetcher: Fetcher) -> None:
    assertion = _fixture("basic-assertion.json")
    # The same hash without its salt must not match.
    del assertion["recipient"]["salt"]
    fetcher.seed(assertion["id"], assertion)
    report = verify_ob2(assertion, fetcher=fetcher, email=RECIPIENT)
    assert report.get("recipient").status == "fail"


_LEARNER = "learner@example.net"
_PLAIN = {"type": "email", "hashed": False, "identity": _LEARNER}
_UNSALTED = {"type": "email", "hashed": True, "identity": identity_hash(_LEARNER)}
_MD5 = {
    "type": "email",
    "hashed": True,
    "identity": identity_hash(_LEARNER, "s", "md5"),
    "salt": "s",
}
_CLAIMS_HASHED = {"type": "email", "hashed": True, "identity": _LEARNER}


@pytest.mark.parametrize(
    ("recipient", "email", "status"),
    [
        (_PLAIN, _LEARNER, "pass"),
        (_PLAIN, "LEARNER@example.net", "pass"),
        (_PLAIN, "other@example.net", "fail"),
        (_UNSALTED, _LEARNER, "pass"),
        (_UNSALTED, "other@example.net", "fail"),
        (_MD5, _LEARNER, "pass"),
        (_CLAIMS_HASHED, _LEARNER, "fail"),
    ],
)
def test_recipient_forms(fetcher: Fetcher, recipient: dict, email: str, status: str) -> None:
    assertion = {**_fixture("basic-assertion.json"), "recipient": recipient}
    fetcher.seed(assertion["id"], assertion)
    report = verify_ob2(assertion, fetcher=fetcher, email=email)
    assert report.get("recipient").status == status, _message(report, "recipient")


# -- signed ------------------------------------------------------------------------------------


def test_valid_signed_assertion(fetcher: Fetcher) -> None:
    token = _fixture("simple.jwt")
    report = verify_ob2(token, fetcher=fetcher, email=RECIPIENT)
    assert report.valid, report.to_dict()
    assert _statuses(report) == {
        "format": "pass",
        "issuer": "pass",
        "proof": "pass",
        "validity": "pass",
        "status": "skip",  # organization.json publishes no revocation list
        "recipient": "pass",
    }
    assert "http://example.org/key1.json" in _message(report, "proof")
    assert report.credential["verification"]["creator"] == "http://example.org/key1.json"
    assert report.format == "ob2"


def test_signed_not_revoked(fetcher: Fetcher) -> None:
    report = verify_ob2(_fixture("simple-not-revoked.jwt"), fetcher=fetcher)
    assert report.valid
    assert report.get("status").status == "pass"


def test_signed_revoked(fetcher: Fetcher) -> None:
    report = verify_ob2(_fixture("simple-revoked.jwt"), fetcher=fetcher)
    assert report.get("proof").status == "pass"
    assert report.get("status").status == "fail"
    assert "A good reason, for sure" in _message(report, "status")
    assert not report.valid


def test_signed_revocation_list_unreachable(fetcher: Fetcher) -> None:
    fetcher.seed("http://example.org/revocation-list.json", b"oops", "text/plain", status=503)
    report = verify_ob2(_fixture("simple-revoked.jwt"), fetcher=fetcher)
    assert report.get("status").status == "fail"
    assert "503" in _message(report, "status")


def test_tampered_signed_assertion(fetcher: Fetcher) -> None:
    header, payload, signature = _fixture("simple.jwt").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["recipient"]["identity"] = identity_hash("mallory@example.org", "deadsea")
    forged = f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
    report = verify_ob2(forged, fetcher=fetcher, email="mallory@example.org")
    assert report.get("proof").status == "fail"
    assert "does not verify" in _message(report, "proof")
    assert not report.valid


def test_signature_bytes_flipped(fetcher: Fetcher) -> None:
    header, payload, signature = _fixture("simple.jwt").split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[10] ^= 0x01
    report = verify_ob2(f"{header}.{payload}.{_b64(bytes(raw))}", fetcher=fetcher)
    assert report.get("proof").status == "fail"


def test_signed_key_owned_by_someone_else(fetcher: Fetcher) -> None:
    key = _fixture("assets/key1.json")
    key["owner"] = "https://example.org/organization-with-revocation-list.json"
    fetcher.seed("http://example.org/key1.json", key)
    report = verify_ob2(_fixture("simple.jwt"), fetcher=fetcher)
    assert report.get("proof").status == "fail"
    assert "belongs to https://example.org/organization-with-revocation-list.json" in _message(
        report, "proof"
    )
    assert not report.valid


def test_key_claiming_an_issuer_that_does_not_list_it(fetcher: Fetcher, rsa_key) -> None:
    # Someone hosts their own key saying "owner: <the real issuer>" and signs with it.
    fetcher.seed(
        "https://keys.attacker.test/key.json",
        {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "CryptographicKey",
            "id": "https://keys.attacker.test/key.json",
            "owner": "https://example.org/organization.json",
            "publicKeyPem": _pem(rsa_key),
        },
    )
    payload = json.loads(
        base64.urlsafe_b64decode(_fixture("simple.jwt").split(".")[1] + "==").decode()
    )
    payload["verification"]["creator"] = "https://keys.attacker.test/key.json"
    report = verify_ob2(_sign(payload, rsa_key), fetcher=fetcher)
    assert report.get("proof").status == "fail"
    assert "does not list the key" in _message(report, "proof")


def test_signed_with_own_issuer(fetcher: Fetcher, rsa_key) -> None:
    assertion = _own_issuer(fetcher, rsa_key)
    report = verify_ob2(_sign(assertion, rsa_key), fetcher=fetcher, email="learner@example.net")
    assert report.valid, report.to_dict()
    assert report.credential == assertion


def test_signed_key_unlisted_on_other_host(fetcher: Fetcher, rsa_key) -> None:
    assertion = _own_issuer(fetcher, rsa_key, publicKey=[])
    fetcher.seed(
        "https://cdn.other.test/key.json",
        {
            "type": "CryptographicKey",
            "id": "https://cdn.other.test/key.json",
            "owner": "https://issuer.test/issuer.json",
            "publicKeyPem": _pem(rsa_key),
        },
    )
    assertion["verification"]["creator"] = "https://cdn.other.test/key.json"
    report = verify_ob2(_sign(assertion, rsa_key), fetcher=fetcher)
    assert report.get("proof").status == "fail"
    assert "nothing ties the key to the issuer" in _message(report, "proof")


def test_signed_without_creator_uses_issuer_keys(fetcher: Fetcher, rsa_key) -> None:
    assertion = _own_issuer(fetcher, rsa_key)
    assertion["verification"] = {"type": "signed"}
    report = verify_ob2(_sign(assertion, rsa_key), fetcher=fetcher)
    assert report.get("proof").status == "pass"


def test_signed_with_other_key_than_named(fetcher: Fetcher, rsa_key) -> None:
    assertion = _own_issuer(fetcher, rsa_key)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    report = verify_ob2(_sign(assertion, stranger), fetcher=fetcher)
    assert report.get("proof").status == "fail"


@pytest.mark.parametrize("alg", ["none", "HS256", "ES256"])
def test_signed_algorithm_refused(fetcher: Fetcher, rsa_key, alg: str) -> None:
    assertion = _own_issuer(fetcher, rsa_key)
    header = _b64(json.dumps({"alg": alg}).encode())
    body = _b64(json.dumps(assertion).encode())
    report = verify_ob2(f"{header}.{body}.{_b64(b'sig')}", fetcher=fetcher)
    assert report.get("proof").status == "fail"
    assert alg in _message(report, "proof")


def test_signed_assertion_given_as_json(fetcher: Fetcher, rsa_key) -> None:
    assertion = _own_issuer(fetcher, rsa_key)
    report = verify_ob2(assertion, fetcher=fetcher)
    assert report.get("proof").status == "fail"
    assert "JWS" in _message(report, "proof")
    assert not report.valid


def test_signed_expired(fetcher: Fetcher, rsa_key) -> None:
    assertion = {**_own_issuer(fetcher, rsa_key), "expires": "2025-01-01T00:00:00Z"}
    token = _sign(assertion, rsa_key)
    assert verify_ob2(token, fetcher=fetcher).get("validity").status == "fail"
    at = datetime(2024, 6, 1, tzinfo=UTC)
    assert verify_ob2(token, fetcher=fetcher, at=at).valid


def test_jws_with_hosted_verification_type(fetcher: Fetcher, rsa_key) -> None:
    assertion = {**_own_issuer(fetcher, rsa_key), "verification": {"type": "hosted"}}
    report = verify_ob2(_sign(assertion, rsa_key), fetcher=fetcher)
    assert report.get("format").status == "fail"
    assert "not signed" in _message(report, "format")


def test_signed_key_unreachable(fetcher: Fetcher, rsa_key) -> None:
    assertion = _own_issuer(fetcher, rsa_key)
    assertion["verification"]["creator"] = "https://issuer.test/missing-key.json"
    report = verify_ob2(_sign(assertion, rsa_key), fetcher=fetcher)
    assert report.get("proof").status == "fail"
    assert "missing-key.json" in _message(report, "proof")


def test_signed_without_creator_skips_a_broken_issuer_key(fetcher: Fetcher, rsa_key) -> None:
    assertion = _own_issuer(
        fetcher,
        rsa_key,
        publicKey=["https://issuer.test/old-key.json", "https://issuer.test/key.json"],
    )
    assertion["verification"] = {"type": "SignedBadge"}
    report = verify_ob2(_sign(assertion, rsa_key), fetcher=fetcher)
    assert report.get("proof").status == "pass", _message(report, "proof")


def test_embedded_badge_class(fetcher: Fetcher) -> None:
    badge = _fixture("assets/robotics-badge.json")
    del badge["id"]
    assertion = {**_fixture("basic-assertion.json"), "badge": badge}
    fetcher.seed(assertion["id"], assertion)
    report = verify_ob2(assertion, fetcher=fetcher)
    assert report.valid, report.to_dict()
    del badge["criteria"]
    fetcher.seed(assertion["id"], assertion)
    report = verify_ob2(assertion, fetcher=fetcher)
    assert report.get("issuer").status == "fail"
    assert "lacks criteria" in _message(report, "issuer")


def test_embedded_issuer_is_fetched_from_its_id(fetcher: Fetcher) -> None:
    # The embedded copy widens the policy; the profile at its id does not, and wins.
    embedded = {
        **_fixture("assets/organization.json"),
        "verification": {"allowedOrigins": ["badges.attacker.test"]},
    }
    badge = {
        **_fixture("assets/robotics-badge.json"),
        "id": "https://badges.attacker.test/badge.json",
        "issuer": embedded,
    }
    fetcher.seed(badge["id"], badge)
    assertion = {
        **_fixture("basic-assertion.json"),
        "id": "https://badges.attacker.test/assertion.json",
        "badge": badge["id"],
    }
    fetcher.seed(assertion["id"], assertion)
    report = verify_ob2(assertion, fetcher=fetcher)
    assert report.get("issuer").status == "fail"
    assert "not hosted on an origin the issuer allows" in _message(report, "issuer")


def test_json_text_that_is_not_an_object(fetcher: Fetcher) -> None:
    report = verify_ob2('{"a": 1}', fetcher=fetcher)
    assert report.get("format").status == "fail"
    report = verify_ob2("[1, 2]", fetcher=fetcher)
    assert report.get("format").status == "fail"
