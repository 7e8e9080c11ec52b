import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baeji.credentials import contexts, model
from baeji.credentials.errors import SchemaError
from baeji.credentials.identity import identity_matches

ISSUER_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def swimming_credential(**overrides):
    issuer = model.profile(
        id=ISSUER_DID,
        name="서울시 청소년센터",
        url="https://youth.example.kr",
        email="badges@youth.example.kr",
        description="청소년 활동 배지를 발급합니다.",
        parent_org=model.profile(id="https://edu.example.kr/issuers/office", name="교육청"),
    )
    achievement = model.achievement(
        id="https://youth.example.kr/achievements/swim-3",
        name="수영 3단계",
        description="자유형 25m를 완주한 어린이에게 주는 배지",
        criteria_narrative="자유형 25m를 **50초 이내**에 완주",
        achievement_type="Badge",
        image="https://youth.example.kr/achievements/swim-3/image.png",
        tags=["수영", "체육"],
        alignments=[
            model.alignment(
                target_name="신체 역량",
                target_url="https://youth.example.kr/frameworks/competencies/physical",
                target_type="ext:Competency",
                target_code="C3",
                target_framework="청소년 9대 역량",
            )
        ],
        result_descriptions=[
            model.result_description(
                id="https://youth.example.kr/achievements/swim-3/results/time",
                name="자유형 25m 기록",
                result_type="ext:Duration",
            )
        ],
        in_language="ko",
        human_code="SWIM-3",
        credits_available=1.0,
    )
    kwargs = dict(
        id="https://youth.example.kr/c/abc123",
        issuer=issuer,
        achievement=achievement,
        valid_from=datetime(2026, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=9))),
        awarded_date="2026-03-01T00:00:00Z",
        identifiers=[model.identity_object(email="  Kim.MinJun@Example.KR ", salt="소금")],
        results=[
            model.result(
                result_description="https://youth.example.kr/achievements/swim-3/results/time",
                value="48초",
            )
        ],
        evidence=[model.evidence(id="https://youth.example.kr/evidence/1", narrative="수업 기록")],
        credential_status={
            "id": "https://youth.example.kr/status/1#94567",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://youth.example.kr/status/1",
        },
    )
    kwargs.update(overrides)
    return model.open_badge_credential(**kwargs)


def test_full_credential_has_required_shape_and_context_order():
    credential = swimming_credential()
    assert credential["@context"] == [
        contexts.VC_V2,
        contexts.OB_V3P0,
        contexts.OB_V3P0_EXTENSIONS,
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["validFrom"] == "2026-03-01T00:00:00Z"  # converted from +09:00 to UTC
    assert credential["credentialSchema"] == [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
            "ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019",
        }
    ]
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"]["criteria"]["narrative"] == "자유형 25m를 **50초 이내**에 완주"
    assert "evidence" in credential and "evidence" not in subject


def test_without_schema_no_extensions_context():
    credential = swimming_credential(with_schema=False)
    assert credential["@context"] == [contexts.VC_V2, contexts.OB_V3P0]
    assert "credentialSchema" not in credential


def test_recipient_email_is_normalized_salted_and_hashed():
    identifier = swimming_credential()["credentialSubject"]["identifier"][0]
    assert identifier["hashed"] is True
    assert identifier["identityType"] == "emailAddress"
    assert "kim.minjun" not in json.dumps(identifier)
    assert identity_matches("kim.minjun@example.kr", identifier["identityHash"], identifier["salt"])
    assert not identity_matches("other@example.kr", identifier["identityHash"], identifier["salt"])


def test_identity_hash_matches_published_example():
    obj = model.identity_object(email="a@example.com", salt="Kosher")
    assert obj["identityHash"] == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_sourced_id_identity():
    obj = model.identity_object(sourced_id="S-2026-0042", salt="x")
    assert obj["identityType"] == "sourcedId"
    assert identity_matches("S-2026-0042", obj["identityHash"], "x")


def test_korean_text_round_trips_exactly_through_json():
    credential = swimming_credential(name="김민준의 수영 3단계 🏊")
    text = json.dumps(credential, ensure_ascii=False)
    again = json.loads(text)
    assert again == credential
    assert again["name"] == "김민준의 수영 3단계 🏊"


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"identifiers": [], "subject_id": None}, "recipient"),
        ({"valid_until": "2020-01-01T00:00:00Z"}, "validUntil"),
        ({"valid_from": "yesterday"}, "dateTime"),
        ({"valid_from": datetime(2026, 1, 1)}, "naive"),
    ],
)
def test_bad_arguments_are_refused_clearly(overrides, message):
    with pytest.raises(ValueError, match=message):
        swimming_credential(**overrides)


def test_bad_vocabulary_refused():
    with pytest.raises(ValueError, match="achievement type"):
        model.achievement(
            id="urn:x", name="n", description="d", criteria_narrative="c", achievement_type="Trophy"
        )
    with pytest.raises(ValueError, match="criteria"):
        model.achievement(id="urn:x", name="n", description="d")
    with pytest.raises(ValueError, match="result status"):
        model.result(status="Great")
    with pytest.raises(ValueError):
        model.evidence()
    with pytest.raises(ValueError):
        model.identity_object()


def test_schema_violation_raises_schema_error():
    credential = swimming_credential()
    del credential["issuer"]
    with pytest.raises(SchemaError, match="issuer"):
        model.validate_schema(credential)
    assert model.schema_errors(swimming_credential()) == []


def test_spec_examples_validate(standards_examples):
    for document in standards_examples:
        assert model.schema_errors(document) == []


@pytest.fixture
def standards_examples():
    from pathlib import Path

    folder = Path(__file__).parent / "fixtures" / "ob30-spec"
    return [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(min_size=1, max_size=40).filter(lambda s: s.strip()),
    narrative=st.text(min_size=1, max_size=200),
    days=st.integers(min_value=1, max_value=3650),
)
def test_any_text_builds_a_schema_valid_credential(name, narrative, days):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    achievement = model.achievement(
        id="https://example.kr/a/1", name=name, description=name, criteria_narrative=narrative
    )
    credential = model.open_badge_credential(
        id="urn:uuid:8c2d9a5e-7d3f-4b53-9b8e-0d6f0e2f9a11",
        issuer=model.profile(id=ISSUER_DID, name="발급기관"),
        achievement=achievement,
        valid_from=start,
        valid_until=start + timedelta(days=days),
        subject_id="did:example:learner",
    )
    assert credential["credentialSubject"]["achievement"]["name"] == name
    assert model.parse_datetime(credential["validUntil"]) == start + timedelta(days=days)
