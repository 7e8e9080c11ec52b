"""Claim campaigns over HTTP: staff create/close, learners join once, limits hold."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from baeji.awards.models import Award
from baeji.claims.models import CampaignClaim, ClaimCampaign
from baeji.claims.services import campaign_create


def _campaign(world, badge, **extra):
    now = timezone.now()
    values = {
        "title": "여름 수영 교실",
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(hours=2),
    }
    values.update(extra)
    return campaign_create(organization=world.school, achievement=badge, by=world.owner, **values)


def _join(client, campaign, capture, **data):
    with capture(execute=True):
        return client.post(f"/join/{campaign.public_id}", data)


@pytest.mark.parametrize("who,status", [("owner", 302), ("member", 302)])
def test_staff_create_campaign(client, world, swim_badge, who, status):
    client.force_login(getattr(world, who))
    response = client.post(
        "/orgs/school/campaigns",
        {
            "achievement": swim_badge.public_id,
            "title": "공개 수업",
            "starts_at": "2026-01-01T09:00",
            "ends_at": "2036-01-01T12:00",
            "max_claims": "30",
            "question": "오늘 배운 것 한 가지는?",
            "code_word": "물개",
        },
    )
    assert response.status_code == status
    campaign = ClaimCampaign.objects.get()
    assert response["Location"] == f"/manage/campaigns/{campaign.public_id}"
    assert campaign.max_claims == 30 and campaign.code_word == "물개"
    page = client.get(f"/manage/campaigns/{campaign.public_id}")
    assert page.status_code == 200
    assert f"https://badges.example.org/join/{campaign.public_id}" in page.content.decode()
    assert '<svg role="img"' in page.content.decode()


def test_bad_window_is_refused_and_nothing_created(client, world, swim_badge):
    client.force_login(world.owner)
    response = client.post(
        "/orgs/school/campaigns",
        {
            "achievement": swim_badge.public_id,
            "title": "x",
            "starts_at": "2026-01-02T09:00",
            "ends_at": "2026-01-01T09:00",
        },
    )
    assert response.status_code == 200
    assert "캠페인 종료 시각은 시작 시각보다 뒤여야 합니다." in response.content.decode()
    assert not ClaimCampaign.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "sibling_member"])
def test_outsiders_and_siblings_see_nothing(client, world, swim_badge, who):
    campaign = _campaign(world, swim_badge)
    client.force_login(getattr(world, who))
    assert client.get("/orgs/school/campaigns").status_code == 404
    assert client.get(f"/manage/campaigns/{campaign.public_id}").status_code == 404
    assert client.get(f"/manage/campaigns/{campaign.public_id}/projector").status_code == 404
    assert (
        client.post(f"/manage/campaigns/{campaign.public_id}", {"action": "close"}).status_code
        == 404
    )
    campaign.refresh_from_db()
    assert campaign.closed_at is None


def test_viewer_cannot_close(client, world, swim_badge):
    from baeji.organizations.models import Role
    from baeji.organizations.services import membership_set

    campaign = _campaign(world, swim_badge)
    membership_set(organization=world.school, user=world.outsider, role=Role.VIEWER)
    client.force_login(world.outsider)
    assert client.get(f"/manage/campaigns/{campaign.public_id}").status_code == 200
    assert (
        client.post(f"/manage/campaigns/{campaign.public_id}", {"action": "close"}).status_code
        == 403
    )


def test_learner_joins_and_gets_signed_badge_with_answer_as_evidence(
    client, world, swim_badge, django_capture_on_commit_callbacks
):
    campaign = _campaign(world, swim_badge, question="오늘 배운 것은?", code_word="물개")
    assert client.get(f"/join/{campaign.public_id}").status_code == 200
    response = _join(
        client,
        campaign,
        django_capture_on_commit_callbacks,
        name="이서연",
        email="Seoyeon@Learners.example",
        answer="자유형 호흡법",
        code_word="  물개 ",
    )
    assert response.status_code == 200
    award = Award.objects.get()
    assert award.recipient_email == "seoyeon@learners.example"
    assert award.narrative == "자유형 호흡법"
    credential = json.loads(award.credential_json)
    assert credential["credentialSubject"]["achievement"]["name"] == "수영 1단계"
    assert any(e.get("narrative") == "자유형 호흡법" for e in credential.get("evidence", []))
    assert "proof" in credential
    assert f"/c/{award.public_id}" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.claims_count == 1
    # The award e-mail, in text and HTML, with its claim link.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["seoyeon@learners.example"]
    assert "/claim/" in message.body and "/claim/" in message.alternatives[0][0]


def test_wrong_code_word_missing_answer_and_duplicates_are_refused(
    client, world, swim_badge, django_capture_on_commit_callbacks
):
    campaign = _campaign(world, swim_badge, question="오늘 배운 것은?", code_word="물개")
    data = {"name": "박지호", "email": "jiho@learners.example", "answer": "잠수"}
    response = _join(client, campaign, django_capture_on_commit_callbacks, **data, code_word="고래")
    assert "code word" in response.content.decode() or "암호" in response.content.decode()
    assert not Award.objects.exists()
    response = _join(
        client,
        campaign,
        django_capture_on_commit_callbacks,
        **{**data, "answer": ""},
        code_word="물개",
    )
    assert not Award.objects.exists()
    _join(client, campaign, django_capture_on_commit_callbacks, **data, code_word="물개")
    assert Award.objects.count() == 1
    response = _join(
        client,
        campaign,
        django_capture_on_commit_callbacks,
        **{**data, "email": "JIHO@learners.example"},
        code_word="물개",
    )
    assert Award.objects.count() == 1
    assert CampaignClaim.objects.count() == 1
    campaign.refresh_from_db()
    assert campaign.claims_count == 1


def test_maximum_claims_window_and_closing(
    client, world, swim_badge, django_capture_on_commit_callbacks
):
    campaign = _campaign(world, swim_badge, max_claims=1)
    _join(client, campaign, django_capture_on_commit_callbacks, name="가", email="a@l.example")
    response = _join(
        client, campaign, django_capture_on_commit_callbacks, name="나", email="b@l.example"
    )
    assert Award.objects.count() == 1
    assert "claimed" in response.content.decode() or "모두" in response.content.decode()

    later = _campaign(
        world,
        swim_badge,
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=2),
    )
    _join(client, later, django_capture_on_commit_callbacks, name="다", email="c@l.example")
    ended = _campaign(
        world,
        swim_badge,
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=1),
    )
    _join(client, ended, django_capture_on_commit_callbacks, name="라", email="d@l.example")
    assert Award.objects.count() == 1

    open_one = _campaign(world, swim_badge)
    client.force_login(world.member)
    assert (
        client.post(f"/manage/campaigns/{open_one.public_id}", {"action": "close"}).status_code
        == 302
    )
    client.logout()
    _join(client, open_one, django_capture_on_commit_callbacks, name="마", email="e@l.example")
    assert Award.objects.count() == 1


def test_database_refuses_more_claims_than_the_maximum(world, swim_badge):
    campaign = _campaign(world, swim_badge, max_claims=2)
    ClaimCampaign.objects.filter(pk=campaign.pk).update(claims_count=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimCampaign.objects.filter(pk=campaign.pk).update(claims_count=3)


def test_signed_in_learner_gets_the_badge_in_their_account(
    client, world, swim_badge, django_capture_on_commit_callbacks
):
    from tests.platform.conftest import make_user

    learner = make_user("learner@learners.example")
    campaign = _campaign(world, swim_badge)
    client.force_login(learner)
    response = _join(client, campaign, django_capture_on_commit_callbacks, name="학생")
    assert response.status_code == 200
    award = Award.objects.get()
    assert award.recipient_id == learner.pk and award.claimed_at is not None
    assert award.recipient_email == "learner@learners.example"
    assert mail.outbox == []  # already in their account: no claim e-mail needed


def test_join_is_rate_limited_per_session(
    client, world, swim_badge, settings, django_capture_on_commit_callbacks
):
    settings.BAEJI_CLAIM_RATE_PER_SESSION = 2
    campaign = _campaign(world, swim_badge, code_word="물개")
    for _ in range(2):
        response = _join(
            client,
            campaign,
            django_capture_on_commit_callbacks,
            name="가",
            email="a@l.example",
            code_word="x",
        )
        assert response.status_code == 200
    response = _join(
        client,
        campaign,
        django_capture_on_commit_callbacks,
        name="가",
        email="a@l.example",
        code_word="물개",
    )
    assert response.status_code == 429
    assert not Award.objects.exists()


def test_join_is_rate_limited_per_address(
    client, world, swim_badge, settings, django_capture_on_commit_callbacks
):
    from django.test import Client

    settings.BAEJI_CLAIM_RATE_PER_IP = 2
    campaign = _campaign(world, swim_badge, code_word="물개")
    for _ in range(2):
        Client().post(f"/join/{campaign.public_id}", {"name": "가", "email": "a@l.example"})
    response = Client().post(
        f"/join/{campaign.public_id}", {"name": "가", "email": "a@l.example", "code_word": "물개"}
    )
    assert response.status_code == 429


def test_unknown_campaign_is_404(client, db):
    assert client.get("/join/nosuchcampaign00").status_code == 404


def test_campaign_list_query_count(client, world, swim_badge, django_assert_max_num_queries):
    for n in range(5):
        _campaign(world, swim_badge, title=f"수업 {n}")
    client.force_login(world.owner)
    with django_assert_max_num_queries(14):
        response = client.get("/orgs/school/campaigns")
    assert response.status_code == 200
    assert response.content.decode().count("/manage/campaigns/") == 5
