"""Whatever a client sends to the issuing API, the answer is JSON with a code and a message,
and a refused request writes nothing (property-based: hypothesis generates the bodies)."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from baeji.audit.models import AuditEvent
from baeji.awards.models import Award, PendingAward
from baeji.bulk.models import Batch, BatchRow
from tests.api.conftest import api_secret

FIELDS = [
    "achievement",
    "recipient_email",
    "recipient_name",
    "issued_on",
    "evidence_url",
    "narrative",
    "result",
    "learner_id",
    "notify",
    "surprise",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(
        ["reading", "learner@example.kr", "2026-03-02", "2999-01-01", "=1+1", "https://e.x/1"]
    ),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3), max_leaves=5)
ITEM = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=len(FIELDS))
BODY = st.one_of(
    st.fixed_dictionaries({"items": st.lists(ITEM, max_size=4)}),
    st.fixed_dictionaries({"items": st.lists(ITEM, max_size=4), "skip_invalid": st.booleans()}),
    VALUES,
)


def _counts():
    return [m.objects.count() for m in (Batch, BatchRow, Award, PendingAward, AuditEvent)]


@pytest.fixture
def reading(world):
    from baeji.achievements.services import achievement_create
    from baeji.bulk.services import intake_policy_set

    intake_policy_set(institution=world.school, direct_issue=True)
    return achievement_create(
        organization=world.school,
        slug="reading",
        by=world.owner,
        name="독서 마라톤",
        description="한 학기에 책 열 권을 읽었습니다.",
        criteria_md="- 책 10권",
    )


def _post_and_check(client, world, path: str, body, accepted: int) -> dict:
    """Post ``body``; any answer is JSON, and one that is not ``accepted`` has a code and a
    message and wrote nothing. Everything is rolled back afterwards."""
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_secret(world)}"}
    with transaction.atomic():
        before = _counts()
        response = client.post(path, json.dumps(body), content_type="application/json", **auth)
        assert response.status_code in {accepted, 400, 422}, (response.status_code, body)
        event(f"status {response.status_code}")
        answer = response.json()
        if response.status_code != accepted:
            assert answer["code"] and answer["message"], answer
            assert _counts() == before
        transaction.set_rollback(True)
    return answer if response.status_code == accepted else {}


FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
@settings(FUZZ, max_examples=120)
@given(body=BODY)
def test_any_batch_body_is_answered_in_json_and_a_refusal_writes_nothing(
    client, world, reading, body
):
    job = _post_and_check(client, world, "/api/v1/awards/batch", body, 202)
    assert not job or (job["status"] in {"issuing", "done"} and job["id"])


@pytest.mark.django_db
@settings(FUZZ, max_examples=60)
@given(item=ITEM)
def test_any_single_award_body_is_answered_in_json_and_a_refusal_writes_nothing(
    client, world, reading, item
):
    award = _post_and_check(client, world, "/api/v1/awards", item, 201)
    assert not award or award["id"]
