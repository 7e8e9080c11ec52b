"""CLR 2.0 edge cases: builder refusals, malformed records and odd inner entries."""

from __future__ import annotations

import copy

import pytest

from baeji.credentials import clr, contexts, model
from baeji.credentials.report import VerificationReport

from .conftest import AT
from .test_clr import SWIM, build_record, statuses, swim_credentials


@pytest.fixture
def swim(issuer):
    return swim_credentials(issuer)


# -- building ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "  "}, "a CLR needs a name"),
        ({"issuer": "did:key:z6Mk"}, "must be a Profile object with an id"),
        ({"credentials": "not a list"}, "non-empty list of signed credentials"),
        ({"partial": "yes"}, "partial must be True, False or None"),
        ({"learner_name": " "}, "learner_name must be a non-empty string or None"),
        ({"extra_achievements": [{"name": "no id"}]}, "must be an Achievement with an id"),
    ],
)
def test_builder_refuses_bad_arguments(swim, overrides, message):
    with pytest.raises(ValueError, match=message):
        build_record(swim, **overrides)


def test_builder_refuses_entries_that_are_not_credentials(issuer, swim):
    with pytest.raises(ValueError, match="credential #2 is not a JSON object"):
        clr.clr_credential(
            id="urn:uuid:6f1c1c4e-3a52-4f1e-9d0b-0c8f2f1e7a11",
            issuer=model.profile(id="https://baeji.example.kr", name="배지"),
            learner_name="김민준",
            credentials=[swim[0], 42],
            name="김민준의 학습 기록",
            valid_from="2026-05-01T00:00:00Z",
        )
    no_achievement = copy.deepcopy(swim[0])
    del no_achievement["credentialSubject"]["achievement"]["id"]
    with pytest.raises(ValueError, match="names no achievement with an id"):
        build_record([no_achievement], associations=())


def test_achievement_carried_twice_is_listed_once(issuer, swim):
    again = issuer.credential(
        index=200,
        id="https://youth.example.kr/c/swim-1-again",
        achievement=swim[0]["credentialSubject"]["achievement"],
    )
    record = build_record([swim[0], again], associations=())
    assert [a["id"] for a in record["credentialSubject"]["achievement"]] == [SWIM.format(1)]


def test_an_achievement_at_two_levels_does_not_precede_itself():
    items = [
        {"id": SWIM.format(1), "name": "수영 1단계"},
        {"id": SWIM.format(1), "name": "수영 2단계"},
        {"id": SWIM.format(3), "name": "수영 3단계"},
    ]
    links = clr.level_associations(items)
    assert [(link["sourceId"], link["targetId"]) for link in links] == [
        (SWIM.format(1), SWIM.format(3))
    ]


# -- the format check -------------------------------------------------------------------------


def _record_with(swim, **changes):
    record = build_record(swim, associations=())
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        (
            {"@context": None, "validFrom": None},
            ["@context is missing", "names no CLR 2.0 context", "validFrom is missing"],
        ),
        (
            {"@context": [contexts.OB_V3P0, contexts.CLR_V2P0]},
            ["the first @context must be https://www.w3.org/ns/credentials/v2"],
        ),
        (
            {"type": ["ClrCredential"], "issuer": {"name": "no id"}},
            ["type does not include VerifiableCredential", "issuer (with an id) is missing"],
        ),
        ({"credentialSubject": "did:example:learner"}, ["a ClrSubject object) is missing"]),
        ({"validFrom": None}, ["validFrom is missing"]),
    ],
)
def test_malformed_records_fail_format_naming_each_problem(issuer, swim, changes, problems):
    report = clr.verify_clr(_record_with(swim, **changes), fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["format"] == "fail"
    for problem in problems:
        assert problem in report.get("format").message


def test_subject_that_is_not_a_clr_subject(issuer, swim):
    record = _record_with(swim)
    record["credentialSubject"]["type"] = ["AchievementSubject"]
    record["credentialSubject"]["verifiableCredential"] = []
    report = clr.verify_clr(record, fetcher=issuer.fetcher, at=AT)
    message = report.get("format").message
    assert "type does not include ClrSubject" in message
    assert "verifiableCredential is missing or empty" in message


def test_type_without_clr_credential_is_not_a_record(issuer, swim):
    record = _record_with(swim, type=["VerifiableCredential", "ClrCredential"])
    record["type"] = ["VerifiableCredential", "OpenBadgeCredential"]
    report = clr.verify_clr(record, fetcher=issuer.fetcher, at=AT)
    assert report.checks[0].status == "fail"
    assert "type ClrCredential missing" in report.checks[0].message


def test_draft_clr_context_is_a_format_warning(issuer, swim):
    record = build_record(swim, associations=(), with_schema=False)
    record["@context"][1] = "https://dc.imsglobal.org/draft/clr/v2p0/context"
    report = clr.verify_clr(record, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["format"] == "warn"
    assert "pre-release CLR context" in report.get("format").message


# -- inner credentials and associations -------------------------------------------------------


def test_inner_entries_that_cannot_be_read(issuer, swim):
    record = build_record(swim[:1], associations=())
    record["credentialSubject"]["verifiableCredential"] += [7, "not.a.jws"]
    results = clr.verify_inner_credentials(record, fetcher=issuer.fetcher, at=AT)
    assert [label for label, _ in results][1:] == ["#2", "#3"]
    assert results[0][1].valid
    assert results[1][1].get("format").message == "neither a credential object nor a compact JWS"
    assert results[2][1].get("format").status == "fail"


@pytest.mark.parametrize(
    "record",
    [{"credentialSubject": "did:example:learner"}, {"credentialSubject": {"type": "ClrSubject"}}],
)
def test_a_record_without_credentials_carries_nothing_to_verify(issuer, record):
    assert clr.verify_inner_credentials(record, fetcher=issuer.fetcher, at=AT) == []
    report = VerificationReport()
    clr.check_clr_contents(record, report, fetcher=issuer.fetcher, at=AT)
    assert report.get("inner credentials").status == "fail"
    assert report.get("inner credentials").message == "the record carries no credentials"


def test_malformed_associations_are_warnings(issuer, swim):
    record = build_record(swim, associations=())
    record["credentialSubject"]["association"] = [
        "precedes",
        {"associationType": "follows", "sourceId": SWIM.format(1), "targetId": SWIM.format(2)},
    ]
    # An unreadable inner entry contributes no achievements, and does not stop the check.
    record["credentialSubject"]["verifiableCredential"].append(7)
    report = VerificationReport()
    clr.check_clr_contents(record, report, fetcher=issuer.fetcher, at=AT)
    message = report.get("associations").message
    assert report.get("associations").status == "warn"
    assert "an association is not an object" in message
    assert "unknown association type 'follows'" in message


def test_achievement_named_only_by_an_inner_credential_counts_as_known(issuer, swim):
    record = build_record(swim, associations=())
    subject = record["credentialSubject"]
    subject["achievement"] = subject["achievement"][:1]
    subject["association"] = [
        clr.association(
            association_type="precedes", source_id=SWIM.format(1), target_id=SWIM.format(2)
        )
    ]
    report = VerificationReport()
    clr.check_clr_contents(record, report, fetcher=issuer.fetcher, at=AT)
    assert report.get("associations").status == "pass"
