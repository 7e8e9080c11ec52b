"""Claim codes over HTTP: redeem signed in or by signing in with an e-mailed code; sheets."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.utils import timezone

from baeji.awards.models import Award, PendingAward
from baeji.awards.services import award_issue_pending


@pytest.fixture
def pending(world, swim_badge):
    return award_issue_pending(
        achievement=swim_badge, recipient_name="최유나", issued_by=world.owner
    )


def test_signed_in_user_redeems_code(client, world, pending):
    from tests.platform.conftest import make_user

    guardian = make_user("parent@family.example")
    client.force_login(guardian)
    code = pending.claim_code
    spaced = f"{code[:5].lower()}-{code[5:]}"
    response = client.post("/claim-code", {"code": spaced, "name": ""})
    assert response.status_code == 302 and response["Location"] == "/me/badges"
    award = Award.objects.get()
    assert award.recipient_email == "parent@family.example"
    assert award.recipient_id == guardian.pk and award.recipient_name == "최유나"
    credential = json.loads(award.credential_json)
    assert "proof" in credential
    pending.refresh_from_db()
    assert pending.award_id == award.pk
    # Used: a clear message, nothing more issued.
    response = client.post("/claim-code", {"code": code})
    assert response.status_code == 200
    assert (
        "already been used" in response.content.decode() or "이미 사용" in response.content.decode()
    )
    assert Award.objects.count() == 1


def test_wrong_code_gets_a_clear_message(client, world, pending):
    client.force_login(world.outsider)
    response = client.post("/claim-code", {"code": "ZZZZZZZZZZ"})
    assert response.status_code == 200
    assert "not valid" in response.content.decode() or "올바르지" in response.content.decode()
    assert not Award.objects.exists()


def test_anonymous_learner_signs_in_by_code_then_badge_is_signed(client, world, pending):
    page = client.get(f"/k/{pending.claim_code}")
    assert page.status_code == 200
    assert f'value="{pending.claim_code}"' in page.content.decode()
    response = client.post(
        "/claim-code",
        {"code": pending.claim_code, "name": "최유나", "email": "yuna@learners.example"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/code/confirm/")
    assert not Award.objects.exists()  # nothing is signed before the address is proven
    login_code = re.search(r"^([A-Z0-9-]{6,12})\s*$", mail.outbox[-1].body, re.M).group(1)
    response = client.post(response["Location"], {"code": login_code})
    assert response.status_code == 302 and response["Location"] == "/claim-code/finish"
    response = client.get("/claim-code/finish")
    assert response.status_code == 302 and response["Location"] == "/me/badges"
    award = Award.objects.get()
    assert award.recipient_email == "yuna@learners.example"
    assert award.recipient.email == "yuna@learners.example"


def test_code_redemption_is_rate_limited(client, world, pending, settings):
    settings.BAEJI_CLAIM_RATE_PER_SESSION = 3
    client.force_login(world.outsider)
    for n in range(3):
        assert client.post("/claim-code", {"code": f"AAAAAAAAA{n + 2}"}).status_code == 200
    response = client.post("/claim-code", {"code": pending.claim_code})
    assert response.status_code == 429
    assert not Award.objects.exists()


def test_codes_are_long_and_random(world, swim_badge):
    codes = {
        award_issue_pending(achievement=swim_badge, recipient_name=f"학생{n}").claim_code
        for n in range(20)
    }
    assert len(codes) == 20 and all(len(c) >= 10 for c in codes)


@pytest.mark.parametrize(
    "who,status", [("owner", 200), ("member", 200), ("outsider", 404), ("sibling_member", 404)]
)
def test_printable_sheet(
    client, world, swim_badge, pending, who, status, django_assert_max_num_queries
):
    for n in range(4):
        award_issue_pending(achievement=swim_badge, recipient_name=f"학생{n}")
    client.force_login(getattr(world, who))
    with django_assert_max_num_queries(12):
        response = client.get(f"/manage/badges/{swim_badge.public_id}/claim-sheet")
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert html.count('class="code-card"') == 5
        assert "최유나" in html and f"{pending.claim_code[:5]}-{pending.claim_code[5:]}" in html
        assert f"https://badges.example.org/k/{pending.claim_code}" not in html  # only in the QR
        assert html.count('<svg role="img"') == 5
        assert "@page" not in html  # print styles are in the stylesheet
        assert PendingAward.objects.filter(award=None).count() == 5


@pytest.mark.parametrize("date", ["2026-02-30", "yesterday"])
def test_printable_sheet_refuses_a_bad_date(client, world, swim_badge, pending, date):
    client.force_login(world.owner)
    response = client.get(f"/manage/badges/{swim_badge.public_id}/claim-sheet?date={date}")
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


def test_printable_sheet_keeps_one_issue_date(client, world, swim_badge, pending):
    client.force_login(world.owner)
    today = timezone.localtime(pending.issued_at).date().isoformat()
    page = client.get(f"/manage/badges/{swim_badge.public_id}/claim-sheet?date={today}")
    assert page.content.decode().count('class="code-card"') == 1
    other = client.get(f"/manage/badges/{swim_badge.public_id}/claim-sheet?date=2001-01-01")
    assert other.content.decode().count('class="code-card"') == 0
