"""Every check the engine reports carries a documented machine code and JSON-plain params,
so user interfaces can word it in any language; the English messages stay as they were."""

from __future__ import annotations

import ast
import copy
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from baeji.credentials import keys, report
from baeji.credentials.fetch import Fetcher
from baeji.credentials.ob2 import verify_ob2
from baeji.credentials.report import Check, VerificationReport
from baeji.credentials.suites import eddsa_rdfc_2022, vc_jwt
from baeji.credentials.verify import verify

from .conftest import AT

ENGINE = Path(report.__file__).parent
OB2_FIXTURES = Path(__file__).parent / "fixtures" / "ob2"
OB2_RECIPIENT = "nobody@example.org"
OB2_AT = datetime(2017, 1, 1, tzinfo=UTC)
CODE = re.compile(
    r"^(format|schema|proof|hosted|document|issuer|validity|status|recipient|endorsements|"
    r"inner_credentials|associations|not_checked)\.[a-z0-9_]+$"
)


def documented_codes() -> set[str]:
    """The codes in the table of the report module's docstring."""
    return set(re.findall(r"^``([a-z_0-9]+\.[a-z_0-9]+)``", report.__doc__ or "", re.M))


def codes_in_engine_source() -> set[str]:
    """Every string literal in the engine that has the shape of a check code."""
    found = set()
    for path in ENGINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and CODE.match(node.value)
            ):
                found.add(node.value)
    return found


def codes(result: VerificationReport) -> dict[str, str]:
    return {c.name: c.code for c in result.checks}


def assert_fully_coded(result: VerificationReport) -> None:
    documented = documented_codes()
    assert result.checks
    for check in result.checks:
        assert check.code, f"{check.name} has no code: {check.message}"
        assert check.code in documented, f"{check.code} is not in the table"
        # Params are JSON values only: the --json output and stored reports carry them.
        assert json.loads(json.dumps(check.params)) == check.params
        assert check.message  # the English sentence is still there
    assert all(set(c) >= {"name", "status", "message", "code"} for c in result.to_dict()["checks"])


# -- the table and the source agree -----------------------------------------------------------


def test_every_code_in_the_engine_is_documented_and_every_documented_code_is_used():
    in_source, documented = codes_in_engine_source(), documented_codes()
    assert len(documented) > 60
    assert in_source - documented == set(), "codes used but not documented"
    assert documented - in_source == set(), "codes documented but never used"


# -- representative reports --------------------------------------------------------------------


def test_valid_credential(issuer):
    result = verify(issuer.credential(), fetcher=issuer.fetcher, at=AT, email="minjun@example.kr")
    assert_fully_coded(result)
    assert codes(result) == {
        "format": "format.ob3",
        "schema": "schema.passed",
        "proof": "proof.verified",
        "issuer": "issuer.verified",
        "validity": "validity.no_expiry",
        "status": "status.active",
        "recipient": "recipient.matched",
        "endorsements": "endorsements.none",
    }
    assert result.get("validity").params == {"valid_from": "2026-03-01T00:00:00Z"}
    assert result.get("status").params == {"purposes": ["revocation"]}
    assert result.get("issuer").params == {"issuer": issuer.did}
    assert result.get("recipient").params == {"email": "minjun@example.kr"}
    assert result.get("proof").params == {"count": 1, "suite": "eddsa-rdfc-2022"}


def test_revoked_and_suspended(issuer):
    issuer.revocations.set(94567)
    issuer.suspensions.set(94567)
    issuer.publish_lists()
    revoked = verify(issuer.credential(), fetcher=issuer.fetcher, at=AT)
    assert_fully_coded(revoked)
    assert revoked.get("status").code == "status.revoked"
    assert revoked.get("status").params == {"purpose": "revocation"}
    suspended = verify(issuer.credential(purpose="suspension"), fetcher=issuer.fetcher, at=AT)
    assert suspended.get("status").code == "status.suspended"


def test_expired_and_not_yet_valid(issuer):
    credential = issuer.credential(valid_until="2026-05-01T00:00:00Z")
    expired = verify(credential, fetcher=issuer.fetcher, at=AT)
    assert_fully_coded(expired)
    assert expired.get("validity").code == "validity.expired"
    assert expired.get("validity").params == {"valid_until": "2026-05-01T00:00:00Z"}
    # The message is what it always was.
    assert expired.get("validity").message == "expired: valid until 2026-05-01T00:00:00Z"

    early = verify(credential, fetcher=issuer.fetcher, at=datetime(2026, 1, 1, tzinfo=UTC))
    assert early.get("validity").code == "validity.not_yet_valid"
    assert early.get("validity").params == {"valid_from": "2026-03-01T00:00:00Z"}
    within = verify(credential, fetcher=issuer.fetcher, at=datetime(2026, 4, 1, tzinfo=UTC))
    assert within.get("validity").code == "validity.valid"
    assert within.get("validity").params == {
        "valid_from": "2026-03-01T00:00:00Z",
        "valid_until": "2026-05-01T00:00:00Z",
    }


def test_tampered_signature(issuer):
    credential = issuer.credential()
    credential["credentialSubject"]["achievement"]["name"] = "수영 8단계"
    result = verify(credential, fetcher=issuer.fetcher, at=AT)
    assert_fully_coded(result)
    assert result.get("proof").code == "proof.failed"
    assert result.get("issuer").code == "issuer.not_checked"

    unsigned = verify(issuer.credential(sign=False), fetcher=issuer.fetcher, at=AT)
    assert_fully_coded(unsigned)
    assert unsigned.get("proof").code == "proof.missing"


def test_wrong_recipient(issuer):
    result = verify(issuer.credential(), fetcher=issuer.fetcher, at=AT, email="other@example.kr")
    assert_fully_coded(result)
    assert result.get("recipient").code == "recipient.mismatch"
    assert result.get("recipient").params == {"email": "other@example.kr"}
    nobody = verify(
        issuer.credential(identifiers=[], subject_id="did:example:learner"),
        fetcher=issuer.fetcher,
        at=AT,
        email="a@b.kr",
    )
    assert nobody.get("recipient").code == "recipient.none"


def test_unknown_issuer_key(issuer, other_issuer):
    did = "did:web:youth.example.kr:issuers:youth-centre"
    fetcher = copy.deepcopy(issuer.fetcher)
    fetcher.seed(
        keys.did_web_url(did), keys.did_web_document(did, [("key-1", issuer.key.public_key, False)])
    )
    unsigned = issuer.credential(sign=False)
    unsigned["issuer"]["id"] = did
    # Signed with a key the issuer's DID document does not have.
    signed = eddsa_rdfc_2022.sign(
        unsigned, private_key=issuer.key.private_key, verification_method=f"{did}#key-9"
    )
    result = verify(signed, fetcher=fetcher, at=AT)
    assert_fully_coded(result)
    assert result.get("proof").code == "proof.key_unresolved"
    assert result.get("proof").params == {"key": f"{did}#key-9"}

    # Signed by someone else's key: the signature holds, the binding to the issuer does not.
    foreign = verify(
        other_issuer.sign(issuer.credential(sign=False)), fetcher=issuer.fetcher, at=AT
    )
    assert_fully_coded(foreign)
    assert foreign.get("issuer").code == "issuer.wrong_key"
    assert foreign.get("issuer").params["controller"] == other_issuer.did
    assert foreign.get("issuer").params["issuer"] == issuer.did


def test_jwt_credential(issuer):
    token = vc_jwt.issue(issuer.credential(sign=False), issuer.key, kid=issuer.method)
    result = verify(token, fetcher=issuer.fetcher, at=AT)
    assert_fully_coded(result)
    assert result.get("proof").code == "proof.verified_jwt"
    assert result.get("proof").params == {"alg": "EdDSA"}
    embedded = verify(
        vc_jwt.issue(issuer.credential(sign=False), keys.generate("rsa"), embed_jwk=True),
        fetcher=issuer.fetcher,
        at=AT,
    )
    assert embedded.get("issuer").code == "issuer.embedded_key"


def test_unreachable_status_list_and_unreadable_input(issuer):
    offline = verify(issuer.credential(), fetcher=Fetcher(offline=True), at=AT)
    assert_fully_coded(offline)
    assert offline.get("status").code == "status.unavailable"
    garbage = verify("not a credential", fetcher=issuer.fetcher, at=AT)
    assert_fully_coded(garbage)
    assert garbage.get("format").code == "format.unreadable"


# -- Open Badges 2.0 ---------------------------------------------------------------------------


@pytest.fixture
def ob2_fetcher() -> Fetcher:
    seeded = Fetcher(offline=True)
    for path in (OB2_FIXTURES / "assets").glob("*.json"):
        for scheme in ("http", "https"):
            seeded.seed(f"{scheme}://example.org/{path.name}", path.read_bytes())
    return seeded


def _hosted(fetcher: Fetcher, name: str) -> dict:
    assertion = json.loads((OB2_FIXTURES / name).read_text())
    fetcher.seed(assertion["id"], assertion)
    return assertion


def test_ob2_hosted_assertion(ob2_fetcher):
    assertion = _hosted(ob2_fetcher, "basic-assertion.json")
    result = verify_ob2(assertion, fetcher=ob2_fetcher, at=OB2_AT, email=OB2_RECIPIENT)
    assert_fully_coded(result)
    assert codes(result) == {
        "format": "format.ob2",
        "issuer": "issuer.ob2",
        "proof": "proof.hosted",
        "validity": "validity.no_expiry",
        "status": "status.not_revoked",
        "recipient": "recipient.matched",
    }
    assert result.get("format").params == {"verification": "hosted"}
    assert result.get("proof").params == {"url": assertion["id"]}
    assert set(result.get("issuer").params) == {"badge", "issuer_name", "issuer"}


def test_ob2_expired_revoked_and_unreachable(ob2_fetcher):
    expired = _hosted(ob2_fetcher, "basic-assertion-expired.json")
    result = verify_ob2(expired, fetcher=ob2_fetcher, at=datetime(2023, 1, 1, tzinfo=UTC))
    assert_fully_coded(result)
    assert result.get("validity").code == "validity.expired"
    assert result.get("validity").params == {"valid_until": "2022-11-15T23:59:59+00:00"}

    revoked = dict(_hosted(ob2_fetcher, "basic-assertion.json"), revoked=True)
    ob2_fetcher.seed(revoked["id"], revoked)
    result = verify_ob2(revoked, fetcher=ob2_fetcher, at=OB2_AT)
    assert_fully_coded(result)
    assert result.get("status").code == "status.revoked"

    lonely = json.loads((OB2_FIXTURES / "basic-assertion.json").read_text())
    result = verify_ob2(lonely, fetcher=Fetcher(offline=True), at=OB2_AT)
    assert_fully_coded(result)
    assert result.get("issuer").code == "document.unavailable"
    assert result.get("issuer").params["document"] == "BadgeClass"


def test_ob2_signed_assertion(ob2_fetcher):
    token = (OB2_FIXTURES / "simple.jwt").read_text().strip()
    result = verify(token, fetcher=ob2_fetcher, at=OB2_AT, email=OB2_RECIPIENT)
    assert_fully_coded(result)
    assert result.get("format").code == "format.ob2_jws"
    assert result.get("proof").code == "proof.signed"
    not_json = verify_ob2({"@context": "x"}, fetcher=ob2_fetcher, at=OB2_AT)
    assert_fully_coded(not_json)
    assert not_json.get("format").code == "format.invalid"
    assert {c.code for c in not_json.checks[1:]} == {"not_checked.format_failed"}


# -- the dict form ------------------------------------------------------------------------------


def test_to_dict_keeps_its_keys_and_adds_code_and_params():
    check = Check(
        "validity",
        "fail",
        "expired: valid until 2026-05-01T00:00:00Z",
        "validity.expired",
        {"valid_until": "2026-05-01T00:00:00Z"},
    )
    assert check.to_dict() == {
        "name": "validity",
        "status": "fail",
        "message": "expired: valid until 2026-05-01T00:00:00Z",
        "code": "validity.expired",
        "params": {"valid_until": "2026-05-01T00:00:00Z"},
    }
    # A check built the old way still works; its code is empty.
    assert Check("format", "pass", "ok").to_dict()["code"] == ""
