"""The API's batch endpoint: a job through the bulk pipeline (same checks, row keys, intake
review and chunked job as spreadsheets), Idempotency-Key, per-item results, scopes, tenancy."""

from __future__ import annotations

import pytest
from django.core import mail

from baeji.awards.models import Award, PendingAward
from baeji.bulk.models import Batch, BatchRow
from baeji.bulk.services import batch_review, intake_policy_set
from baeji.bulk.validation import today_in_korea
from baeji.credentials.verify import verify
from baeji.verification.selectors import local_fetcher
from tests.api.conftest import api_secret

BATCH = "/api/v1/awards/batch"
DAY = "2026-03-02"


@pytest.fixture
def reading(world):
    """A badge of ``school`` that needs no result."""
    from baeji.achievements.services import achievement_create

    return achievement_create(
        organization=world.school,
        slug="reading",
        by=world.owner,
        name="독서 마라톤",
        description="한 학기에 책 열 권을 읽었습니다.",
        criteria_md="- 책 10권",
    )


@pytest.fixture
def assigned(world):
    """A badge of the authority that ``school`` may issue."""
    from baeji.achievements.services import achievement_create
    from baeji.bulk.services import assignment_set

    achievement = achievement_create(
        organization=world.authority,
        slug="ai-basics",
        by=world.authority_admin,
        name="AI 기초",
        description="AI 기초 과정을 이수했습니다.",
        criteria_md="- 30시간 이수",
    )
    assignment_set(achievement=achievement, institution=world.school, assigned=True)
    return achievement


@pytest.fixture
def direct(world):
    """``school`` issues without its authority's review."""
    intake_policy_set(institution=world.school, direct_issue=True)


def _token(world, **options):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_secret(world, **options)}"}


def _post(client, body, auth, run, **headers):
    with run(execute=True):
        return client.post(BATCH, body, content_type="application/json", **auth, **headers)


def _item(n, **extra):
    return {
        "achievement": "reading",
        "recipient_email": f"learner{n}@example.kr",
        "recipient_name": f"학생{n}",
        "issued_on": DAY,
        **extra,
    }


def test_batch_returns_a_job_that_issues_verifiable_awards(
    client, world, reading, direct, django_capture_on_commit_callbacks
):
    auth = _token(world)
    items = [
        _item(1, narrative="열 권 완주"),
        _item(2, notify=False, achievement=reading.public_id),
        _item(3, recipient_email=None, learner_id="S-0003"),
    ]
    response = _post(client, {"items": items}, auth, django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] == "issuing" and job["source"] == "api"
    assert (job["total"], job["item_count"], job["pending_claim"]) == (3, 3, 1)
    status_url = f"https://badges.example.org/api/v1/jobs/{job['id']}"
    assert job["links"] == {"status": status_url, "items": status_url + "/items"}
    assert response["Location"] == status_url

    done = client.get(f"/api/v1/jobs/{job['id']}", **auth).json()
    assert done["status"] == "done" and done["done"] == 3 and done["finished_at"]
    batch = Batch.objects.get(public_id=job["id"])
    assert batch.source == "api" and batch.uploaded_by == world.owner
    assert batch.submitted_by == world.owner and batch.filename == "API: 학사 시스템"

    awards = {a.recipient_email: a for a in Award.objects.all()}
    assert set(awards) == {"learner1@example.kr", "learner2@example.kr"}
    for award in awards.values():
        assert award.organization == world.school and award.issued_by == world.owner
        assert award.issued_at.date().isoformat() == DAY and award.row_key
        report = verify(award.credential_json, fetcher=local_fetcher([world.school]))
        assert report.valid, report.to_dict()
    assert awards["learner1@example.kr"].narrative == "열 권 완주"
    pending = PendingAward.objects.get()
    assert pending.recipient_name == "학생3" and pending.claim_code
    # notify: false is kept per item: only the first learner got the award e-mail.
    assert [m.to for m in mail.outbox] == [["learner1@example.kr"]]


def test_an_item_without_date_is_dated_today_in_korea(
    client, world, reading, direct, django_capture_on_commit_callbacks
):
    auth = _token(world)
    before = today_in_korea().isoformat()
    response = _post(
        client, {"items": [_item(1, issued_on=None)]}, auth, django_capture_on_commit_callbacks
    )
    assert response.status_code == 202, response.content
    row = BatchRow.objects.get()
    assert row.data["issued_on"] in {before, today_in_korea().isoformat()}


def test_invalid_items_store_nothing(
    client, world, reading, swim_badge, direct, django_capture_on_commit_callbacks
):
    auth = _token(world)
    items = [
        _item(1),
        _item(2, recipient_email="not-an-address"),
        _item(3, achievement="no-such-badge"),
        _item(4, achievement="swim-1"),  # the swimming badge needs a result
        _item(5, issued_on="2999-01-01"),
        _item(1),  # the same learner, badge and date as the first item
    ]
    response = _post(
        client,
        {"items": items},
        auth,
        django_capture_on_commit_callbacks,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_items" and "nothing" in body["message"]
    assert [d["index"] for d in body["details"]] == [1, 2, 3, 4, 5]
    assert [d["line"] for d in body["details"]] == [2, 3, 4, 5, 6]
    codes = [[e["code"] for e in d["errors"]] for d in body["details"]]
    assert codes == [
        ["bad_email"],
        ["unknown_achievement"],
        ["result_required"],
        ["future_date"],
        ["duplicate_in_file"],
    ]
    assert body["details"][0]["errors"][0]["field"] == "email"
    assert "e-mail" in body["details"][0]["errors"][0]["message"].lower()
    korean = _post(
        client,
        {"items": items},
        auth,
        django_capture_on_commit_callbacks,
        HTTP_ACCEPT_LANGUAGE="ko",
    ).json()
    assert (
        korean["details"][0]["errors"][0]["message"] != body["details"][0]["errors"][0]["message"]
    )
    assert korean["message"] == "올바르지 않은 항목이 있어 아무것도 저장하지 않았습니다."
    assert not Batch.objects.exists() and not BatchRow.objects.exists()
    assert not Award.objects.exists() and not PendingAward.objects.exists()

    response = _post(
        client, {"items": items, "skip_invalid": True}, auth, django_capture_on_commit_callbacks
    )
    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["valid"], job["invalid"]) == (1, 5)
    assert list(Award.objects.values_list("recipient_email", flat=True)) == ["learner1@example.kr"]
    # With nothing valid, even skip_invalid stores nothing.
    response = _post(
        client,
        {"items": items[1:3], "skip_invalid": True},
        auth,
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid_items"
    assert Batch.objects.count() == 1


def test_empty_too_large_and_malformed_batches(
    client, world, reading, direct, settings, django_capture_on_commit_callbacks
):
    auth = _token(world)
    run = django_capture_on_commit_callbacks
    response = _post(client, {"items": []}, auth, run)
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    settings.BAEJI_BULK_MAX_RECORDS = 3
    response = _post(client, {"items": [_item(n) for n in range(4)]}, auth, run)
    assert response.status_code == 422
    assert response.json()["code"] == "too_large" and "3" in response.json()["message"]
    response = _post(client, {"items": [{"achievement": "reading"}]}, auth, run)
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200
    response = _post(client, {"items": [_item(n) for n in range(3)]}, auth, run)
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    response = _post(client, {"items": [_item(1)]}, auth, run, HTTP_IDEMPOTENCY_KEY="a b")
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert not Batch.objects.exists() and not Award.objects.exists()


def test_idempotency_key_returns_the_same_job(
    client, world, reading, direct, django_capture_on_commit_callbacks
):
    auth = _token(world)
    run = django_capture_on_commit_callbacks
    body = {"items": [_item(1), _item(2)]}
    first = _post(client, body, auth, run, HTTP_IDEMPOTENCY_KEY="order-42")
    assert first.status_code == 202 and not first.has_header("Idempotent-Replayed")
    again = _post(client, body, auth, run, HTTP_IDEMPOTENCY_KEY="order-42")
    assert again.status_code == 202 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["status"] == "done"
    assert Batch.objects.count() == 1 and Award.objects.count() == 2
    assert Batch.objects.get().idempotency_key == "order-42"

    # The same key with other items is a client error, not a silent replay.
    other = _post(client, {"items": [_item(3)]}, auth, run, HTTP_IDEMPOTENCY_KEY="order-42")
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    # Keys belong to one organization: the authority may use the same key for its own job.
    from baeji.achievements.services import achievement_create

    achievement_create(
        organization=world.authority,
        slug="reading",
        by=world.authority_admin,
        name="독서",
        description="독서",
        criteria_md="- 독서",
    )
    authority = _token(world, organization=world.authority)
    theirs = _post(client, body, authority, run, HTTP_IDEMPOTENCY_KEY="order-42")
    assert theirs.status_code == 202 and theirs.json()["id"] != first.json()["id"]

    # Without a key a retry makes a second job, but the row keys issue nothing twice.
    retry = _post(client, body, auth, run)
    assert retry.status_code == 202, retry.content
    job = retry.json()
    assert job["id"] != first.json()["id"]
    assert job["status"] == "done" and (job["already_issued"], job["total"]) == (2, 0)
    assert Award.objects.filter(organization=world.school).count() == 2


def test_a_concurrent_request_with_the_same_key_gets_the_stored_job(
    world, reading, direct, monkeypatch, django_capture_on_commit_callbacks
):
    """Both requests pass the first look-up; the second meets the unique key and answers
    with the first one's batch instead of an error."""
    from baeji.bulk import services

    records = [{"name": "가", "email": "a@example.kr", "achievement": "reading", "issued_on": DAY}]
    with django_capture_on_commit_callbacks(execute=True):
        first, created = services.batch_create_from_records(
            organization=world.school, records=records, idempotency_key="k-1"
        )
    assert created
    real = services._replay
    calls = []

    def late(organization, key, content):
        calls.append(key)
        return None if len(calls) == 1 else real(organization, key, content)

    monkeypatch.setattr(services, "_replay", late)
    second, created = services.batch_create_from_records(
        organization=world.school, records=records, idempotency_key="k-1"
    )
    assert not created and second.pk == first.pk and len(calls) == 2
    assert Batch.objects.count() == 1 and Award.objects.count() == 1


def test_scopes_and_other_organizations(
    client, world, reading, direct, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    read_only = _token(world, award=False)
    response = _post(client, {"items": [_item(1)]}, read_only, run)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not Batch.objects.exists()

    job = _post(client, {"items": [_item(1)]}, _token(world), run).json()
    award_only = _token(world, read=False)
    assert client.get(f"/api/v1/jobs/{job['id']}", **award_only).status_code == 403
    assert client.get(f"/api/v1/jobs/{job['id']}", **read_only).status_code == 200
    sibling = _token(world, organization=world.sibling)
    for url in (f"/api/v1/jobs/{job['id']}", f"/api/v1/jobs/{job['id']}/items"):
        response = client.get(url, **sibling)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    # The sibling cannot issue school's badge either.
    response = _post(client, {"items": [_item(9)]}, _token(world, organization=world.sibling), run)
    assert response.status_code == 422
    assert response.json()["details"][0]["errors"][0]["code"] == "unknown_achievement"


def test_institution_under_review_waits_for_approval(
    client, world, assigned, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    auth = _token(world)
    items = [_item(1, achievement="ai-basics"), _item(2, achievement="ai-basics")]
    response = _post(client, {"items": items}, auth, run)
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] == "submitted" and job["total"] == 2 and job["started_at"] is None
    assert not Award.objects.exists()
    page = client.get(f"/api/v1/jobs/{job['id']}/items", **auth).json()
    assert [item["outcome"] for item in page["items"]] == ["waiting", "waiting"]

    batch = Batch.objects.get(public_id=job["id"])
    with run(execute=True):
        batch_review(batch=batch, by=world.authority_admin, approve=True)
    assert client.get(f"/api/v1/jobs/{job['id']}", **auth).json()["status"] == "done"
    assert Award.objects.count() == 2
    award = Award.objects.first()
    assert award.organization == world.school and award.achievement.organization == world.authority


def test_rejected_job_reports_items_not_issued(
    client, world, assigned, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    auth = _token(world)
    job = _post(client, {"items": [_item(1, achievement="ai-basics")]}, auth, run).json()
    with run(execute=True):
        batch_review(
            batch=Batch.objects.get(public_id=job["id"]),
            by=world.authority_admin,
            approve=False,
            comment="날짜 확인",
        )
    assert client.get(f"/api/v1/jobs/{job['id']}", **auth).json()["status"] == "rejected"
    page = client.get(f"/api/v1/jobs/{job['id']}/items", **auth).json()
    assert [item["outcome"] for item in page["items"]] == ["not_issued"]
    assert not Award.objects.exists()


def test_items_are_paginated_with_their_outcomes(
    client, world, reading, direct, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    auth = _token(world)
    assert _post(client, {"items": [_item(3)]}, auth, run).status_code == 202
    items = [
        _item(1),
        _item(2, recipient_email=None),
        _item(3),  # issued by the first job
        _item(4, recipient_email="nope"),
        _item(5),
    ]
    job = _post(client, {"items": items, "skip_invalid": True}, auth, run).json()
    url = f"/api/v1/jobs/{job['id']}/items"
    page = client.get(url + "?limit=3&offset=1", **auth).json()
    assert (page["count"], page["limit"], page["offset"]) == (5, 3, 1)
    assert [(i["index"], i["line"], i["outcome"]) for i in page["items"]] == [
        (1, 2, "pending_claim"),
        (2, 3, "already_issued"),
        (3, 4, "invalid"),
    ]
    pending, already, invalid = page["items"]
    code = PendingAward.objects.get().claim_code
    assert pending["claim_url"] and code in pending["claim_url"] and pending["award_id"] is None
    earlier = Award.objects.get(recipient_email="learner3@example.kr")
    assert already["award_id"] == earlier.public_id
    assert already["url"] == f"https://badges.example.org/c/{earlier.public_id}"
    assert already["errors"][0]["code"] == "already_awarded"
    assert invalid["errors"][0]["code"] == "bad_email" and invalid["award_id"] is None
    first = client.get(url + "?limit=1", **auth).json()["items"][0]
    award = Award.objects.get(public_id=first["award_id"])
    assert first["outcome"] == "issued" and award.recipient_email == "learner1@example.kr"
    assert client.get(url + "?limit=1000", **auth).json()["limit"] == 200


def test_job_status_of_a_spreadsheet_batch_still_works(
    client, world, reading, direct, django_capture_on_commit_callbacks
):
    from baeji.bulk.services import batch_create

    auth = _token(world)
    data = f"name,email,achievement,issued_on\n가,a@example.kr,reading,{DAY}\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_create(
            organization=world.school, uploaded_by=world.member, data=data, filename="a.csv"
        )
    job = client.get(f"/api/v1/jobs/{batch.public_id}", **auth).json()
    assert job["status"] == "validated" and job["source"] == "upload" and job["total"] == 1
    items = client.get(f"/api/v1/jobs/{batch.public_id}/items", **auth).json()["items"]
    assert [(i["index"], i["line"], i["outcome"]) for i in items] == [(None, 2, "waiting")]


def test_openapi_describes_the_job_endpoints(client, db):
    document = client.get("/api/openapi.json").json()
    batch = document["paths"]["/api/v1/awards/batch"]["post"]
    assert "202" in batch["responses"]
    assert any(p["name"] == "Idempotency-Key" for p in batch["parameters"])
    assert "/api/v1/jobs/{job_id}/items" in document["paths"]


def test_json_values_may_start_like_formulas(
    client, world, reading, direct, django_capture_on_commit_callbacks
):
    """Values that never were spreadsheet cells are not refused as formulas: a narrative
    may be a Markdown list."""
    auth = _token(world)
    narrative = "- 1단원 완주\n- 2단원 완주"
    response = _post(
        client,
        {"items": [_item(1, narrative=narrative, recipient_name="=김민준")]},
        auth,
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 202, response.content
    award = Award.objects.get()
    assert award.narrative == narrative and award.recipient_name == "=김민준"


def test_an_evidence_url_longer_than_an_award_keeps_is_refused_up_front(
    client, world, reading, direct, django_capture_on_commit_callbacks
):
    """An award keeps 500 characters of evidence URL: a longer one is an invalid item (not a
    chunk that fails half-way on PostgreSQL)."""
    auth = _token(world)
    long_url = "https://evidence.example.kr/" + "a" * 480
    body = {"items": [_item(1, evidence_url=long_url), _item(2)]}
    response = _post(client, body, auth, django_capture_on_commit_callbacks)
    assert response.status_code == 422, response.content
    answer = response.json()
    assert answer["code"] == "invalid_items"
    assert [(d["index"], d["errors"][0]["code"]) for d in answer["details"]] == [(0, "too_long")]
    assert not Batch.objects.exists() and not Award.objects.exists()
