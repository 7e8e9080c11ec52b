"""E-mail retries with backoff, open tracking, reminders, resend and the claim funnel."""

from __future__ import annotations

import argparse
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from baeji.awards.services import award_issue, award_issue_pending
from baeji.emails.models import Delivery
from baeji.emails.services import deliveries_retry_due, email_settings_update, reminders_send
from tests.claims import flaky_backend


def _issue(world, badge, capture, email="minjun@learners.example"):
    with capture(execute=True):
        return award_issue(
            achievement=badge, recipient_email=email, recipient_name="김민준", issued_by=world.owner
        )


def test_failed_sends_are_retried_with_exponential_backoff(
    client, world, swim_badge, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.claims.flaky_backend.FailTwiceBackend"
    settings.BAEJI_EMAIL_RETRY_BASE_SECONDS = 60
    flaky_backend.FAILURES["left"] = 2
    award = _issue(world, swim_badge, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(award=award)
    assert delivery.status == "retrying" and delivery.attempts == 1
    first_wait = delivery.next_attempt_at - delivery.attempt_log.get().at
    assert first_wait == timedelta(seconds=60)
    assert mail.outbox == []

    # Not yet due: nothing happens.
    deliveries_retry_due(now=delivery.next_attempt_at - timedelta(seconds=1))
    delivery.refresh_from_db()
    assert delivery.attempts == 1

    deliveries_retry_due(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == "retrying" and delivery.attempts == 2
    second = list(delivery.attempt_log.all())[-1]
    assert delivery.next_attempt_at - second.at == timedelta(seconds=120)

    deliveries_retry_due(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 3
    assert [a.ok for a in delivery.attempt_log.all()] == [False, False, True]
    assert len(mail.outbox) == 1
    deliveries_retry_due(now=delivery.next_attempt_at or timezone.now() + timedelta(days=1))
    assert len(mail.outbox) == 1  # sent once only

    client.force_login(world.member)
    page = client.get("/orgs/school/emails")
    assert page.status_code == 200
    assert "mail server unavailable" in page.content.decode()


def test_delivery_gives_up_after_max_attempts(
    world, swim_badge, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.claims.flaky_backend.FailTwiceBackend"
    settings.BAEJI_EMAIL_MAX_ATTEMPTS = 2
    flaky_backend.FAILURES["left"] = 2
    award = _issue(world, swim_badge, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(award=award)
    deliveries_retry_due(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.next_attempt_at is None


@pytest.mark.parametrize("who,status", [("outsider", 404), ("sibling_member", 404)])
def test_email_log_is_private(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get("/orgs/school/emails").status_code == status


def test_opening_the_email_link_is_recorded_and_counted(
    client, world, swim_badge, django_capture_on_commit_callbacks
):
    award = _issue(world, swim_badge, django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    link = re.search(r"https://badges\.example\.org(/m/\S+)", message.body).group(1)
    assert link in message.alternatives[0][0]
    assert f"https://badges.example.org/c/{award.public_id}" in message.body
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == f"/c/{award.public_id}"
    assert Delivery.objects.get(award=award).opened_at is not None
    assert client.get(link[:-3] + "xyz").status_code == 404

    client.force_login(world.owner)
    page = client.get(f"/manage/badges/{swim_badge.public_id}/funnel")
    assert page.status_code == 200
    funnel = page.context["funnel"]
    assert (funnel.issued, funnel.notified, funnel.opened, funnel.claimed) == (1, 1, 1, 0)


def test_funnel_pages_and_permissions(
    client, world, swim_badge, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for n in range(3):
        _issue(
            world, swim_badge, django_capture_on_commit_callbacks, email=f"l{n}@learners.example"
        )
    award_issue_pending(achievement=swim_badge, recipient_name="코드 학생")
    client.force_login(world.member)
    with django_assert_max_num_queries(20):
        page = client.get("/orgs/school/funnel")
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["funnel"].issued == 4 and page.context["funnel"].notified == 3
    assert "vendor/chart.umd.min.js" in html and 'id="funnel-data"' in html and "<caption>" in html
    with django_assert_max_num_queries(20):
        page = client.get(f"/manage/badges/{swim_badge.public_id}/funnel")
    assert page.status_code == 200
    assert page.content.decode().count("/resend") == 3
    for who in ("outsider", "sibling_member"):
        client.force_login(getattr(world, who))
        assert client.get("/orgs/school/funnel").status_code == 404
        assert client.get(f"/manage/badges/{swim_badge.public_id}/funnel").status_code == 404


def test_resend_from_the_ui(client, world, swim_badge, django_capture_on_commit_callbacks):
    award = _issue(world, swim_badge, django_capture_on_commit_callbacks)
    client.force_login(world.outsider)
    assert client.post(f"/manage/awards/{award.public_id}/resend").status_code == 404
    client.force_login(world.sibling_member)
    assert client.post(f"/manage/awards/{award.public_id}/resend").status_code == 404
    client.force_login(world.member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/manage/awards/{award.public_id}/resend", {"next": "https://evil.example/"}
        )
    assert (
        response.status_code == 302 and response["Location"] == f"/manage/awards/{award.public_id}"
    )
    assert list(Delivery.objects.filter(award=award).values_list("kind", flat=True)) == [
        "resend",
        "award",
    ]
    assert len(mail.outbox) == 2


def test_reminders_follow_the_issuer_settings(
    world, swim_badge, django_capture_on_commit_callbacks
):
    award = _issue(world, swim_badge, django_capture_on_commit_callbacks)
    assert reminders_send() == 0  # no policy saved yet: defaults apply only once saved
    email_settings_update(
        organization=world.school, reminder_after_days=7, reminder_max=1, by=world.owner
    )
    assert reminders_send(now=timezone.now() + timedelta(days=6)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=timezone.now() + timedelta(days=8)) == 1
    reminder = Delivery.objects.get(award=award, kind="reminder")
    assert reminder.status == "sent"
    message = mail.outbox[-1]
    assert message.to == ["minjun@learners.example"]
    assert "수영 1단계" in message.subject
    assert "/claim/" in message.body and "/claim/" in message.alternatives[0][0]
    assert "/m/" in message.body and "/m/" in message.alternatives[0][0]
    assert reminders_send(now=timezone.now() + timedelta(days=30)) == 0  # at most one


def test_send_reminders_command(world, swim_badge, django_capture_on_commit_callbacks, capsys):
    from baeji.platform_cli import cmd_send_reminders

    award = _issue(world, swim_badge, django_capture_on_commit_callbacks)
    email_settings_update(organization=world.school, reminder_after_days=1, reminder_max=2, by=None)
    Delivery.objects.filter(award=award).update(sent_at=timezone.now() - timedelta(days=2))
    assert cmd_send_reminders(argparse.Namespace(issuer="school", data_dir=None)) == 0
    assert capsys.readouterr().out.strip() == "1"
    assert Delivery.objects.get(award=award, kind="reminder").status == "sent"
    assert cmd_send_reminders(argparse.Namespace(issuer="nope", data_dir=None)) == 2


def test_reminder_settings_form(client, world):
    client.force_login(world.member)  # an issuer, not an admin
    assert (
        client.post(
            "/orgs/school/emails", {"reminder_after_days": 3, "reminder_max": 1}
        ).status_code
        == 403
    )
    client.force_login(world.owner)
    response = client.post("/orgs/school/emails", {"reminder_after_days": 3, "reminder_max": 1})
    assert response.status_code == 302
    assert world.school.email_settings.reminder_after_days == 3
    response = client.post("/orgs/school/emails", {"reminder_after_days": -1, "reminder_max": 1})
    assert response.status_code == 200
    world.school.email_settings.refresh_from_db()
    assert world.school.email_settings.reminder_after_days == 3
