"""The backpack's pages: filters, detail with re-verification, sharing, downloads, profile."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from baeji.achievements.services import achievement_create
from baeji.awards.services import award_revoke
from baeji.backpack.models import Collection, CollectionItem, LearnerProfile
from baeji.backpack.selectors import register_profile_section
from baeji.credentials import keys
from baeji.credentials.bake import unbake
from tests.platform.conftest import make_user

from .conftest import issue


@pytest.fixture
def second_badge(world):
    return achievement_create(
        organization=world.sibling,
        slug="coding-2",
        by=world.sibling_member,
        name="코딩 2단계",
        description="반복문으로 그림을 그립니다.",
        criteria_md="- 반복문 사용",
        achievement_type="Badge",
        category="정보",
        family="코딩",
        level=2,
        tags=["코딩"],
        design={"shape": "circle", "color": "#2E7D32", "icon": "star"},
    )


@pytest.fixture
def stocked(world, swim_badge, second_badge, learner):
    """The learner holds three platform badges from two issuers over two years."""
    return [
        issue(swim_badge, learner.email, issued_at=datetime(2025, 5, 1, tzinfo=UTC)),
        issue(swim_badge, learner.email),
        issue(second_badge, learner.email),
    ]


def test_backpack_lists_and_filters(client, stocked, learner, django_assert_max_num_queries):
    client.force_login(learner)
    with django_assert_max_num_queries(8):
        page = client.get("/me/badges")
    assert page.status_code == 200
    html = page.content.decode()
    assert all(a.public_id in html for a in stocked)
    assert set(page.context["choices"]["issuers"]) == {"한빛 청소년센터", "다른 학교"}
    assert "코딩" in page.context["choices"]["competencies"]

    only_sibling = client.get("/me/badges", {"issuer": "다른 학교"}).content.decode()
    assert stocked[2].public_id in only_sibling and stocked[0].public_id not in only_sibling
    by_year = client.get("/me/badges", {"year": "2025"}).content.decode()
    assert stocked[0].public_id in by_year and stocked[1].public_id not in by_year
    by_level = client.get("/me/badges", {"level": "2"}).content.decode()
    assert stocked[2].public_id in by_level and stocked[1].public_id not in by_level
    by_comp = client.get("/me/badges", {"competency": "수영"}).content.decode()
    assert stocked[0].public_id in by_comp and stocked[2].public_id not in by_comp
    assert client.get("/me/badges", {"year": "1999"}).context["cards"] == []


def test_backpack_query_count_does_not_grow(
    client, world, swim_badge, learner, django_assert_max_num_queries
):
    for _ in range(12):
        issue(swim_badge, learner.email)
    client.force_login(learner)
    with django_assert_max_num_queries(8):
        assert client.get("/me/badges").status_code == 200


def test_detail_reverifies_and_shows_revocation(client, stocked, learner, world):
    award = stocked[1]
    client.force_login(learner)
    page = client.get(f"/me/badges/a/{award.public_id}")
    assert page.status_code == 200
    assert page.context["report"]["outcome"] == "verified"
    checks = {c["name"]: c["status"] for c in page.context["report"]["checks"]}
    assert checks["proof"] == "pass" and checks["recipient"] == "pass"
    html = page.content.decode()
    for path in (".json", ".png", ".svg"):
        assert f"/c/{award.public_id}{path}" in html
    assert f"/me/badges/a/{award.public_id}/certificate?lang=en" in html
    assert "<svg" in html  # the QR code, inline
    linkedin = parse_qs(urlsplit(page.context["linkedin_url"]).query)
    assert linkedin["name"] == ["수영 1단계"]
    assert linkedin["organizationName"] == ["한빛 청소년센터"]
    assert linkedin["certId"] == [award.public_id]
    assert linkedin["certUrl"] == [f"https://badges.example.org/c/{award.public_id}"]
    assert linkedin["issueYear"] == [str(award.issued_at.astimezone(UTC).year)]
    assert linkedin["issueMonth"] == [str(award.issued_at.astimezone(UTC).month)]

    award_revoke(award=award, reason="잘못 발급", by=world.owner)
    page = client.get(f"/me/badges/a/{award.public_id}")
    assert page.context["report"]["outcome"] == "revoked"
    assert "status bad" in page.content.decode()


def test_downloads_per_badge_and_certificate(client, stocked, learner, world):
    award = stocked[1]
    client.force_login(learner)
    png = client.get(f"/c/{award.public_id}.png")
    assert json.loads(unbake(png.content).value)["id"].endswith(award.public_id)
    for language, phrase in (("ko", "증명"), ("en", "This certifies that")):
        page = client.get(f"/me/badges/a/{award.public_id}/certificate", {"lang": language})
        assert page.status_code == 200
        html = page.content.decode()
        assert f'<html lang="{language}">' in html
        assert phrase in html
        assert "김민준" in html and "수영 1단계" in html
        assert f"https://badges.example.org/c/{award.public_id}" in html and "<svg" in html
        assert "size: A4" in client.get("/static/backpack/certificate.css").getvalue().decode()
    client.force_login(world.outsider)
    assert client.get(f"/me/badges/a/{award.public_id}/certificate").status_code == 404


def test_new_badges_are_private_until_made_public(client, stocked, learner):
    award = stocked[1]
    client.force_login(learner)
    collection = Collection.objects.create(user=learner, name="대학 지원", is_shared=True)
    client.post(
        f"/me/collections/{collection.pk}",
        {"action": "items", "badge": [f"a:{award.public_id}", f"a:{stocked[2].public_id}"]},
    )
    assert CollectionItem.objects.filter(collection=collection).count() == 2
    client.logout()
    page = client.get(f"/share/{collection.share_id}").content.decode()
    assert award.public_id not in page and "대학 지원" in page

    client.force_login(learner)
    client.post(f"/me/badges/a/{award.public_id}", {"action": "public"})
    client.logout()
    page = client.get(f"/share/{collection.share_id}").content.decode()
    assert f"/c/{award.public_id}" in page and stocked[2].public_id not in page
    assert learner.email not in page and "김민준" not in page
    assert "linkedin.com/profile/add" in page


def test_collections_flow_and_share_link(client, stocked, learner, world):
    client.force_login(learner)
    assert client.post("/me/collections", {"name": "  "}).status_code == 400
    assert not Collection.objects.exists()
    response = client.post("/me/collections", {"name": "대학 지원", "description": "2027 수시"})
    collection = Collection.objects.get()
    assert response["Location"] == f"/me/collections/{collection.pk}"
    assert len(collection.share_id) >= 24
    # Not shared yet: the link does not work.
    client.logout()
    assert client.get(f"/share/{collection.share_id}").status_code == 404
    client.force_login(learner)
    chosen = [f"a:{stocked[0].public_id}", f"a:{stocked[1].public_id}"]
    client.post(
        f"/me/collections/{collection.pk}",
        {"action": "items", "badge": chosen, "public": chosen[:1]},
    )
    client.post(
        f"/me/collections/{collection.pk}",
        {"action": "update", "name": "대학 지원", "description": "", "is_shared": "on"},
    )
    page = client.get(f"/me/collections/{collection.pk}")
    html = page.content.decode()
    assert f"https://badges.example.org/share/{collection.share_id}" in html
    assert "<svg" in html and "data-copy" in html
    client.logout()
    public = client.get(f"/share/{collection.share_id}").content.decode()
    assert stocked[0].public_id in public and stocked[1].public_id not in public
    # Others cannot see or edit it.
    client.force_login(world.outsider)
    assert client.get(f"/me/collections/{collection.pk}").status_code == 404
    assert client.post(f"/me/collections/{collection.pk}", {"action": "delete"}).status_code == 404
    client.force_login(learner)
    client.post(f"/me/collections/{collection.pk}", {"action": "delete"})
    assert not Collection.objects.exists()


def test_public_profile(client, stocked, learner, world):
    client.force_login(learner)
    assert client.post("/me/profile", {"handle": "x!", "enabled": "on"}).status_code == 400
    assert not LearnerProfile.objects.filter(enabled=True).exists()
    response = client.post(
        "/me/profile",
        {"handle": "minjun", "display_name": "민준", "bio": "수영을 좋아해요", "enabled": "on"},
    )
    assert response.status_code == 302
    collection = Collection.objects.create(user=learner, name="체육", on_profile=True)
    CollectionItem.objects.create(collection=collection, award=stocked[1], position=1)
    client.post(f"/me/badges/a/{stocked[1].public_id}", {"action": "public"})
    hidden = Collection.objects.create(user=learner, name="비공개 모음")
    client.logout()
    page = client.get("/u/minjun")
    html = page.content.decode()
    assert page.status_code == 200 and "민준" in html and "체육" in html
    assert f"/c/{stocked[1].public_id}" in html and "비공개 모음" not in html
    assert learner.email not in html
    assert hidden.pk
    # Another learner cannot take the handle.
    client.force_login(world.outsider)
    assert client.post("/me/profile", {"handle": "minjun", "enabled": "on"}).status_code == 400
    # Turned off, the page is gone.
    client.force_login(learner)
    client.post("/me/profile", {"handle": "minjun", "display_name": "민준"})
    client.logout()
    assert client.get("/u/minjun").status_code == 404


def test_profile_sections_hook(client, learner, tmp_path, settings):
    template_dir = tmp_path / "templates"
    (template_dir / "growth").mkdir(parents=True)
    (template_dir / "growth" / "section.html").write_text(
        "<section>GROWTH {{ section.n }}</section>"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], template_dir]}
    ]
    LearnerProfile.objects.create(user=learner, handle="minjun", enabled=True)
    from baeji.backpack import selectors

    def growth(profile):
        return ("growth/section.html", {"n": profile.handle})

    register_profile_section(growth)
    try:
        assert "GROWTH minjun" in client.get("/u/minjun").content.decode()
    finally:
        selectors._PROFILE_SECTIONS.remove(growth)


def test_did_key_download_once(client, learner):
    client.force_login(learner)
    assert client.get("/me/did").status_code == 405
    response = client.post("/me/did")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    secret = json.loads(response.content)
    profile = LearnerProfile.objects.get(user=learner)
    assert secret["did"] == profile.did and profile.did.startswith("did:key:z6Mk")
    pair = keys.keypair_from_jwk(secret["privateKeyJwk"])
    assert pair.did_key() == profile.did
    # Only the public half is stored.
    assert secret["privateKeyJwk"]["d"] not in json.dumps(
        list(LearnerProfile.objects.values()), default=str
    )


def test_export_everything(client, stocked, learner, outside):
    client.force_login(learner)
    client.post("/me/import", {"text": json.dumps(outside.credential())})
    response = client.get("/me/export")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    manifest = json.loads(archive.read("manifest.json"))
    assert len(manifest["badges"]) == 4
    assert manifest["account"]["email_addresses"] == [learner.email]
    for award in stocked:
        assert f"platform/{award.public_id}.json" in names
        baked = archive.read(f"platform/{award.public_id}.png")
        assert unbake(baked).value == award.credential_json
        assert archive.read(f"platform/{award.public_id}.json").decode() == award.credential_json
    assert any(n.startswith("imported/") and n.endswith(".json") for n in names)


def test_a_child_shares_nothing_before_a_guardians_consent(client, stocked, db):
    from baeji.backpack.models import LearnerProfile
    from baeji.guardians.services import learner_age_set

    child = make_user("child@learners.example")
    learner_age_set(user=child, birth_year=timezone.localdate().year - 9)
    collection = Collection.objects.create(user=child, name="내 배지", is_shared=True)
    LearnerProfile.objects.create(user=child, handle="little-swimmer", enabled=True)
    assert client.get(f"/share/{collection.share_id}").status_code == 404
    assert client.get("/u/little-swimmer").status_code == 404
