"""Deleting an account: personal data leaves the platform, issued credentials stay valid and
revocable."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from baeji.audit.models import AuditEvent
from baeji.awards.models import Award
from baeji.awards.services import award_notify, award_revoke
from baeji.backpack.models import (
    BackpackDecision,
    Collection,
    CollectionItem,
    ImportedBadge,
    LearnerProfile,
)
from baeji.emails.models import Delivery, OutboxMessage

from .conftest import claim_path, issue


def test_delete_account_removes_personal_data(client, world, swim_badge, outside, settings):
    settings.EMAIL_BACKEND = "baeji.emails.backends.DatabaseOutboxBackend"
    award = issue(swim_badge, "Minjun@Learners.example", name="김민준")
    declined = issue(swim_badge, "minjun@learners.example", name="김민준")
    client.post(claim_path(award), {"action": "accept"})
    client.post(f"/me/badges/a/{declined.public_id}", {"action": "declined"})
    user = get_user_model().objects.get(email="minjun@learners.example")
    client.post("/me/import", {"text": json.dumps(outside.credential())})
    client.post("/me/collections", {"name": "대학 지원"})
    client.post("/me/profile", {"handle": "minjun", "display_name": "민준", "enabled": "on"})
    client.post("/me/did")
    client.post("/accounts/email/", {"action_add": "", "email": "second@learners.example"})
    # The award e-mails, as the issuer's log keeps them (still queued: nothing is sent here).
    assert award_notify(award_id=award.pk) and award_notify(award_id=declined.pk)
    assert Delivery.objects.filter(to="minjun@learners.example").count() == 2
    assert OutboxMessage.objects.filter(to__icontains="second@learners.example").exists()
    assert ImportedBadge.objects.count() == 1 and Collection.objects.count() == 1

    page = client.get("/me/account/delete")
    assert page.status_code == 200
    # A wrong confirmation changes nothing.
    assert client.post("/me/account/delete", {"confirm": "nope"}).status_code == 400
    assert get_user_model().objects.filter(pk=user.pk).exists()

    response = client.post("/me/account/delete", {"confirm": "삭제"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/me/badges").status_code == 302  # signed out

    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not EmailAddress.objects.filter(email__icontains="learners.example").exists()
    for model in (ImportedBadge, Collection, CollectionItem, LearnerProfile):
        assert not model.objects.exists(), model
    assert not Award.objects.filter(recipient_email__icontains="learners.example").exists()
    assert not Award.objects.filter(recipient_name="김민준").exists()
    assert not OutboxMessage.objects.filter(to__icontains="learners.example").exists()
    # The issuer's e-mail log keeps that two e-mails were due, not to whom or what they said,
    # and nothing more is sent to the deleted account.
    deliveries = list(Delivery.objects.filter(award__in=[award, declined]))
    assert len(deliveries) == 2
    for delivery in deliveries:
        assert delivery.to == "deleted@deleted.invalid" and not delivery.body_text
        assert "learners.example" not in delivery.subject + delivery.body_html
        assert delivery.status == Delivery.Status.FAILED and delivery.next_attempt_at is None
    for event in AuditEvent.objects.all():
        assert "learners.example" not in json.dumps(event.data, ensure_ascii=False)
    # The issuer still sees that the learner declined.
    assert BackpackDecision.objects.get(award=declined).decision == "declined"

    # The credential still verifies, and its issuer can still revoke it.
    client.logout()
    page = client.get(f"/c/{award.public_id}")
    assert page.status_code == 200 and page.context["report"].valid
    assert "김민준" not in page.content.decode()
    award_revoke(award=Award.objects.get(pk=award.pk), reason="오류", by=world.owner)
    assert not client.get(f"/c/{award.public_id}").context["report"].valid


def test_delete_needs_sign_in(client, world):
    assert client.post("/me/account/delete", {"confirm": "삭제"}).status_code == 302
    assert get_user_model().objects.count() == 5


def test_a_deletion_that_fails_midway_changes_nothing(world, swim_badge, monkeypatch):
    """One transaction: if anything fails, the learner keeps both the account and the badge."""
    from baeji.accounts import services

    award = issue(swim_badge, "minjun@learners.example", name="김민준")
    user = get_user_model().objects.create_user(username="minjun", email="minjun@learners.example")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    Award.objects.filter(pk=award.pk).update(recipient=user)

    def broken(**_kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        services.account_delete(user=user)
    award.refresh_from_db()
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert award.recipient_id == user.pk and award.recipient_email == "minjun@learners.example"
