"""Staff home (dashboard), organization settings with logo, the award page, keys, frameworks."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from baeji.achievements.models import CompetencyFramework, FrameworkArea, FrameworkLevel
from baeji.audit.models import AuditEvent
from baeji.awards.services import award_issue, award_revoke
from baeji.keystore.models import SigningKey
from baeji.keystore.selectors import did_document_for_organization
from tests.platform.conftest import make_user


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def viewer(world):
    from baeji.organizations.services import membership_set

    user = make_user("viewer@school.example")
    membership_set(organization=world.school, user=user, role="viewer")
    return user


def _login(client, world, viewer, who):
    client.force_login(viewer if who == "viewer" else getattr(world, who))


@pytest.fixture
def award(world, swim_badge):
    return award_issue(
        achievement=swim_badge, recipient_email="a@example.com", recipient_name="가", notify=False
    )


# --- Dashboard ---------------------------------------------------------------------------


def test_dashboard_counts_and_links(client, world, swim_badge, award):
    other = award_issue(
        achievement=swim_badge, recipient_email="b@example.com", recipient_name="나", notify=False
    )
    award_revoke(award=other, reason="오류", by=world.owner)
    client.force_login(world.owner)
    page = client.get("/orgs/school/").content.decode()
    assert "2 issued · 1 revoked" in page
    for link in (
        "/orgs/school/keys",
        "/orgs/school/settings",
        "/orgs/school/members",
        "/orgs/school/audit",
        "/orgs/school/badges/new",
        "/orgs/school/frameworks",
    ):
        assert f'href="{link}"' in page, link
    assert f'src="/badges/{swim_badge.current_version.public_id}/image.png"' in page


@pytest.mark.parametrize("who", ["member", "viewer"])
def test_dashboard_hides_admin_links(client, world, viewer, swim_badge, who):
    _login(client, world, viewer, who)
    page = client.get("/orgs/school/").content.decode()
    assert "/orgs/school/keys" not in page and "/orgs/school/badges/new" not in page
    assert "수영 1단계" in page


def test_dashboard_query_count(client, world, swim_badge, django_assert_max_num_queries):
    for n in range(5):
        award_issue(
            achievement=swim_badge,
            recipient_email=f"p{n}@example.com",
            recipient_name=f"학습자 {n}",
            notify=False,
        )
    client.force_login(world.owner)
    with django_assert_max_num_queries(12):
        response = client.get("/orgs/school/")
    assert response.content.decode().count("/manage/awards/") == 5


# --- Settings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("member", 403),
        ("viewer", 403),
        ("outsider", 404),
        ("sibling_member", 404),
        ("authority_admin", 200),
    ],
)
def test_settings_access(client, world, viewer, who, status):
    _login(client, world, viewer, who)
    assert client.get("/orgs/school/settings").status_code == status
    response = client.post("/orgs/school/settings", {"name": "X", "language": "en"})
    assert response.status_code == (302 if status == 200 else status)


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def test_settings_save_and_logo(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.owner)
    response = client.post(
        "/orgs/school/settings",
        {
            "name": "한빛 청소년센터 본관",
            "description": "소개",
            "url": "https://hanbit.example",
            "email": "hi@hanbit.example",
            "language": "en",
            "logo_file": SimpleUploadedFile("logo.png", _png(), "image/png"),
        },
    )
    assert response.status_code == 302
    world.school.refresh_from_db()
    assert world.school.name == "한빛 청소년센터 본관" and world.school.language == "en"
    assert world.school.logo_type == "image/png"
    client.logout()
    logo = client.get("/issuers/school/logo")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(logo.content)).size == (40, 20)
    assert AuditEvent.objects.filter(action="organization.update").count() == 1


def test_settings_svg_logo_is_sanitised_and_bad_input_changes_nothing(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.owner)
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<script>x()</script><rect width="10" height="10"/></svg>'
    )
    client.post(
        "/orgs/school/settings",
        {"name": "A", "language": "ko", "logo_file": SimpleUploadedFile("l.svg", svg)},
    )
    world.school.refresh_from_db()
    assert world.school.logo_type == "image/svg+xml"
    assert b"script" not in bytes(world.school.logo)
    response = client.get("/issuers/school/logo")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    bad = client.post(
        "/orgs/school/settings",
        {
            "name": "B",
            "url": "not a url at all",
            "language": "ko",
            "logo_file": SimpleUploadedFile("l.png", b"%PDF-1.4 hello"),
        },
    )
    page = bad.content.decode()
    assert bad.status_code == 200
    assert "This image was refused" in page and "PDF" in page
    world.school.refresh_from_db()
    assert world.school.name == "A"


def test_settings_refuses_a_web_address_longer_than_the_column(client, world):
    client.force_login(world.owner)
    url = "https://hanbit.example/" + "a" * 200
    response = client.post("/orgs/school/settings", {"name": "A", "url": url, "language": "ko"})
    assert response.status_code == 200 and "at most 200 characters" in response.content.decode()
    world.school.refresh_from_db()
    assert world.school.url != url


def test_logo_404_without_logo(client, world):
    assert client.get("/issuers/school/logo").status_code == 404


# --- Award page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("member", 200), ("viewer", 200), ("outsider", 404), ("sibling_member", 404)],
)
def test_award_page_access(client, world, viewer, award, who, status):
    _login(client, world, viewer, who)
    response = client.get(f"/manage/awards/{award.public_id}")
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert ('value="suspend"' in page) is (who != "viewer")
        # The issuer role may award and revoke; viewers may only look.
        assert ('value="revoke"' in page) is (who != "viewer")


def test_viewer_cannot_suspend(client, world, viewer, award):
    client.force_login(viewer)
    response = client.post(
        f"/manage/awards/{award.public_id}", {"action": "suspend", "reason": "x"}
    )
    assert response.status_code == 403
    award.refresh_from_db()
    assert award.status == "active"


def test_suspend_needs_reason_then_reinstate(client, world, award):
    client.force_login(world.member)
    response = client.post(f"/manage/awards/{award.public_id}", {"action": "suspend"}, follow=True)
    assert "Give a reason" in response.content.decode()
    award.refresh_from_db()
    assert award.status == "active"
    client.post(f"/manage/awards/{award.public_id}", {"action": "suspend", "reason": "확인 중"})
    award.refresh_from_db()
    assert award.status == "suspended"
    client.post(f"/manage/awards/{award.public_id}", {"action": "reinstate"})
    award.refresh_from_db()
    assert award.status == "active"


def test_owner_revokes_with_reason(client, world, award):
    client.force_login(world.owner)
    client.post(f"/manage/awards/{award.public_id}", {"action": "revoke", "reason": "부정"})
    award.refresh_from_db()
    assert (award.status, award.status_reason) == ("revoked", "부정")
    page = client.get(f"/manage/awards/{award.public_id}").content.decode()
    assert 'value="reinstate"' not in page and 'value="revoke"' not in page


# --- Keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("member", 403),
        ("viewer", 403),
        ("outsider", 404),
        ("sibling_member", 404),
        ("authority_admin", 200),
    ],
)
def test_keys_access(client, world, viewer, who, status):
    _login(client, world, viewer, who)
    assert client.get("/orgs/school/keys").status_code == status
    response = client.post("/orgs/school/keys/rotate")
    assert response.status_code == (302 if status == 200 else status)
    key = SigningKey.objects.filter(organization=world.school).first()
    assert client.get(f"/orgs/school/keys/{key.public_id}/revoke").status_code == status


def test_keys_list_rotate_and_did_document(client, world):
    first = SigningKey.objects.get(organization=world.school)
    client.force_login(world.owner)
    page = client.get("/orgs/school/keys").content.decode()
    assert first.public_multibase in page and "Active" in page
    assert client.post("/orgs/school/keys/rotate").status_code == 302
    first.refresh_from_db()
    assert first.status == "retired"
    keys = SigningKey.objects.filter(organization=world.school)
    assert keys.count() == 2 and keys.filter(status="active").count() == 1
    document = did_document_for_organization(world.school)
    listed = {m["id"].split("#")[1] for m in document["verificationMethod"]}
    assert listed == {k.fragment for k in keys}
    page = client.get("/orgs/school/keys").content.decode()
    assert "Retired" in page


def test_revoke_key_needs_confirmation(client, world):
    key = SigningKey.objects.get(organization=world.school)
    client.force_login(world.owner)
    url = f"/orgs/school/keys/{key.public_id}/revoke"
    page = client.get(url).content.decode()
    assert "cannot be undone" in page
    wrong = client.post(url, {"reason": "유출", "confirm": "nope"})
    assert "Type the key name exactly" in wrong.content.decode()
    no_reason = client.post(url, {"reason": "", "confirm": key.fragment})
    assert "Say why" in no_reason.content.decode()
    key.refresh_from_db()
    assert key.status == "active"
    assert client.post(url, {"reason": "유출", "confirm": key.fragment}).status_code == 302
    key.refresh_from_db()
    assert key.status == "revoked" and key.revoked_at is not None
    page = client.get("/orgs/school/keys").content.decode()
    assert "There is no active key" in page
    event = AuditEvent.objects.get(action="signing_key.revoke")
    assert event.data == {"reason": "유출"}


def test_sibling_key_is_not_reachable(client, world):
    key = SigningKey.objects.get(organization=world.sibling)
    client.force_login(world.owner)
    assert client.get(f"/orgs/school/keys/{key.public_id}/revoke").status_code == 404


# --- Frameworks --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("member", 200),
        ("viewer", 200),
        ("outsider", 404),
        ("sibling_member", 404),
        ("authority_admin", 200),
    ],
)
def test_framework_list_access(client, world, viewer, who, status):
    _login(client, world, viewer, who)
    assert client.get("/orgs/school/frameworks").status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 404),  # owning a member institution gives no role over the authority
        ("member", 404),
        ("outsider", 404),
        ("sibling_member", 404),
        ("authority_admin", 302),
    ],
)
def test_only_authority_admins_edit_authority_frameworks(client, world, who, status):
    client.force_login(getattr(world, who))
    response = client.post("/orgs/authority/frameworks", {"name": "AI 역량"})
    assert response.status_code == status
    assert CompetencyFramework.objects.exists() is (who == "authority_admin")


def test_framework_list_is_read_only_for_viewers(client, world, viewer, swim_badge):
    client.force_login(viewer)
    response = client.post("/orgs/school/frameworks", {"name": "X"})
    assert response.status_code == 403
    assert not CompetencyFramework.objects.exists()
    client.force_login(world.member)
    assert client.post("/orgs/school/frameworks", {"name": "X"}).status_code == 403


def test_framework_editing_and_member_view(client, world):
    client.force_login(world.authority_admin)
    client.post("/orgs/authority/frameworks", {"name": "AI 역량", "description": "설명"})
    client.post("/orgs/authority/frameworks", {"name": "디지털 소양"})
    ai, digital = CompetencyFramework.objects.order_by("position")
    client.post("/orgs/authority/frameworks", {"action": "up", "id": digital.public_id})
    assert list(CompetencyFramework.objects.values_list("name", flat=True)) == [
        "디지털 소양",
        "AI 역량",
    ]
    url = f"/orgs/authority/frameworks/{ai.public_id}"
    client.post(url, {"action": "rename", "name": "AI 핵심역량", "description": "", "url": ""})
    client.post(url, {"action": "add-area", "code": "A1", "name": "AI 기초"})
    client.post(url, {"action": "add-area", "code": "A2", "name": "AI 활용"})
    client.post(url, {"action": "add-level", "name": "기초"})
    client.post(url, {"action": "add-level", "name": "심화"})
    a2 = FrameworkArea.objects.get(code="A2")
    client.post(url, {"action": "up", "kind": "area", "id": a2.public_id})
    client.post(
        url,
        {
            "action": "edit-part",
            "kind": "area",
            "id": a2.public_id,
            "code": "A2",
            "name": "AI 응용",
        },
    )
    level = FrameworkLevel.objects.get(name="심화")
    client.post(
        url, {"action": "edit-part", "kind": "level", "id": level.public_id, "name": "전문"}
    )
    ai.refresh_from_db()
    assert ai.name == "AI 핵심역량"
    assert [a.name for a in ai.areas.all()] == ["AI 응용", "AI 기초"]
    assert [lv.name for lv in ai.levels.all()] == ["기초", "전문"]
    bad = client.post(url, {"action": "add-area", "code": "", "name": ""})
    assert bad.status_code == 200 and ai.areas.count() == 2
    # A member institution sees the authority's framework but cannot edit it.
    client.force_login(world.owner)
    page = client.get("/orgs/school/frameworks").content.decode()
    assert "AI 핵심역량" in page and "AI 응용" in page and "Shared by" in page
    assert client.get(url).status_code == 404
    assert client.get(f"/orgs/school/frameworks/{ai.public_id}").status_code == 404
    # … and can align badges to it in the designer.
    page = client.get("/orgs/school/badges/new").content.decode()
    assert "AI 핵심역량 · A2 AI 응용" in page


def test_sibling_does_not_see_school_frameworks(client, world):
    from baeji.achievements.services import framework_create

    framework_create(organization=world.school, name="학교 고유 역량")
    client.force_login(world.sibling_member)
    assert "학교 고유 역량" not in client.get("/orgs/sibling/frameworks").content.decode()
