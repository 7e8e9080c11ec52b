"""Open Badges 2.0 edge cases: malformed documents anywhere in the chain fail the right check."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from baeji.credentials.fetch import Fetcher
from baeji.credentials.ob2 import verify_ob2

from .test_ob2 import FIXTURES, RECIPIENT, _b64, _fixture, _own_issuer, _sign

ASSERTION_URL = "https://example.org/beths-robotics-badge.json"
BADGE_URL = "https://example.org/robotics-badge.json"
ISSUER_URL = "https://example.org/organization.json"


@pytest.fixture
def fetcher() -> Fetcher:
    seeded = Fetcher(offline=True)
    for path in (FIXTURES / "assets").glob("*.json"):
        for scheme in ("http", "https"):
            seeded.seed(f"{scheme}://example.org/{path.name}", path.read_bytes())
    return seeded


@pytest.fixture
def rsa_key():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def statuses(report) -> dict[str, str]:
    return {check.name: check.status for check in report.checks}


def message(report, name: str) -> str:
    return report.get(name).message


def hosted(fetcher: Fetcher, **changes: Any) -> dict[str, Any]:
    """The basic fixture assertion with ``changes``, hosted at its own id."""
    assertion = {**_fixture("basic-assertion.json"), **changes}
    if isinstance(assertion.get("id"), str) and assertion["id"].startswith("http"):
        fetcher.seed(assertion["id"], assertion)
    return assertion


def with_issuer(fetcher: Fetcher, issuer: dict[str, Any] | str) -> dict[str, Any]:
    """A hosted assertion whose BadgeClass names ``issuer`` (a URL or an embedded profile)."""
    badge = {**_fixture("assets/robotics-badge.json"), "issuer": issuer}
    fetcher.seed(BADGE_URL, badge)
    return hosted(fetcher)


# -- reading the source -----------------------------------------------------------------------


def test_source_of_the_wrong_type(fetcher):
    report = verify_ob2(42, fetcher=fetcher)  # type: ignore[arg-type]
    assert statuses(report) == {"format": "fail"}
    assert "as JSON, as its URL, or as a signed JWS" in message(report, "format")


def test_url_that_cannot_be_fetched(fetcher):
    report = verify_ob2("https://example.org/nowhere.json", fetcher=fetcher)
    assert statuses(report) == {"format": "fail"}
    assert "could not be fetched" in message(report, "format")


@pytest.mark.parametrize(
    ("body", "expected"),
    [(b"<html>hello</html>", "is not JSON"), (b"[1, 2]", "is not a JSON object")],
)
def test_url_answering_something_other_than_an_assertion(fetcher, body, expected):
    fetcher.seed(ASSERTION_URL, body, "text/html")
    report = verify_ob2(ASSERTION_URL, fetcher=fetcher)
    assert statuses(report) == {"format": "fail"}
    assert expected in message(report, "format")


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (f"{_b64(b'{')}.{_b64(b'{}')}.c2ln", "not a readable JWS"),
        (f"{_b64(b'[1]')}.{_b64(b'{}')}.c2ln", "not a JSON object"),
    ],
)
def test_unreadable_jws(fetcher, token, expected):
    report = verify_ob2(token, fetcher=fetcher)
    assert statuses(report) == {"format": "fail"}
    assert expected in message(report, "format")


def test_naive_time_is_read_as_utc(fetcher):
    assertion = hosted(fetcher, expires="2030-01-01T00:00:00Z")
    assert verify_ob2(assertion, fetcher=fetcher, at=datetime(2029, 12, 31, 23, 0)).valid
    late = verify_ob2(assertion, fetcher=fetcher, at=datetime(2030, 1, 1, 0, 0))
    assert statuses(late)["validity"] == "fail"


# -- format -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"recipient": {"identity": "x", "hashed": False}}, "its recipient has no type"),
        (
            {"recipient": {"type": "email", "identity": "x", "hashed": "yes"}},
            "recipient.hashed is not true or false",
        ),
        ({"issuedOn": 1483228799}, "issuedOn is not a date and time"),
        ({"issuedOn": "31/12/2016"}, "issuedOn '31/12/2016' is not an ISO 8601"),
        ({"verification": {"type": [7, "LockedBadge"]}}, "neither hosted nor signed"),
    ],
)
def test_malformed_assertions_name_the_problem(fetcher, changes, expected):
    report = verify_ob2(hosted(fetcher, **changes), fetcher=fetcher)
    assert statuses(report)["format"] == "fail"
    assert expected in message(report, "format")
    assert not report.valid


def test_verification_type_may_be_a_list_or_an_iri(fetcher):
    assertion = hosted(
        fetcher, verification={"type": [5, "https://w3id.org/openbadges#HostedBadge"]}
    )
    assert verify_ob2(assertion, fetcher=fetcher).valid


# -- issuer -----------------------------------------------------------------------------------


def test_badge_reference_that_is_not_a_web_address(fetcher):
    report = verify_ob2(hosted(fetcher, badge="urn:uuid:1234"), fetcher=fetcher)
    assert statuses(report)["issuer"] == "fail"
    assert "'urn:uuid:1234' is not an http(s) address" in message(report, "issuer")


def test_badge_reference_that_cannot_be_parsed_as_a_url(fetcher):
    # urlsplit raises ValueError on an unclosed "[": a failed check, not a crash.
    report = verify_ob2(hosted(fetcher, badge="https://[bad/badge"), fetcher=fetcher)
    assert statuses(report)["issuer"] == "fail"
    assert "'https://[bad/badge' is not an http(s) address" in message(report, "issuer")


def test_badge_document_of_the_wrong_type(fetcher):
    fetcher.seed(BADGE_URL, {**_fixture("assets/robotics-badge.json"), "type": "Issuer"})
    report = verify_ob2(hosted(fetcher), fetcher=fetcher)
    assert statuses(report)["issuer"] == "fail"
    assert f"The badge at {BADGE_URL} is not a BadgeClass" in message(report, "issuer")


def test_badge_naming_its_issuer_by_something_other_than_a_url(fetcher):
    report = verify_ob2(with_issuer(fetcher, "urn:uuid:issuer"), fetcher=fetcher)
    assert statuses(report)["issuer"] == "fail"
    assert "'urn:uuid:issuer', not an http(s) address" in message(report, "issuer")


def test_embedded_issuer_without_web_id_is_used_with_warnings(fetcher):
    profile = {"type": "Issuer", "id": "urn:uuid:issuer", "name": "Offline Issuer"}
    report = verify_ob2(with_issuer(fetcher, profile), fetcher=fetcher)
    assert statuses(report)["issuer"] == "warn"
    text = message(report, "issuer")
    assert "the issuer profile has no url" in text and "has no email" in text
    assert "no web address to check the assertion's host against" in text


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ({"type": "Issuer", "name": "No Id"}, "has no id"),
        ({"type": "Issuer", "id": ISSUER_URL}, "has no name"),
    ],
)
def test_issuer_profile_missing_members(fetcher, profile, expected):
    fetcher.seed(ISSUER_URL, profile)
    report = verify_ob2(hosted(fetcher), fetcher=fetcher)
    assert statuses(report)["issuer"] == "fail"
    assert expected in message(report, "issuer")


def _issuer_with_policy(fetcher: Fetcher, policy: Any) -> None:
    fetcher.seed(ISSUER_URL, {**_fixture("assets/organization.json"), "verification": policy})


def test_verification_policy_published_at_its_own_url(fetcher):
    policy_url = "https://example.org/policy.json"
    fetcher.seed(policy_url, {"type": "VerificationObject", "startsWith": "https://example.org/"})
    _issuer_with_policy(fetcher, policy_url)
    assert verify_ob2(hosted(fetcher), fetcher=fetcher).valid

    fetcher.seed(policy_url, {"startsWith": "https://example.org/badges/"})
    report = verify_ob2(hosted(fetcher), fetcher=fetcher)
    assert statuses(report)["issuer"] == "fail"
    assert "does not start with" in message(report, "issuer")


def test_verification_policy_on_another_property_is_refused(fetcher):
    _issuer_with_policy(fetcher, {"verificationProperty": "url"})
    report = verify_ob2(hosted(fetcher), fetcher=fetcher)
    assert statuses(report)["issuer"] == "fail"
    assert "uses 'url'; only id is supported" in message(report, "issuer")


def test_hosted_assertion_without_web_id(fetcher):
    report = verify_ob2(hosted(fetcher, id="urn:uuid:0b7fdc0a"), fetcher=fetcher)
    assert statuses(report)["issuer"] == "fail"
    assert statuses(report)["proof"] == "fail"
    assert "needs an http(s) id, not 'urn:uuid:0b7fdc0a'" in message(report, "proof")


# -- hosted proof -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hosted_copy", "expected"),
    [(b"<html>moved</html>", "did not return JSON"), (b'"a string"', "is not an assertion")],
)
def test_hosted_copy_that_is_not_an_assertion(fetcher, hosted_copy, expected):
    assertion = _fixture("basic-assertion.json")
    fetcher.seed(ASSERTION_URL, hosted_copy, "text/html")
    report = verify_ob2(assertion, fetcher=fetcher)
    assert statuses(report)["proof"] == "fail"
    assert expected in message(report, "proof")
    # The unreadable copy says nothing about revocation; that is said, not passed over.
    assert statuses(report)["status"] == "skip"
    assert "Revocation was not checked" in message(report, "status")


# -- signed proof -----------------------------------------------------------------------------


def _signed_with_key_document(fetcher, rsa_key, key_document: dict[str, Any]) -> Any:
    assertion = _own_issuer(fetcher, rsa_key)
    fetcher.seed("https://issuer.test/key.json", key_document)
    return verify_ob2(_sign(assertion, rsa_key), fetcher=fetcher)


def _key_doc(**changes: Any) -> dict[str, Any]:
    return {
        "type": "CryptographicKey",
        "id": "https://issuer.test/key.json",
        "owner": "https://issuer.test/issuer.json",
        **changes,
    }


def _p256_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"type": "Profile"}, "is not a CryptographicKey"),
        ({"id": "https://keys.elsewhere.test/key.json"}, "on another host"),
        ({}, "has no publicKeyPem"),
        ({"publicKeyPem": "-----BEGIN PUBLIC KEY-----\nnope\n"}, "not a readable public key"),
        ({"publicKeyPem": "공개키"}, "not a readable public key"),
        ({"publicKeyPem": _p256_pem()}, "is not an RSA key"),
    ],
)
def test_unusable_signing_keys(fetcher, rsa_key, changes, expected):
    report = _signed_with_key_document(fetcher, rsa_key, _key_doc(**changes))
    assert statuses(report)["proof"] == "fail"
    assert expected in message(report, "proof")


def test_signing_key_of_an_issuer_that_could_not_be_found(fetcher, rsa_key):
    assertion = _own_issuer(fetcher, rsa_key)
    assertion["badge"] = "https://issuer.test/missing-badge.json"
    report = verify_ob2(_sign(assertion, rsa_key), fetcher=fetcher)
    assert statuses(report)["issuer"] == "fail"
    assert statuses(report)["proof"] == "fail"
    assert "the issuer is unknown" in message(report, "proof")

    del assertion["verification"]["creator"]
    report = verify_ob2(_sign(assertion, rsa_key), fetcher=fetcher)
    assert "names no signing key" in message(report, "proof")


def test_signing_key_owned_by_an_embedded_issuer_cannot_be_confirmed(fetcher, rsa_key):
    assertion = _own_issuer(fetcher, rsa_key)
    profile = {"type": "Issuer", "id": "urn:uuid:issuer", "name": "Offline Issuer"}
    badge = {**fetcher.get_json("https://issuer.test/badge.json"), "issuer": profile}
    fetcher.seed("https://issuer.test/badge.json", badge)
    key = {**fetcher.get_json("https://issuer.test/key.json"), "owner": "urn:uuid:issuer"}
    fetcher.seed("https://issuer.test/key.json", key)
    report = verify_ob2(_sign(assertion, rsa_key), fetcher=fetcher)
    assert statuses(report)["proof"] == "fail"
    assert "is not hosted, so it cannot confirm the key" in message(report, "proof")


def test_key_on_the_issuers_host_without_a_key_list(fetcher, rsa_key):
    # No publicKey list: a key on the issuer's own host is accepted.
    assertion = _own_issuer(fetcher, rsa_key, publicKey=[])
    report = verify_ob2(_sign(assertion, rsa_key), fetcher=fetcher)
    assert statuses(report)["proof"] == "pass"


def test_creator_that_is_not_a_web_address(fetcher, rsa_key):
    assertion = _own_issuer(fetcher, rsa_key)
    assertion["verification"]["creator"] = "urn:key:1"
    report = verify_ob2(_sign(assertion, rsa_key), fetcher=fetcher)
    assert statuses(report)["proof"] == "fail"
    assert "urn:key:1 is not an http(s) address" in message(report, "proof")


# -- status -----------------------------------------------------------------------------------


def _with_revocation_list(fetcher: Fetcher, rsa_key, reference: str) -> dict[str, Any]:
    return _own_issuer(fetcher, rsa_key, revocationList=reference)


def test_revocation_list_that_is_not_a_web_address(fetcher, rsa_key):
    assertion = _with_revocation_list(fetcher, rsa_key, "urn:list:1")
    report = verify_ob2(_sign(assertion, rsa_key), fetcher=fetcher)
    assert statuses(report)["status"] == "fail"
    assert "'urn:list:1' is not an http(s) address" in message(report, "status")


def test_revocation_list_that_cannot_be_parsed_as_a_url(fetcher, rsa_key):
    assertion = _with_revocation_list(fetcher, rsa_key, "https://[bad/list")
    report = verify_ob2(_sign(assertion, rsa_key), fetcher=fetcher)
    assert statuses(report)["status"] == "fail"
    assert "'https://[bad/list' is not an http(s) address" in message(report, "status")


def test_assertion_url_that_cannot_be_parsed(fetcher):
    report = verify_ob2("https://[bad/assertion", fetcher=fetcher)
    assert statuses(report)["format"] == "fail"


def test_revocation_list_of_the_wrong_type(fetcher, rsa_key):
    assertion = _with_revocation_list(fetcher, rsa_key, "https://issuer.test/revoked.json")
    fetcher.seed("https://issuer.test/revoked.json", {"type": "Collection", "items": []})
    report = verify_ob2(_sign(assertion, rsa_key), fetcher=fetcher)
    assert statuses(report)["status"] == "fail"
    assert "is not a RevocationList" in message(report, "status")


@pytest.mark.parametrize(
    "entry",
    [
        "urn:uuid:0b7fdc0a-98a1-4b4c-9b1b-6f0c3f3c7a11",
        {"uid": "abc-1"},
    ],
)
def test_revocation_list_naming_the_assertion_by_id_string_or_uid(fetcher, rsa_key, entry):
    assertion = {
        **_with_revocation_list(fetcher, rsa_key, "https://issuer.test/revoked.json"),
        "uid": "abc-1",
    }
    fetcher.seed(
        "https://issuer.test/revoked.json",
        {"type": "RevocationList", "revokedAssertions": ["urn:uuid:other", {"id": "x"}, entry]},
    )
    report = verify_ob2(_sign(assertion, rsa_key), fetcher=fetcher)
    assert statuses(report)["status"] == "fail"
    assert "revocation list names this assertion." in message(report, "status")


# -- recipient --------------------------------------------------------------------------------


def test_recipient_identified_by_url_does_not_match_an_email(fetcher):
    assertion = hosted(
        fetcher, recipient={"type": "url", "hashed": False, "identity": "https://nobody.example"}
    )
    report = verify_ob2(assertion, fetcher=fetcher, email=RECIPIENT)
    assert statuses(report)["recipient"] == "fail"
    assert "identified by url" in message(report, "recipient")


def test_hosted_copy_that_differs_does_not_vouch_for_revocation(fetcher):
    given = _fixture("basic-assertion.json")
    fetcher.seed(given["id"], {**given, "evidence": "https://example.org/other-work.html"})
    report = verify_ob2(given, fetcher=fetcher)
    assert statuses(report)["proof"] == "fail"
    assert statuses(report)["status"] == "skip"
    assert "differs from the one given" in message(report, "status")
