"""Query counts of the pages that list things, and MFA enrolment for staff."""

from __future__ import annotations

import pytest

from baeji.awards.services import award_claim, award_issue


@pytest.fixture
def many_awards(world, swim_badge):
    return [
        award_issue(
            achievement=swim_badge,
            recipient_email="many@example.com",
            recipient_name=f"학습자 {n}",
            notify=False,
        )
        for n in range(6)
    ]


def test_organization_page_query_count(client, world, many_awards, django_assert_max_num_queries):
    client.force_login(world.owner)
    with django_assert_max_num_queries(12):
        response = client.get("/orgs/school/")
    assert response.content.decode().count("/manage/awards/") == 6


def test_my_badges_query_count(client, world, many_awards, django_assert_max_num_queries):
    for award in many_awards:
        award_claim(award=award, user=world.outsider)
    client.force_login(world.outsider)
    with django_assert_max_num_queries(6):
        response = client.get("/me/badges")
    assert response.content.decode().count('href="/c/') == 6


def test_staff_must_enrol_totp(client, settings, world):
    settings.BAEJI_STAFF_MFA_REQUIRED = True
    world.owner.is_staff = True
    world.owner.save()
    client.force_login(world.owner)
    response = client.get("/orgs/school/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate")
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    client.force_login(world.member)  # not staff: no enrolment demanded
    assert client.get("/orgs/school/").status_code == 200
