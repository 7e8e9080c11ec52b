"""Badge classes: versions after award, safe criteria, audit events."""

from __future__ import annotations

import json

from baeji.achievements.services import achievement_update
from baeji.audit.models import AuditEvent
from baeji.awards.services import award_issue


def test_editing_before_award_changes_in_place(world, swim_badge):
    version = achievement_update(achievement=swim_badge, by=world.owner, name="수영 첫걸음")
    assert version.number == 1
    assert swim_badge.versions.count() == 1


def test_editing_after_award_creates_a_new_version(client, world, swim_badge):
    award = award_issue(
        achievement=swim_badge, recipient_email="a@example.com", recipient_name="A", notify=False
    )
    client.force_login(world.owner)
    response = client.post(
        f"/manage/badges/{swim_badge.public_id}",
        {
            "action": "edit",
            "name": "수영 1단계 (개정)",
            "description": "새 설명",
            "criteria_md": "- 자유형 25m 45초 이내",
        },
    )
    assert response.status_code == 302
    swim_badge.refresh_from_db()
    assert swim_badge.current_version.number == 2
    assert swim_badge.current_version.name == "수영 1단계 (개정)"
    award.refresh_from_db()
    assert award.version.number == 1
    assert (
        json.loads(award.credential_json)["credentialSubject"]["achievement"]["name"]
        == "수영 1단계"
    )
    old_page = client.get(f"/badges/{award.version.public_id}").content.decode()
    assert "50초" in old_page and "새 버전이 있습니다" in old_page
    new = award_issue(
        achievement=swim_badge, recipient_email="b@example.com", recipient_name="B", notify=False
    )
    assert new.version.number == 2


def test_issuers_cannot_edit(client, world, swim_badge):
    client.force_login(world.member)
    response = client.post(
        f"/manage/badges/{swim_badge.public_id}",
        {"action": "edit", "name": "x", "description": "y", "criteria_md": ""},
    )
    assert response.status_code == 403


def test_criteria_markdown_is_sanitised(client, world, swim_badge):
    achievement_update(
        achievement=swim_badge,
        by=world.owner,
        criteria_md="**굵게** <script>alert(1)</script> [x](javascript:alert(1))",
    )
    page = client.get(f"/badges/{swim_badge.current_version.public_id}").content.decode()
    assert "<strong>굵게</strong>" in page
    assert "<script>alert" not in page
    assert "javascript:" not in page


def test_services_write_audit_events_with_ip(client, world, swim_badge):
    client.force_login(world.member)
    client.post(
        f"/manage/badges/{swim_badge.public_id}",
        {"action": "award", "recipient_name": "A", "recipient_email": "a@example.com"},
        REMOTE_ADDR="203.0.113.9",
    )
    event = AuditEvent.objects.filter(action="award.issue").get()
    assert event.actor == world.member and event.organization == world.school
    assert event.ip == "203.0.113.9"
    client.force_login(world.owner)
    page = client.get("/orgs/school/audit").content.decode()
    assert "award.issue" in page and "203.0.113.9" in page
