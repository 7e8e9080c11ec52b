"""Korean pages, and access_campaign_for_user for owner / member / outsider / sibling."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from baeji.claims.services import campaign_create
from baeji.core.access import access_campaign_for_user


def test_claim_code_page_in_korean_and_english(client, db):
    page = client.get("/claim-code", HTTP_ACCEPT_LANGUAGE="ko")
    assert "코드로 배지 받기" in page.content.decode()
    client.cookies["django_language"] = "en"
    page = client.get("/claim-code", HTTP_ACCEPT_LANGUAGE="en")
    assert "Claim your badge with a code" in page.content.decode()


@pytest.fixture
def campaign(world, swim_badge):
    now = timezone.now()
    return campaign_create(
        organization=world.school,
        achievement=swim_badge,
        title="수업",
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        by=world.owner,
    )


def test_access_campaign_for_user(world, campaign):
    assert access_campaign_for_user(world.owner, campaign.public_id, need="own") == campaign
    assert access_campaign_for_user(world.member, campaign.public_id, need="issue") == campaign
    with pytest.raises(PermissionDenied):
        access_campaign_for_user(world.member, campaign.public_id, need="manage")
    assert access_campaign_for_user(world.authority_admin, campaign.public_id, need="manage")
    for user in (world.outsider, world.sibling_member):
        with pytest.raises(Http404):
            access_campaign_for_user(user, campaign.public_id)
    with pytest.raises(Http404):
        access_campaign_for_user(world.owner, "nosuchcampaign")
