"""Every access_* function for the owner, a member, an outsider and a sibling's member."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from baeji.awards.services import award_issue
from baeji.core.access import (
    access_achievement_for_user,
    access_award_for_user,
    access_organization_for_user,
    access_own_award_for_user,
)

# need -> who may (owner, member = issuer, outsider, sibling admin, authority admin)
EXPECTED = {
    "view": {
        "owner": True,
        "member": True,
        "outsider": 404,
        "sibling_member": 404,
        "authority_admin": True,
    },
    "issue": {
        "owner": True,
        "member": True,
        "outsider": 404,
        "sibling_member": 404,
        "authority_admin": True,
    },
    "manage": {
        "owner": True,
        "member": 403,
        "outsider": 404,
        "sibling_member": 404,
        "authority_admin": True,
    },
    "own": {
        "owner": True,
        "member": 403,
        "outsider": 404,
        "sibling_member": 404,
        "authority_admin": 403,
    },
}


def _outcome(function, user, key, need):
    try:
        function(user, key, need=need)
    except Http404:
        return 404
    except PermissionDenied:
        return 403
    return True


@pytest.fixture
def award(world, swim_badge):
    return award_issue(
        achievement=swim_badge,
        recipient_email="learner@example.com",
        recipient_name="정하윤",
        issued_by=world.member,
        notify=False,
    )


@pytest.mark.parametrize("need", sorted(EXPECTED))
@pytest.mark.parametrize(
    "who", ["owner", "member", "outsider", "sibling_member", "authority_admin"]
)
def test_access_functions(world, swim_badge, award, need, who):
    user = getattr(world, who)
    expected = EXPECTED[need][who]
    assert _outcome(access_organization_for_user, user, "school", need) == expected
    assert _outcome(access_achievement_for_user, user, swim_badge.public_id, need) == expected
    assert _outcome(access_award_for_user, user, award.public_id, need) == expected


def test_anonymous_and_unknown_are_not_found(world, swim_badge):
    for function, key in [
        (access_organization_for_user, "school"),
        (access_achievement_for_user, swim_badge.public_id),
    ]:
        assert _outcome(function, AnonymousUser(), key, "view") == 404
    assert _outcome(access_organization_for_user, world.owner, "nope", "view") == 404
    assert _outcome(access_award_for_user, world.owner, "nope", "view") == 404


def test_unknown_need_is_a_programming_error(world):
    with pytest.raises(ValueError):
        access_organization_for_user(world.owner, "school", need="delete")


def test_own_award_only_for_its_recipient(world, award):
    from baeji.awards.services import award_claim

    for who in ("owner", "member", "outsider", "sibling_member"):
        with pytest.raises(Http404):
            access_own_award_for_user(getattr(world, who), award.public_id)
    award_claim(award=award, user=world.outsider)
    assert access_own_award_for_user(world.outsider, award.public_id).pk == award.pk


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("member", 403),
        ("outsider", 404),
        ("sibling_member", 404),
        ("authority_admin", 200),
    ],
)
def test_audit_page_over_http(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get("/orgs/school/audit").status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 302), ("member", 302), ("outsider", 404), ("sibling_member", 404)],
)
def test_award_form_over_http(client, world, swim_badge, who, status):
    client.force_login(getattr(world, who))
    response = client.post(
        f"/manage/badges/{swim_badge.public_id}",
        {"action": "award", "recipient_name": "A", "recipient_email": "a@example.com"},
    )
    assert response.status_code == status


def test_issuers_suspend_and_revoke(client, world, award):
    client.force_login(world.member)
    response = client.post(
        f"/manage/awards/{award.public_id}", {"action": "suspend", "reason": "x"}
    )
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.status == "suspended"
    response = client.post(f"/manage/awards/{award.public_id}", {"action": "revoke", "reason": "x"})
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.status == "revoked"


def test_org_page_requires_sign_in(client, world):
    response = client.get("/orgs/school/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_may_answers_what_the_access_functions_would_allow(world):
    from baeji.core.access import may

    assert may(world.member, world.school, "issue") and not may(
        world.member, world.school, "manage"
    )
    assert may(world.authority_admin, world.school, "manage")  # an authority over its members
    assert not may(world.sibling_member, world.school, "view")  # siblings see nothing
    assert not may(AnonymousUser(), world.school, "view")
    with pytest.raises(ValueError):
        may(world.owner, world.school, "delete")
