"""Public pages: issuer profile, /verify, the demo outbox, language, security headers."""

from __future__ import annotations

import json

import pytest

from baeji.awards.services import award_issue


@pytest.fixture
def award(world, swim_badge):
    return award_issue(
        achievement=swim_badge,
        recipient_email="a@example.com",
        recipient_name="이서연",
        narrative="기록 42초",
        notify=False,
    )


def test_issuer_profile_lists_badges(client, world, swim_badge, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get("/issuers/school/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "수영 1단계" in body and "did:web:badges.example.org:issuers:school" in body


def test_verify_page_accepts_pasted_json(client, award):
    response = client.post("/verify", {"text": award.credential_json})
    assert response.status_code == 200
    assert response.context["report"].valid


def test_verify_page_accepts_a_baked_image(client, award):
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = client.get(f"/c/{award.public_id}.png").content
    response = client.post("/verify", {"file": SimpleUploadedFile("b.png", png, "image/png")})
    assert response.context["report"].valid


def test_verify_page_reports_tampering(client, award):
    document = json.loads(award.credential_json)
    document["name"] = "가짜 배지"
    response = client.post("/verify", {"text": json.dumps(document, ensure_ascii=False)})
    report = response.context["report"]
    assert not report.valid
    assert report.get("proof").status == "fail"


def test_verify_page_accepts_our_url(client, award):
    response = client.post("/verify", {"url": f"https://badges.example.org/c/{award.public_id}"})
    assert response.context["report"].valid


def test_outbox_only_in_the_demo(
    client, settings, world, swim_badge, django_capture_on_commit_callbacks
):
    assert client.get("/dev/outbox").status_code == 404
    settings.DEV_OUTBOX = True
    settings.EMAIL_BACKEND = "baeji.emails.backends.DatabaseOutboxBackend"
    with django_capture_on_commit_callbacks(execute=True):
        award_issue(
            achievement=swim_badge, recipient_email="a@example.com", recipient_name="이서연"
        )
    page = client.get("/dev/outbox")
    assert page.status_code == 200
    assert "a@example.com" in page.content.decode()
    from baeji.emails.models import OutboxMessage

    message = OutboxMessage.objects.get()
    assert "/claim/" in message.body_text and "/claim/" in message.body_html
    detail = client.get(f"/dev/outbox/{message.pk}").content.decode()
    assert "sandbox" in detail


def test_award_email_is_sent_only_once(world, swim_badge, django_capture_on_commit_callbacks):
    from django.core import mail

    from baeji.awards.tasks import send_award_email

    with django_capture_on_commit_callbacks(execute=True):
        award = award_issue(
            achievement=swim_badge, recipient_email="a@example.com", recipient_name="이서연"
        )
    send_award_email.call(award.pk)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(("language", "text"), [("ko", "배지 확인"), ("en", "Verify a badge")])
def test_pages_in_korean_and_english(client, world, language, text):
    response = client.get("/verify", HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert text in body
    assert 'href="#main"' in body and '<main id="main"' in body


def test_english_award_email(world, swim_badge, django_capture_on_commit_callbacks):
    from django.core import mail

    from baeji.achievements.services import achievement_update

    achievement_update(achievement=swim_badge, language="en", name="Swimming 1")
    with django_capture_on_commit_callbacks(execute=True):
        award_issue(achievement=swim_badge, recipient_email="a@example.com", recipient_name="Alex")
    assert mail.outbox[0].subject.startswith("You have earned the badge")


def test_korean_award_email(world, swim_badge, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        award_issue(
            achievement=swim_badge, recipient_email="a@example.com", recipient_name="이서연"
        )
    assert "배지" in mail.outbox[0].subject
    assert "안녕하세요" in mail.outbox[0].body
