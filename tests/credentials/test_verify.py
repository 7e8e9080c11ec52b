import copy
import json
from datetime import UTC, datetime

import pytest

from baeji.credentials import keys
from baeji.credentials.fetch import Fetcher
from baeji.credentials.verify import verify

from .conftest import AT, STATUS_URL


def statuses(report):
    return {c.name: c.status for c in report.checks}


def test_valid_credential_passes_every_check(issuer):
    report = verify(issuer.credential(), fetcher=issuer.fetcher, at=AT, email="minjun@example.kr")
    assert statuses(report) == {
        "format": "pass",
        "schema": "pass",
        "proof": "pass",
        "issuer": "pass",
        "validity": "pass",
        "status": "pass",
        "recipient": "pass",
        "endorsements": "skip",
    }
    assert report.valid
    assert report.to_dict()["valid"] is True


@pytest.mark.parametrize("as_type", [str, bytes, dict])
def test_accepts_json_text_bytes_and_objects(issuer, as_type):
    credential = issuer.credential()
    data = {
        str: lambda c: json.dumps(c, ensure_ascii=False),
        bytes: lambda c: json.dumps(c).encode(),
        dict: lambda c: c,
    }[as_type](credential)
    assert verify(data, fetcher=issuer.fetcher, at=AT).valid


def mutate(credential, path, value):
    target = credential
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return credential


TAMPERS = {
    "name": (["name"], "수영 8단계"),
    "achievement name": (["credentialSubject", "achievement", "name"], "수영 8단계"),
    "criteria": (["credentialSubject", "achievement", "criteria", "narrative"], "없음"),
    "validFrom": (["validFrom"], "2025-03-01T00:00:00Z"),
    "issuer name": (["issuer", "name"], "가짜 기관"),
    "subject identity": (
        ["credentialSubject", "identifier", 0, "identityHash"],
        "sha256$" + "0" * 64,
    ),
    "result": (["credentialSubject", "result", 0, "value"], "30초"),
    "status index": (["credentialStatus", "statusListIndex"], "1"),
    "proof created": (["proof", "created"], "2020-01-01T00:00:00Z"),
    "proof value": (["proof", "proofValue"], None),
}


@pytest.mark.parametrize("what", sorted(TAMPERS))
def test_tampering_fails_the_proof(issuer, what):
    path, value = TAMPERS[what]
    credential = issuer.credential()
    if value is None:
        original = credential["proof"]["proofValue"]
        value = original[:-2] + ("A" if original[-2] != "A" else "B") + original[-1]
    report = verify(mutate(credential, path, value), fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["proof"] == "fail", report.checks
    assert not report.valid


def test_undefined_property_added_after_signing_fails(issuer):
    credential = issuer.credential()
    credential["credentialSubject"]["nickname"] = "물개"
    report = verify(credential, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["proof"] == "fail"
    assert "nickname" in report.get("proof").message


def test_undefined_type_added_after_signing_fails(issuer):
    credential = issuer.credential()
    credential["type"] = [*credential["type"], "SuperBadge"]
    report = verify(credential, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["proof"] == "fail"


def test_swapped_issuer_fails(issuer, other_issuer):
    credential = issuer.credential()
    credential["issuer"] = {**credential["issuer"], "id": other_issuer.did}
    report = verify(credential, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["proof"] == "fail"


def test_key_not_controlled_by_issuer_fails_issuer_check(issuer, other_issuer):
    # Signed correctly, but with a key the named issuer does not control.
    unsigned = issuer.credential(sign=False)
    signed = other_issuer.sign(unsigned)
    report = verify(signed, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["proof"] == "pass"
    assert statuses(report)["issuer"] == "fail"
    assert not report.valid


def test_wrong_proof_purpose_fails(issuer):
    signed = issuer.sign(issuer.credential(sign=False), proof_purpose="authentication")
    report = verify(signed, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["proof"] == "fail"
    assert "assertionMethod" in report.get("proof").message


def test_missing_proof_fails(issuer):
    report = verify(issuer.credential(sign=False), fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["proof"] == "fail"


def test_expired_and_not_yet_valid(issuer):
    credential = issuer.credential(valid_until="2026-05-01T00:00:00Z")
    expired = verify(credential, fetcher=issuer.fetcher, at=AT)
    assert statuses(expired)["validity"] == "fail"
    assert "expired" in expired.get("validity").message
    early = verify(credential, fetcher=issuer.fetcher, at=datetime(2026, 1, 1, tzinfo=UTC))
    assert statuses(early)["validity"] == "fail"
    assert "not yet valid" in early.get("validity").message
    assert verify(credential, fetcher=issuer.fetcher, at=datetime(2026, 4, 1, tzinfo=UTC)).valid


def test_revoked_and_suspended(issuer):
    credential = issuer.credential(index=42)
    issuer.revocations.set(42)
    issuer.publish_lists()
    revoked = verify(credential, fetcher=issuer.fetcher, at=AT)
    assert statuses(revoked)["status"] == "fail"
    assert "revo" in revoked.get("status").message.lower()

    issuer.revocations.set(42, False)
    issuer.publish_lists()
    assert verify(credential, fetcher=issuer.fetcher, at=AT).valid

    suspendable = issuer.credential(index=42, purpose="suspension")
    issuer.suspensions.set(42)
    issuer.publish_lists()
    suspended = verify(suspendable, fetcher=issuer.fetcher, at=AT)
    assert statuses(suspended)["status"] == "fail"
    assert "suspen" in suspended.get("status").message.lower()
    issuer.suspensions.set(42, False)
    issuer.publish_lists()
    assert verify(suspendable, fetcher=issuer.fetcher, at=AT).valid


def test_tampered_status_list_is_not_trusted(issuer):
    credential = issuer.credential(index=42)
    issuer.revocations.set(42)
    issuer.publish_lists()
    # Someone replaces the published list with one showing the credential as not revoked.
    forged = copy.deepcopy(issuer.fetcher.get_json(STATUS_URL))
    from baeji.credentials.status import StatusList

    forged["credentialSubject"]["encodedList"] = StatusList().encode()
    issuer.fetcher.seed(STATUS_URL, forged)
    report = verify(credential, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["status"] == "fail"
    assert "cannot be trusted" in report.get("status").message


def test_status_list_signed_by_someone_else_is_not_trusted(issuer, other_issuer):
    credential = issuer.credential()
    foreign = other_issuer.status_list(STATUS_URL, "revocation", other_issuer.revocations)
    issuer.fetcher.seed(STATUS_URL, foreign)
    report = verify(credential, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["status"] == "fail"


def test_unreachable_status_list_is_a_warning(issuer):
    credential = issuer.credential()
    report = verify(credential, fetcher=Fetcher(offline=True), at=AT)
    assert statuses(report)["status"] == "warn"
    assert report.valid


def test_recipient_check(issuer):
    credential = issuer.credential()
    assert (
        statuses(verify(credential, fetcher=issuer.fetcher, at=AT, email=" MinJun@Example.KR"))[
            "recipient"
        ]
        == "pass"
    )
    wrong = verify(credential, fetcher=issuer.fetcher, at=AT, email="other@example.kr")
    assert statuses(wrong)["recipient"] == "fail"
    assert not wrong.valid


def test_schema_failure_is_reported(issuer):
    unsigned = issuer.credential(sign=False)
    unsigned["credentialSubject"]["achievement"]["achievementType"] = "Trophy"
    signed = issuer.sign(unsigned)
    report = verify(signed, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["schema"] == "fail"
    assert statuses(report)["proof"] == "pass"


def test_not_a_credential(issuer):
    for data in ["", "not json", "[1, 2]", b"\x00\x01binary"]:
        report = verify(data, fetcher=issuer.fetcher, at=AT)
        assert statuses(report) == {"format": "fail"}
    report = verify(
        {"@context": ["https://example.org/ctx"], "type": "Thing"}, fetcher=issuer.fetcher, at=AT
    )
    assert statuses(report)["format"] == "fail"


def test_endorsements_are_verified(issuer, other_issuer):
    from baeji.credentials import contexts

    endorsement = other_issuer.sign(
        {
            "@context": [contexts.VC_V2, contexts.OB_V3P0],
            "id": "urn:uuid:6f1d5b4e-0c9d-4a3e-8f5e-1b2c3d4e5f60",
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": "교육청 인증",
            "issuer": {"id": other_issuer.did, "type": ["Profile"], "name": "교육청"},
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {
                "id": "https://youth.example.kr/achievements/swim-3",
                "type": ["EndorsementSubject"],
                "endorsementComment": "공인된 수영 과정",
            },
        }
    )
    unsigned = issuer.credential(sign=False)
    unsigned["credentialSubject"]["achievement"]["endorsement"] = [endorsement]
    report = verify(issuer.sign(unsigned), fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["endorsements"] == "pass"
    assert report.valid

    forged = copy.deepcopy(endorsement)
    forged["credentialSubject"]["endorsementComment"] = "최고의 과정"
    unsigned["credentialSubject"]["achievement"]["endorsement"] = [forged]
    report = verify(issuer.sign(unsigned), fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["endorsements"] == "fail"


def test_did_web_issuer_resolved_through_the_fetcher(issuer):
    did = "did:web:youth.example.kr:issuers:youth-centre"
    document = keys.did_web_document(did, [("key-1", issuer.key.public_key, False)])
    fetcher = copy.deepcopy(issuer.fetcher)
    fetcher.seed(keys.did_web_url(did), document)
    unsigned = issuer.credential(sign=False)
    unsigned["issuer"]["id"] = did
    from baeji.credentials.suites import eddsa_rdfc_2022

    method = document["assertionMethod"][0]
    method = method if isinstance(method, str) else method["id"]
    signed = eddsa_rdfc_2022.sign(
        unsigned, private_key=issuer.key.private_key, verification_method=method
    )
    # The status lists are the did:key issuer's; check the binding and proof only.
    report = verify(signed, fetcher=fetcher, at=AT)
    assert statuses(report)["proof"] == "pass"
    assert statuses(report)["issuer"] == "pass"

    revoked = keys.did_web_document(did, [("key-1", issuer.key.public_key, True)])
    fetcher.seed(keys.did_web_url(did), revoked)
    report = verify(signed, fetcher=fetcher, at=AT)
    assert statuses(report)["issuer"] == "fail" or statuses(report)["proof"] == "fail"


def test_jwt_credential(issuer):
    from baeji.credentials.suites import vc_jwt

    rsa = keys.generate("rsa")
    unsigned = issuer.credential(sign=False)
    token = vc_jwt.issue(unsigned, rsa, embed_jwk=True)
    report = verify(token, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["proof"] == "pass"
    assert statuses(report)["issuer"] == "warn"
    assert report.format == "jwt"
    assert report.valid

    token_kid = vc_jwt.issue(unsigned, issuer.key, kid=issuer.method)
    report = verify(token_kid, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["issuer"] == "pass"
    header, payload, body = token_kid.split(".")
    assert (
        statuses(verify(f"{header}.{payload}.{body[:-4]}AAAA", fetcher=issuer.fetcher, at=AT))[
            "proof"
        ]
        == "fail"
    )


def test_baked_png_and_svg(issuer):
    from io import BytesIO

    from PIL import Image

    from baeji.credentials.bake import bake

    buffer = BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, "PNG")
    credential = issuer.credential()
    baked_png = bake(buffer.getvalue(), credential)
    report = verify(baked_png, fetcher=issuer.fetcher, at=AT)
    assert report.valid and report.format == "png"

    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
        b'<rect width="8" height="8"/></svg>'
    )
    report = verify(bake(svg, credential), fetcher=issuer.fetcher, at=AT)
    assert report.valid and report.format == "svg"


def test_malformed_proof_is_a_failed_check_not_a_crash(issuer):
    credential = issuer.credential()
    credential["proof"] = ["not an object"]
    report = verify(credential, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["proof"] == "fail"
