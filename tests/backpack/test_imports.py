"""Importing badges from anywhere: each format valid and tampered, kept with its report, and
re-verified later to show a revocation. The network is never used: the outside issuer's
documents are seeded into the fetcher."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from baeji.backpack.models import ImportedBadge
from baeji.credentials import model
from baeji.credentials.bake import bake
from baeji.credentials.suites import vc_jwt

from .conftest import SVG_IMAGE

OB2 = Path(__file__).parent.parent / "credentials" / "fixtures" / "ob2"


def _upload(client, data: bytes, name: str = "badge.json", **extra):
    return client.post(
        "/me/import", {"file": SimpleUploadedFile(name, data), **extra}, follow=False
    )


def _tamper_json(credential: dict) -> dict:
    changed = json.loads(json.dumps(credential))
    changed["credentialSubject"]["achievement"]["name"] = "수영 9단계"
    return changed


def _jwt(outside, credential: dict) -> str:
    return vc_jwt.issue(credential, outside.key, kid=outside.method)


def _tamper_jwt(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["name"] = "다른 배지"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.fixture
def ob2_fetcher(outside):
    """Serve the 1EdTech validator's OB 2.0 fixture documents at their example.org URLs."""
    for path in (OB2 / "assets").glob("*.json"):
        for scheme in ("http", "https"):
            outside.fetcher.seed(f"{scheme}://example.org/{path.name}", path.read_bytes())
    assertion = json.loads((OB2 / "basic-assertion.json").read_text())
    outside.fetcher.seed(assertion["id"], assertion)
    return assertion


FORMATS = ["json", "jwt", "png", "svg"]


def _payload(kind: str, outside, png_image: bytes, *, tampered: bool) -> tuple[bytes, str]:
    credential = outside.credential()
    if kind == "jwt":
        unsigned = outside.credential(sign=False)
        token = _jwt(outside, unsigned)
        return (_tamper_jwt(token) if tampered else token).encode(), "badge.jwt"
    if tampered:
        credential = _tamper_json(credential)
    if kind == "json":
        return json.dumps(credential, ensure_ascii=False).encode(), "badge.json"
    if kind == "png":
        return bake(png_image, credential), "badge.png"
    return bake(SVG_IMAGE, credential), "badge.svg"


@pytest.mark.parametrize("kind", FORMATS)
def test_import_valid_ob3(client, learner, outside, png_image, kind):
    client.force_login(learner)
    data, name = _payload(kind, outside, png_image, tampered=False)
    response = _upload(client, data, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    badge = ImportedBadge.objects.get(user=learner)
    assert response["Location"] == f"/me/badges/i/{badge.public_id}"
    assert badge.outcome == "verified" and badge.source == kind and badge.spec == "ob3"
    assert badge.name == "수영 3단계" and badge.issuer_name == "서울시 청소년센터"
    assert "신체 역량" in badge.competencies
    assert badge.alignments == [
        {
            "name": "신체 역량",
            "url": "https://youth.example.kr/frameworks/physical",
            "code": "",
            "framework": "청소년 9대 역량",
        }
    ]
    assert badge.issued_at.year == 2026
    assert {c["name"]: c["status"] for c in badge.report_json["checks"]}["proof"] == "pass"
    page = client.get(response["Location"]).content.decode()
    assert "수영 3단계" in page and "status ok" in page
    listing = client.get("/me/badges").content.decode()
    assert badge.public_id in listing
    if kind in {"png", "svg"}:
        image = client.get(f"/me/badges/i/{badge.public_id}/image")
        assert image.status_code == 200 and bytes(image.content) == data


@pytest.mark.parametrize("kind", FORMATS)
def test_import_tampered_ob3_is_refused_with_report(client, learner, outside, png_image, kind):
    client.force_login(learner)
    data, name = _payload(kind, outside, png_image, tampered=True)
    response = _upload(client, data, name)
    assert response.status_code == 400
    page = response.content.decode()
    assert "check-fail" in page  # the engine's report is shown, check by check
    assert not ImportedBadge.objects.exists()
    # Kept only when the learner insists, and then clearly marked.
    response = _upload(client, data, name, insist="on")
    assert response.status_code == 302
    badge = ImportedBadge.objects.get()
    assert badge.outcome == "unverified"
    assert "status warn" in client.get("/me/badges").content.decode()


def test_import_pasted_text_and_nonsense(client, learner, outside):
    client.force_login(learner)
    credential = outside.credential()
    response = client.post("/me/import", {"text": json.dumps(credential)})
    assert response.status_code == 302
    assert ImportedBadge.objects.count() == 1
    # Not a badge at all: refused even when the learner insists.
    response = client.post("/me/import", {"text": "hello there", "insist": "on"})
    assert response.status_code == 400
    response = _upload(client, b"\x00\x01 not an image", "x.bin", insist="on")
    assert response.status_code == 400
    assert client.post("/me/import", {}).status_code == 400
    assert ImportedBadge.objects.count() == 1


def test_import_ob2_assertion_url(client, learner, ob2_fetcher):
    client.force_login(learner)
    response = client.post("/me/import", {"url": ob2_fetcher["id"]})
    assert response.status_code == 302, response.content.decode()[:3000]
    badge = ImportedBadge.objects.get()
    assert badge.spec == "ob2" and badge.source == "url" and badge.outcome == "verified"
    assert badge.name and badge.issuer_name == "An Example Badge Issuer"
    assert badge.issued_at.year == 2016


def test_import_ob2_baked_image_valid_and_tampered(client, learner, ob2_fetcher, png_image):
    client.force_login(learner)
    response = _upload(client, bake(png_image, ob2_fetcher["id"], kind="ob2"), "ob2.png")
    assert response.status_code == 302
    assert ImportedBadge.objects.get().spec == "ob2"
    # A baked copy that differs from what the issuer hosts does not verify.
    changed = dict(ob2_fetcher, evidence="https://example.org/someone-elses-work.html")
    response = _upload(client, bake(png_image, json.dumps(changed), kind="ob2"), "ob2b.png")
    assert response.status_code == 400
    assert ImportedBadge.objects.count() == 1


def test_reverify_shows_later_revocation(client, learner, outside):
    client.force_login(learner)
    credential = outside.credential(index=77)
    assert _upload(client, json.dumps(credential).encode()).status_code == 302
    badge = ImportedBadge.objects.get()
    assert badge.outcome == "verified"

    # The issuer revokes: its status list (which this test controls) sets the bit.
    outside.revocations.set(77)
    outside.publish_lists()
    response = client.post(f"/me/badges/i/{badge.public_id}", {"action": "verify"})
    assert response.status_code == 302
    badge.refresh_from_db()
    assert badge.outcome == "revoked"
    page = client.get(f"/me/badges/i/{badge.public_id}").content.decode()
    assert "status bad" in page
    assert "status bad" in client.get("/me/badges").content.decode()


def test_imports_are_private_to_their_owner(client, learner, outside, png_image, world):
    client.force_login(learner)
    _upload(client, bake(png_image, outside.credential()), "b.png")
    badge = ImportedBadge.objects.get()
    client.force_login(world.outsider)
    assert client.get(f"/me/badges/i/{badge.public_id}").status_code == 404
    assert client.post(f"/me/badges/i/{badge.public_id}", {"action": "delete"}).status_code == 404
    assert client.get(f"/me/badges/i/{badge.public_id}/image").status_code == 404
    client.logout()
    assert client.get(f"/me/badges/i/{badge.public_id}/image").status_code == 404
    client.force_login(learner)
    client.post(f"/me/badges/i/{badge.public_id}", {"action": "public"})
    client.logout()
    assert client.get(f"/me/badges/i/{badge.public_id}/image").status_code == 200
    client.force_login(learner)
    client.post(f"/me/badges/i/{badge.public_id}", {"action": "delete"})
    assert not ImportedBadge.objects.exists()


def test_import_of_this_platforms_badge_verifies_locally(client, learner, world, swim_badge):
    from .conftest import issue

    award = issue(swim_badge, "other@learners.example")
    client.force_login(learner)
    response = client.post("/me/import", {"text": award.credential_json})
    assert response.status_code == 302
    assert ImportedBadge.objects.get().outcome == "verified"
    assert model  # the builders are what the outside issuer used


def test_public_import_image_hidden_while_the_learner_may_not_share(client, db, outside, png_image):
    """A baked image holds the whole credential: a child's stays private until consent."""
    from django.utils import timezone

    from baeji.guardians.services import learner_age_set

    from .conftest import make_user

    child = make_user("child-import@learners.example")
    learner_age_set(user=child, birth_year=timezone.localdate().year - 9)
    client.force_login(child)
    _upload(client, bake(png_image, outside.credential()), "b.png")
    badge = ImportedBadge.objects.get(user=child)
    client.post(f"/me/badges/i/{badge.public_id}", {"action": "public"})
    badge.refresh_from_db()
    assert badge.is_public
    assert client.get(f"/me/badges/i/{badge.public_id}/image").status_code == 200
    client.logout()
    assert client.get(f"/me/badges/i/{badge.public_id}/image").status_code == 404
