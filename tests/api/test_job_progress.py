"""A job's progress through the API: done / total / rate / ETA / errors, as in the UI and CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from baeji.bulk.models import Batch
from tests.api.conftest import api_secret


def test_job_status_has_rate_and_eta(
    client, world, django_capture_on_commit_callbacks, monkeypatch
):
    from baeji.achievements.services import achievement_create

    achievement_create(
        organization=world.school,
        slug="reading",
        by=world.owner,
        name="독서 마라톤",
        description="한 학기에 책 열 권을 읽었습니다.",
        criteria_md="- 책 10권",
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_secret(world)}"}
    item = {"achievement": "reading", "recipient_name": "학생", "issued_on": "2026-03-02"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/awards/batch", {"items": [item]}, content_type="application/json", **auth
        )
    job = response.json()
    assert response.status_code == 202 and job["status"] == "submitted"
    assert job["rate"] == 0 and job["eta_seconds"] is None
    now = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    Batch.objects.filter(public_id=job["id"]).update(
        status=Batch.Status.ISSUING,
        job_total=10,
        job_done=4,
        job_errors=1,
        started_at=now - timedelta(seconds=8),
    )
    status = client.get(f"/api/v1/jobs/{job['id']}", **auth).json()
    assert (status["done"], status["total"], status["errors"]) == (4, 10, 1)
    assert status["rate"] == 0.5 and status["eta_seconds"] == 12.0
