"""The claim funnel of a badge an authority assigned to its institutions: each institution sees
(and resends) only its own awards, the authority counts its own and its institutions' awards
in every column, declined included; strangers get 404."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from baeji.accounts.services import user_get_or_create_for_email
from baeji.awards.services import award_claim, award_issue, award_issue_pending
from baeji.backpack.services import decision_set
from baeji.bulk.services import assignment_set
from baeji.core.access import access_achievement_awards_for_user
from baeji.emails.models import Delivery
from baeji.organizations.models import Role
from baeji.organizations.services import membership_set
from tests.bulk.conftest import badges  # noqa: F401 - the fixture
from tests.platform.conftest import make_user

STAGES = ("issued", "notified", "opened", "claimed", "declined")


def _counts(funnel) -> tuple[int, ...]:
    return tuple(getattr(funnel, stage) for stage in STAGES)


def _row_counts(row: dict) -> tuple[int, ...]:
    return tuple(row[stage] for stage in STAGES)


def _decline(award, *, claim: bool = False) -> None:
    learner = user_get_or_create_for_email(email=award.recipient_email, name=award.recipient_name)
    if claim:
        award_claim(award=award, user=learner)
    decision_set(award=award, user=learner, decision="declined")


@pytest.fixture
def assigned(world, badges, django_capture_on_commit_callbacks):  # noqa: F811
    """``ai`` of the authority, assigned to both institutions, issued by all three.

    authority: 1 award (declined).  school: 2 awards (one claimed and declined) + 1 code.
    sibling: 2 awards (one declined) + 1 code.
    """
    ai = badges["ai"]
    assignment_set(achievement=ai, institution=world.sibling, assigned=True)

    def issue(organization, email, name):
        with django_capture_on_commit_callbacks(execute=True):
            return award_issue(
                achievement=ai,
                organization=organization,
                recipient_email=email,
                recipient_name=name,
                issued_by=world.authority_admin,
            )

    own = issue(None, "own@learners.example", "교육청 학생")
    school = [
        issue(world.school, "s1@learners.example", "한빛 일"),
        issue(world.school, "s2@learners.example", "한빛 이"),
    ]
    sibling = [
        issue(world.sibling, "b1@learners.example", "다른 일"),
        issue(world.sibling, "b2@learners.example", "다른 이"),
    ]
    school_code = award_issue_pending(
        achievement=ai, organization=world.school, recipient_name="한빛 코드"
    )
    sibling_code = award_issue_pending(
        achievement=ai, organization=world.sibling, recipient_name="다른 코드"
    )
    _decline(own)
    _decline(school[0], claim=True)
    _decline(sibling[0])
    return SimpleNamespace(
        ai=ai,
        own=own,
        school=school,
        sibling=sibling,
        school_code=school_code,
        sibling_code=sibling_code,
    )


def _funnel_url(badge, org: str = "") -> str:
    url = f"/manage/badges/{badge.public_id}/funnel"
    return f"{url}?org={org}" if org else url


def test_an_institution_sees_only_its_own_awards_of_an_assigned_badge(client, world, assigned):
    client.force_login(world.member)  # an issuer of ``school``, nothing at the authority
    page = client.get(_funnel_url(assigned.ai))
    assert page.status_code == 200
    assert page.context["organization"] == world.school
    # 2 awards + 1 code issued, 2 e-mails sent, 1 claimed (and declined).
    assert _counts(page.context["funnel"]) == (3, 2, 1, 1, 1)
    assert [a.recipient_email for a in page.context["unclaimed"]] == ["s2@learners.example"]
    html = page.content.decode()
    assert "s2@learners.example" in html
    for other in ("own@", "b1@", "b2@"):
        assert other not in html
    assert html.count("/resend") == 1
    assert f"/manage/awards/{assigned.school[1].public_id}/resend" in html
    # Its codes are printed from its batches' sheets; the badge's sheet is the authority's.
    assert "/claim-sheet" not in html
    assert page.context["by_issuer"] == []
    # The badge page of the authority is not theirs to open: no link there.
    assert f'/manage/badges/{assigned.ai.public_id}"' not in html

    # The same page through the link on the institution's own funnel page, with the same row.
    overview = client.get("/orgs/school/funnel")
    assert overview.status_code == 200
    (row,) = [r for r in overview.context["by_achievement"] if r["achievement"] == assigned.ai]
    assert _row_counts(row) == (3, 2, 1, 1, 1)
    assert _funnel_url(assigned.ai, "school") in overview.content.decode()
    page = client.get(_funnel_url(assigned.ai, "school"))
    assert page.status_code == 200 and _counts(page.context["funnel"]) == (3, 2, 1, 1, 1)

    # Not the sibling's slice, nor the authority's whole.
    assert client.get(_funnel_url(assigned.ai, "sibling")).status_code == 404
    assert client.get(_funnel_url(assigned.ai, "authority")).status_code == 404


def test_the_sibling_institution_sees_its_own_slice(client, world, assigned):
    client.force_login(world.sibling_member)
    page = client.get(_funnel_url(assigned.ai))
    assert page.status_code == 200
    assert page.context["organization"] == world.sibling
    # 2 awards + 1 code, 2 e-mails, none claimed, 1 declined (without claiming).
    assert _counts(page.context["funnel"]) == (3, 2, 0, 0, 1)
    emails = sorted(a.recipient_email for a in page.context["unclaimed"])
    assert emails == ["b1@learners.example", "b2@learners.example"]
    assert "s2@learners.example" not in page.content.decode()
    assert client.get(_funnel_url(assigned.ai, "school")).status_code == 404


def test_resend_only_for_the_institutions_own_recipients(
    client, world, assigned, django_capture_on_commit_callbacks
):
    mine, theirs = assigned.school[1], assigned.sibling[1]
    client.force_login(world.member)
    back = _funnel_url(assigned.ai, "school")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/manage/awards/{mine.public_id}/resend", {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert Delivery.objects.filter(award=mine, kind="resend").count() == 1

    response = client.post(f"/manage/awards/{theirs.public_id}/resend", {"next": back})
    assert response.status_code == 404
    assert not Delivery.objects.filter(award=theirs, kind="resend").exists()

    # A viewer of the institution sees the list but no resend button, and may not resend.
    viewer = make_user("viewer@school.example")
    membership_set(organization=world.school, user=viewer, role=Role.VIEWER)
    client.force_login(viewer)
    page = client.get(back)
    assert page.status_code == 200 and "/resend" not in page.content.decode()
    assert client.post(f"/manage/awards/{mine.public_id}/resend").status_code == 403


def test_the_authority_counts_its_institutions_in_every_column(client, world, assigned):
    client.force_login(world.authority_admin)
    page = client.get(_funnel_url(assigned.ai))
    assert page.status_code == 200
    assert page.context["organization"] == world.authority
    # 5 awards + 2 codes, 5 e-mails, 1 claimed; declined: the authority's, school's, sibling's.
    totals = _counts(page.context["funnel"])
    assert totals == (7, 5, 1, 1, 3)
    rows = {row["organization"].slug: _row_counts(row) for row in page.context["by_issuer"]}
    assert rows == {
        "authority": (1, 1, 0, 0, 1),
        "school": (3, 2, 1, 1, 1),
        "sibling": (3, 2, 0, 0, 1),
    }
    assert tuple(map(sum, zip(*rows.values(), strict=True))) == totals
    assert len(page.context["unclaimed"]) == 4  # everyone but the one who claimed
    html = page.content.decode()
    assert html.count("/resend") == 4
    assert (
        _funnel_url(assigned.ai, "school") in html and _funnel_url(assigned.ai, "sibling") in html
    )

    # The authority's own funnel page: its row of the badge is the badge page, column by column,
    # and the total is the same set.
    overview = client.get("/orgs/authority/funnel")
    assert overview.status_code == 200
    assert _counts(overview.context["funnel"]) == totals
    (row,) = overview.context["by_achievement"]
    assert row["achievement"] == assigned.ai and _row_counts(row) == totals

    # One institution at a time, as that institution sees it.
    page = client.get(_funnel_url(assigned.ai, "school"))
    assert page.status_code == 200
    assert _counts(page.context["funnel"]) == rows["school"]
    assert [a.recipient_email for a in page.context["unclaimed"]] == ["s2@learners.example"]


def test_outsiders_get_404(client, world, assigned):
    client.force_login(world.outsider)
    for org in ("", "authority", "school", "sibling", "nowhere"):
        assert client.get(_funnel_url(assigned.ai, org)).status_code == 404
    sheet = f"/manage/badges/{assigned.ai.public_id}/claim-sheet"
    assert client.get(sheet).status_code == 404
    assert client.get(f"{sheet}?org=school").status_code == 404
    response = client.post(f"/manage/awards/{assigned.school[1].public_id}/resend")
    assert response.status_code == 404
    assert client.get("/manage/badges/nosuchbadge/funnel").status_code == 404


def test_the_badge_claim_sheet_stays_the_authoritys(client, world, assigned):
    sheet = f"/manage/badges/{assigned.ai.public_id}/claim-sheet"
    client.force_login(world.member)
    assert client.get(sheet).status_code == 404
    client.force_login(world.authority_admin)
    page = client.get(_funnel_url(assigned.ai))
    assert sheet in page.content.decode()
    page = client.get(sheet)
    assert page.status_code == 200
    assert {card["pending"] for card in page.context["cards"]} == {
        assigned.school_code,
        assigned.sibling_code,
    }


def test_access_achievement_awards_for_user(world, badges, assigned):  # noqa: F811
    def issuers(scope):
        return sorted(scope.issuers.values_list("slug", flat=True))

    ai = assigned.ai
    scope = access_achievement_awards_for_user(world.authority_admin, ai.public_id, need="manage")
    assert scope.organization == world.authority
    assert issuers(scope) == ["authority", "school", "sibling"]
    scope = access_achievement_awards_for_user(world.member, ai.public_id, need="issue")
    assert scope.organization == world.school and issuers(scope) == ["school"]
    with pytest.raises(PermissionDenied):
        access_achievement_awards_for_user(world.member, ai.public_id, need="manage")
    scope = access_achievement_awards_for_user(world.authority_admin, ai.public_id, via="sibling")
    assert issuers(scope) == ["sibling"]
    with pytest.raises(Http404):
        access_achievement_awards_for_user(world.member, ai.public_id, via="sibling")
    # A badge never assigned to the school nor issued by it is not the school's to see.
    with pytest.raises(Http404):
        access_achievement_awards_for_user(world.member, badges["coding"].public_id)
    # Withdrawn later: what the school issued stays visible to it.
    assignment_set(achievement=ai, institution=world.school, assigned=False)
    scope = access_achievement_awards_for_user(world.member, ai.public_id)
    assert scope.organization == world.school and issuers(scope) == ["school"]
    # The school's own badge: its staff see it whole; the authority oversees it; others don't.
    own = badges["own"]
    assert (
        access_achievement_awards_for_user(world.owner, own.public_id).organization == world.school
    )
    assert access_achievement_awards_for_user(world.authority_admin, own.public_id)
    for user in (world.sibling_member, world.outsider):
        with pytest.raises(Http404):
            access_achievement_awards_for_user(user, own.public_id)


def test_the_scope_is_said_in_korean(client, world, assigned):
    client.cookies["django_language"] = "ko"
    client.force_login(world.member)
    html = client.get(_funnel_url(assigned.ai), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "여기에는 한빛 청소년센터에서 발급한 건만 집계됩니다." in html
    client.force_login(world.authority_admin)
    html = client.get(_funnel_url(assigned.ai), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "여기에는 교육청의 발급 건과 소속 기관의 발급 건이 함께 집계됩니다." in html
    assert "발급 기관별" in html
    html = client.get("/orgs/authority/funnel", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "소속 기관이 이 기관의 배지를 발급한 건이 함께 집계됩니다." in html
    html = client.get(_funnel_url(assigned.ai, "school"), HTTP_ACCEPT_LANGUAGE="ko").content
    assert "전체 발급 기관 보기" in html.decode()
