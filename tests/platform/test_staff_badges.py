"""The badge designer, the series helper, the preview and the badge page (staff screens)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from baeji.achievements.models import Achievement
from baeji.audit.models import AuditEvent
from baeji.awards.services import award_issue
from tests.platform.conftest import make_user

ROLES = ["owner", "member", "viewer", "outsider", "sibling_member", "authority_admin"]


@pytest.fixture(autouse=True)
def _english(client):
    """Assertions read the English source strings; one test checks the Korean page."""
    client.cookies["django_language"] = "en"


@pytest.fixture
def viewer(world):
    from baeji.organizations.services import membership_set

    user = make_user("viewer@school.example")
    membership_set(organization=world.school, user=user, role="viewer")
    return user


def _login(client, world, viewer, who):
    client.force_login(viewer if who == "viewer" else getattr(world, who))


def _design_post(**extra):
    data = {
        "name": "수영 2단계",
        "slug": "swim-2",
        "description": "자유형 50m",
        "criteria_md": "- 자유형 **50m**\n- <script>alert(1)</script>",
        "achievement_type": "Badge",
        "category": "체육",
        "tags": "수영, 체육",
        "family": "수영",
        "level": "2",
        "level_name": "",
        "valid_days": "",
        "language": "ko",
        "image_source": "template",
        "design-shape": "hexagon",
        "design-color": "#1F5FAD",
        "design-icon": "wave",
        "design-text": "",
        "design-subtitle": "",
        "results-TOTAL_FORMS": "2",
        "results-INITIAL_FORMS": "0",
        "results-MIN_NUM_FORMS": "0",
        "results-MAX_NUM_FORMS": "20",
        "results-0-name": "자유형 25m 기록",
        "results-0-result_type": "Result",
        "results-0-allowed_values": "",
        "results-0-required_value": "",
        "results-1-name": "합격 여부",
        "results-1-result_type": "Status",
        "results-1-allowed_values": "pass, fail",
        "results-1-required_value": "pass",
    }
    data.update(extra)
    return data


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
def test_designer_access(client, world, viewer, who, status):
    _login(client, world, viewer, who)
    assert client.get("/orgs/school/badges/new").status_code == status
    assert client.get("/orgs/school/badges/series").status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("member", 403), ("viewer", 403), ("outsider", 404), ("sibling_member", 404)],
)
def test_edit_page_access(client, world, viewer, swim_badge, who, status):
    _login(client, world, viewer, who)
    assert client.get(f"/manage/badges/{swim_badge.public_id}/edit").status_code == status


def test_create_badge_with_results_and_framework_alignment(client, world):
    from baeji.achievements.services import framework_create, framework_part_add

    framework = framework_create(organization=world.authority, name="AI 역량")
    area = framework_part_add(framework=framework, kind="area", name="AI 기초", code="A1")
    client.force_login(world.owner)
    response = client.post(
        "/orgs/school/badges/new", _design_post(alignments=[f"area:{area.public_id}"])
    )
    assert response.status_code == 302
    badge = Achievement.objects.get(organization=world.school, slug="swim-2")
    version = badge.current_version
    assert response["Location"] == f"/manage/badges/{badge.public_id}"
    assert version.level == 2 and version.family == "수영"
    assert version.tags == ["수영", "체육"]
    assert version.result_descriptions == [
        {"name": "자유형 25m 기록", "result_type": "Result"},
        {
            "name": "합격 여부",
            "result_type": "Status",
            "allowed_values": ["pass", "fail"],
            "required_value": "pass",
        },
    ]
    [alignment] = version.alignments
    assert alignment["target_name"] == "AI 기초" and alignment["target_code"] == "A1"
    assert alignment["target_framework"] == "AI 역량"
    assert alignment["target_url"].startswith("https://badges.example.org/issuers/authority/")
    assert version.design["shape"] == "hexagon"
    assert bytes(version.image_png).startswith(b"\x89PNG")
    page = client.get(f"/manage/badges/{badge.public_id}").content.decode()
    assert "<strong>50m</strong>" in page
    assert "<script>alert(1)" not in page
    assert "AI 역량 · AI 기초" in page
    assert AuditEvent.objects.filter(action="achievement.create").exists()


def test_create_refuses_duplicate_slug_and_changes_nothing(client, world, swim_badge):
    client.force_login(world.owner)
    before = Achievement.objects.count()
    response = client.post("/orgs/school/badges/new", _design_post(slug="swim-1"))
    assert response.status_code == 200
    assert "Another badge of this organization uses this identifier." in response.content.decode()
    assert Achievement.objects.count() == before


def test_create_refuses_text_the_font_cannot_draw(client, world):
    client.force_login(world.owner)
    response = client.post("/orgs/school/badges/new", _design_post(**{"design-text": "水泳 🏊"}))
    assert response.status_code == 200
    assert "The image cannot be drawn" in response.content.decode()
    assert not Achievement.objects.filter(slug="swim-2").exists()


def test_add_result_row_round_trip_keeps_input(client, world):
    client.force_login(world.owner)
    response = client.post("/orgs/school/badges/new", _design_post(add_result="1"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="results-2-name"' in page
    assert "자유형 25m 기록" in page
    assert not Achievement.objects.filter(slug="swim-2").exists()


def test_add_result_row_with_a_tampered_row_count_is_not_an_error(client, world):
    client.force_login(world.owner)
    response = client.post(
        "/orgs/school/badges/new", _design_post(add_result="1", **{"results-TOTAL_FORMS": "x"})
    )
    assert response.status_code == 200
    assert 'name="results-0-name"' in response.content.decode()
    assert not Achievement.objects.filter(slug="swim-2").exists()


def test_removing_a_result_row(client, world):
    client.force_login(world.owner)
    client.post("/orgs/school/badges/new", _design_post(**{"results-0-DELETE": "on"}))
    version = Achievement.objects.get(slug="swim-2").current_version
    assert [r["name"] for r in version.result_descriptions] == ["합격 여부"]


def _png_bytes(color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), color).save(buffer, "PNG")
    return buffer.getvalue()


def test_upload_png_image(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.owner)
    data = _design_post(image_source="upload")
    data["image_file"] = SimpleUploadedFile("badge.png", _png_bytes(), "image/png")
    assert client.post("/orgs/school/badges/new", data).status_code == 302
    version = Achievement.objects.get(slug="swim-2").current_version
    image = Image.open(io.BytesIO(bytes(version.image_png)))
    assert image.size == (64, 64) and image.getpixel((10, 10))[:3] == (200, 30, 30)
    assert version.design["source"] == "upload"
    assert "data:image/png;base64," in version.image_svg
    # A rename keeps the uploaded picture.
    client.post(
        f"/manage/badges/{version.achievement.public_id}/edit",
        {**_design_post(image_source="upload", name="새 이름"), "slug": ""},
    )
    version.refresh_from_db()
    assert version.name == "새 이름"
    image = Image.open(io.BytesIO(bytes(version.image_png)))
    assert image.getpixel((10, 10))[:3] == (200, 30, 30)


def test_upload_svg_is_sanitised(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        b'<script>alert(1)</script><circle cx="50" cy="50" r="40" fill="red" '
        b'onclick="alert(2)"/></svg>'
    )
    client.force_login(world.owner)
    data = _design_post(image_source="upload")
    data["image_file"] = SimpleUploadedFile("badge.svg", svg, "image/svg+xml")
    assert client.post("/orgs/school/badges/new", data).status_code == 302
    version = Achievement.objects.get(slug="swim-2").current_version
    assert "<circle" in version.image_svg
    assert "script" not in version.image_svg and "onclick" not in version.image_svg
    assert bytes(version.image_png).startswith(b"\x89PNG")


def test_upload_refused_shows_message_and_changes_nothing(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.owner)
    data = _design_post(image_source="upload")
    data["image_file"] = SimpleUploadedFile("badge.png", b"GIF89a" + b"\0" * 20, "image/png")
    response = client.post("/orgs/school/badges/new", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This image was refused" in page and "GIF" in page
    assert not Achievement.objects.filter(slug="swim-2").exists()


def test_upload_chosen_without_file(client, world):
    client.force_login(world.owner)
    response = client.post("/orgs/school/badges/new", _design_post(image_source="upload"))
    assert "Choose an image file to upload." in response.content.decode()
    assert not Achievement.objects.filter(slug="swim-2").exists()


def test_edit_after_award_makes_new_version_and_history(client, world, swim_badge):
    award_issue(
        achievement=swim_badge, recipient_email="a@example.com", recipient_name="가", notify=False
    )
    client.force_login(world.owner)
    data = _design_post(name="수영 1단계 (개정)", level="1")
    del data["slug"]
    response = client.post(f"/manage/badges/{swim_badge.public_id}/edit", data)
    assert response.status_code == 302
    swim_badge.refresh_from_db()
    assert swim_badge.current_version.number == 2
    assert swim_badge.versions.get(number=1).name == "수영 1단계"
    page = client.get(f"/manage/badges/{swim_badge.public_id}").content.decode()
    assert "Version history" in page
    assert "1 award" in page and "수영 1단계 (개정)" in page


def test_edit_form_is_prefilled(client, world, swim_badge):
    client.force_login(world.owner)
    page = client.get(f"/manage/badges/{swim_badge.public_id}/edit").content.decode()
    assert 'value="수영 1단계"' in page
    assert "자유형 25m 기록" in page
    assert 'name="slug"' not in page
    assert 'alt="Preview of the badge image"' in page and "data:image/png;base64," in page


@pytest.mark.parametrize(("who", "status"), [("owner", 200), ("member", 403), ("outsider", 404)])
def test_preview_endpoint(client, world, who, status):
    client.force_login(getattr(world, who))
    response = client.post(
        "/orgs/school/badges/preview",
        {
            "name": "미리보기",
            "level": "3",
            "design-shape": "shield",
            "design-color": "#AA3300",
            "design-icon": "star",
        },
    )
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert body.startswith('<img src="data:image/png;base64,')


def test_preview_reports_bad_colour(client, world):
    client.force_login(world.owner)
    response = client.post(
        "/orgs/school/badges/preview",
        {"design-shape": "circle", "design-color": "red", "design-icon": "star"},
    )
    assert "Write a colour as #RRGGBB." in response.content.decode()


def test_series_creates_levels(client, world):
    client.force_login(world.owner)
    levels = "\n".join(f"수영 {n}단계 | 자유형 {25 * n}m" for n in range(1, 9))
    response = client.post(
        "/orgs/school/badges/series",
        {
            "family": "수영",
            "slug_prefix": "swim",
            "description": "수영 단계 배지",
            "category": "체육",
            "achievement_type": "Badge",
            "levels": levels,
            "result_name": "자유형 기록",
            "shape": "hexagon",
            "color": "#1F5FAD",
            "icon": "wave",
        },
    )
    assert response.status_code == 302
    badges = Achievement.objects.filter(organization=world.school).order_by(
        "current_version__level"
    )
    assert [b.slug for b in badges] == [f"swim-{n}" for n in range(1, 9)]
    eighth = badges.last().current_version
    assert eighth.level == 8 and eighth.family == "수영" and eighth.criteria_md == "자유형 200m"
    assert eighth.result_descriptions == [{"name": "자유형 기록", "result_type": "Result"}]


def test_series_clash_creates_none(client, world, swim_badge):
    client.force_login(world.owner)
    response = client.post(
        "/orgs/school/badges/series",
        {
            "family": "수영",
            "slug_prefix": "swim",
            "description": "x",
            "achievement_type": "Badge",
            "levels": "A\nB",
            "shape": "hexagon",
            "color": "#1F5FAD",
            "icon": "wave",
        },
    )
    assert response.status_code == 200
    assert "already used: swim-1" in response.content.decode()
    assert Achievement.objects.filter(organization=world.school).count() == 1


def test_series_refuses_too_many_levels(client, world):
    client.force_login(world.owner)
    response = client.post(
        "/orgs/school/badges/series",
        {
            "family": "f",
            "slug_prefix": "f",
            "description": "x",
            "achievement_type": "Badge",
            "levels": "\n".join(str(n) for n in range(11)),
            "shape": "hexagon",
            "color": "#1F5FAD",
            "icon": "wave",
        },
    )
    assert "at most 10 levels" in response.content.decode()
    assert not Achievement.objects.filter(organization=world.school).exists()


@pytest.mark.parametrize(
    ("who", "status", "sees_form"),
    [
        ("owner", 200, True),
        ("member", 200, True),
        ("viewer", 200, False),
        ("outsider", 404, False),
        ("sibling_member", 404, False),
    ],
)
def test_badge_page_award_form_by_role(client, world, viewer, swim_badge, who, status, sees_form):
    _login(client, world, viewer, who)
    response = client.get(f"/manage/badges/{swim_badge.public_id}")
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert ("Award this badge" in page) is sees_form
        assert ("Edit in the designer" in page) is (who == "owner")


def test_viewer_cannot_award(client, world, viewer, swim_badge):
    client.force_login(viewer)
    response = client.post(
        f"/manage/badges/{swim_badge.public_id}",
        {"action": "award", "recipient_name": "A", "recipient_email": "a@example.com"},
    )
    assert response.status_code == 403
    assert not swim_badge.awards.exists()


def test_award_form_with_evidence_and_result(client, world, swim_badge):
    client.force_login(world.member)
    response = client.post(
        f"/manage/badges/{swim_badge.public_id}",
        {
            "action": "award",
            "recipient_name": "김하늘",
            "recipient_email": "sky@example.com",
            "evidence_url": "https://example.com/video",
            "narrative": "잘했어요",
            "result": "42초",
        },
    )
    assert response.status_code == 302
    award = swim_badge.awards.get()
    assert (award.result, award.evidence_url) == ("42초", "https://example.com/video")
    page = client.get(response["Location"]).content.decode()
    assert "42초" in page and "https://example.com/video" in page


def test_award_form_bad_email_changes_nothing(client, world, swim_badge):
    client.force_login(world.member)
    response = client.post(
        f"/manage/badges/{swim_badge.public_id}",
        {"action": "award", "recipient_name": "A", "recipient_email": "not-an-address"},
    )
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert not swim_badge.awards.exists()


def test_designer_in_korean(client, world):
    client.cookies["django_language"] = "ko"
    client.force_login(world.owner)
    page = client.get("/orgs/school/badges/new").content.decode()
    assert "새 배지" in page and "미리보기" in page
