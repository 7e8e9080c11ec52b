"""The issuing API over HTTP: tokens from the UI, scopes, revocation, tenancy, all-or-nothing
batches, JSON errors (batch jobs in detail: test_api_batch_jobs.py)."""

from __future__ import annotations

import re

import pytest

from baeji.api.models import ApiToken
from baeji.api.services import api_token_revoke
from baeji.awards.models import Award
from baeji.awards.services import award_issue
from tests.api.conftest import api_secret

_token = api_secret


def _auth(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _post(client, url, body, secret):
    return client.post(url, body, content_type="application/json", **_auth(secret))


AWARD = {
    "achievement": "swim-1",
    "recipient_email": "Minjun@Learners.example",
    "recipient_name": "김민준",
    "narrative": "25m 완주",
    "notify": False,
}


def test_token_ui_shows_secret_once_and_revokes(client, world):
    client.force_login(world.owner)
    response = client.post(
        "/api/orgs/school/tokens", {"action": "create", "name": "LMS", "can_award": "on"}
    )
    assert response.status_code == 200
    secret = re.search(r'value="(bj_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.token_hash != secret and secret not in token.token_hash
    assert token.scopes == ["award"]
    listing = client.get("/api/orgs/school/tokens").content.decode()
    assert secret not in listing and token.prefix in listing
    response = client.post(
        "/api/orgs/school/tokens", {"action": "revoke", "token": token.public_id}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize(
    "who,status", [("member", 403), ("outsider", 404), ("sibling_member", 404)]
)
def test_token_ui_is_for_admins_of_the_organization(client, world, who, status):
    secret = _token(world)
    token = ApiToken.objects.get()
    client.force_login(getattr(world, who))
    assert client.get("/api/orgs/school/tokens").status_code == status
    assert (
        client.post(
            "/api/orgs/school/tokens", {"action": "revoke", "token": token.public_id}
        ).status_code
        == status
    )
    token.refresh_from_db()
    assert token.revoked_at is None and secret


def test_award_one_and_read_it_back(client, world, swim_badge):
    secret = _token(world)
    response = _post(client, "/api/v1/awards", AWARD, secret)
    assert response.status_code == 201, response.content
    body = response.json()
    award = Award.objects.get(public_id=body["id"])
    assert award.recipient_email == "minjun@learners.example" and award.narrative == "25m 완주"
    assert body["url"] == f"https://badges.example.org/c/{award.public_id}"
    one = client.get(f"/api/v1/awards/{award.public_id}", **_auth(secret)).json()
    assert one["credential"]["id"] == body["url"] and "proof" in one["credential"]
    assert ApiToken.objects.get().last_used_at is not None


def test_read_token_cannot_award_and_revoked_token_gets_401(client, world, swim_badge):
    read_only = _token(world, award=False)
    response = _post(client, "/api/v1/awards", AWARD, read_only)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden" and response.json()["message"]
    assert not Award.objects.exists()
    assert client.get("/api/v1/awards", **_auth(read_only)).status_code == 200
    api_token_revoke(token=ApiToken.objects.get(), by=world.owner)
    response = client.get("/api/v1/awards", **_auth(read_only))
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    assert client.get("/api/v1/awards").status_code == 401
    assert client.get("/api/v1/awards", **_auth("bj_made-up")).status_code == 401


def test_other_organizations_awards_are_not_found(client, world, swim_badge):
    award = award_issue(
        achievement=swim_badge, recipient_email="a@l.example", recipient_name="가", notify=False
    )
    sibling = _token(world, organization=world.sibling)
    assert client.get(f"/api/v1/awards/{award.public_id}", **_auth(sibling)).status_code == 404
    response = _post(client, f"/api/v1/awards/{award.public_id}/revoke", {"reason": "x"}, sibling)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get("/api/v1/awards", **_auth(sibling)).json()["count"] == 0
    response = _post(client, "/api/v1/awards", AWARD, sibling)  # not the sibling's badge
    assert response.status_code == 422
    award.refresh_from_db()
    assert award.status == "active"


def test_batch_with_one_bad_item_issues_nothing(
    client, world, swim_badge, django_capture_on_commit_callbacks
):
    from baeji.bulk.services import intake_policy_set

    intake_policy_set(institution=world.school, direct_issue=True)
    secret = _token(world)
    item = {**AWARD, "result": "48초"}
    items = [
        {**item, "recipient_email": "a@l.example"},
        {**item, "recipient_email": "not-an-address"},
        {**item, "recipient_email": "c@l.example", "achievement": "no-such-badge"},
    ]
    response = _post(client, "/api/v1/awards/batch", {"items": items}, secret)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_items"
    assert [d["index"] for d in body["details"]] == [1, 2]
    assert not Award.objects.exists()

    good = [{**item, "recipient_email": f"l{n}@l.example"} for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "/api/v1/awards/batch", {"items": good}, secret)
    assert response.status_code == 202, response.content
    assert response.json()["total"] == 3
    assert Award.objects.count() == 3


def test_malformed_body_gets_json_error(client, world, swim_badge):
    secret = _token(world)
    response = _post(client, "/api/v1/awards", {"recipient_name": "x"}, secret)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert not Award.objects.exists()


def test_list_is_paginated_and_filtered(client, world, swim_badge, django_assert_max_num_queries):
    secret = _token(world)
    for n in range(5):
        award_issue(
            achievement=swim_badge,
            recipient_email=f"l{n}@l.example",
            recipient_name=f"학생{n}",
            notify=False,
        )
    with django_assert_max_num_queries(6):
        page = client.get("/api/v1/awards?limit=2&offset=1", **_auth(secret)).json()
    assert page["count"] == 5 and len(page["items"]) == 2 and page["offset"] == 1
    only = client.get("/api/v1/awards?email=L3@l.example", **_auth(secret)).json()
    assert [a["recipient_email"] for a in only["items"]] == ["l3@l.example"]
    assert client.get("/api/v1/awards?status=revoked", **_auth(secret)).json()["count"] == 0
    assert client.get("/api/v1/awards?claimed=false", **_auth(secret)).json()["count"] == 5


def test_an_offset_past_any_database_integer_gives_an_empty_page(client, world, swim_badge):
    secret = _token(world)
    award_issue(
        achievement=swim_badge, recipient_email="l@l.example", recipient_name="학생", notify=False
    )
    response = client.get("/api/v1/awards?offset=100000000000000000000", **_auth(secret))
    assert response.status_code == 200
    assert response.json()["count"] == 1 and response.json()["items"] == []


def test_revoke_and_suspend(client, world, swim_badge):
    secret = _token(world)
    read_only = _token(world, award=False)
    ids = [
        award_issue(
            achievement=swim_badge,
            recipient_email=f"{n}@l.example",
            recipient_name="가",
            notify=False,
        ).public_id
        for n in range(2)
    ]
    assert (
        _post(client, f"/api/v1/awards/{ids[0]}/revoke", {"reason": "x"}, read_only).status_code
        == 403
    )
    response = _post(client, f"/api/v1/awards/{ids[0]}/revoke", {"reason": "오류"}, secret)
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    response = _post(client, f"/api/v1/awards/{ids[0]}/suspend", {"reason": "x"}, secret)
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    response = _post(client, f"/api/v1/awards/{ids[1]}/suspend", {"reason": "확인 중"}, secret)
    assert response.status_code == 200 and response.json()["status"] == "suspended"


def test_job_status_unknown_is_404(client, world):
    secret = _token(world)
    response = client.get("/api/v1/jobs/nosuchjob", **_auth(secret))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_openapi_document_and_docs(client, db):
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/awards" in paths and "/api/v1/awards/batch" in paths
    assert client.get("/api/docs").status_code == 200


def test_single_award_fields_longer_than_an_award_keeps_are_refused(client, world, swim_badge):
    secret = _token(world)
    body = {
        "achievement": swim_badge.public_id,
        "recipient_email": "learner@example.kr",
        "recipient_name": "가" * 201,
        "evidence_url": "https://evidence.example.kr/" + "a" * 480,
        "result": "r" * 201,
    }
    response = _post(client, "/api/v1/awards", body, secret)
    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "invalid"
    for field in ("recipient_name", "evidence_url", "result"):
        assert field in answer["message"]
    assert not Award.objects.exists()
