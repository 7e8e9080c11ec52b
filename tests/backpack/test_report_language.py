"""The backpack's verification reports in the learner's language: platform badges, imported
badges (whose report is stored) and refused uploads."""

from __future__ import annotations

import html
import json
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from baeji.backpack.models import ImportedBadge
from baeji.credentials import model

from .conftest import issue


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _korean_date(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}년 {local.month}월 {local.day}일"


def test_platform_badge_report_in_korean_and_english(client, learner, swim_badge):
    award = issue(swim_badge, learner.email)
    client.force_login(learner)
    korean = _page(client.get(f"/me/badges/a/{award.public_id}", HTTP_ACCEPT_LANGUAGE="ko"))
    assert f"{learner.email} 주소로 발급되었습니다." in korean
    assert "발급 기관의 전자 서명이 유효합니다." in korean
    assert f"issued to {learner.email}" not in korean  # the engine's English message
    english = _page(client.get(f"/me/badges/a/{award.public_id}", HTTP_ACCEPT_LANGUAGE="en"))
    assert f"It was issued to {learner.email}." in english
    assert "주소로 발급되었습니다" not in english


def test_imported_expired_badge_keeps_codes_and_reads_in_korean(client, learner, outside):
    now = timezone.now()
    ended = now - timedelta(days=2)
    credential = outside.credential(
        valid_from=model.xsd_datetime(now - timedelta(days=30)),
        valid_until=model.xsd_datetime(ended),
    )
    client.force_login(learner)
    response = client.post("/me/import", {"text": json.dumps(credential), "insist": "on"})
    assert response.status_code == 302
    badge = ImportedBadge.objects.get(user=learner)
    assert badge.outcome == "unverified"
    validity = next(c for c in badge.report_json["checks"] if c["name"] == "validity")
    assert validity["code"] == "validity.expired"
    assert validity["params"] == {"valid_until": model.xsd_datetime(ended)}

    korean = _page(client.get(f"/me/badges/i/{badge.public_id}", HTTP_ACCEPT_LANGUAGE="ko"))
    assert f"{_korean_date(ended)}에 만료되었습니다." in korean
    assert "expired: valid until" not in korean
    english = _page(client.get(f"/me/badges/i/{badge.public_id}", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Expired on" in english and "만료되었습니다" not in english


def test_report_stored_before_codes_shows_its_english_message(client, learner, outside):
    client.force_login(learner)
    client.post("/me/import", {"text": json.dumps(outside.credential())})
    badge = ImportedBadge.objects.get(user=learner)
    # A report kept by an earlier version: no code, no params.
    badge.report_json = {
        "valid": True,
        "checks": [
            {k: c[k] for k in ("name", "status", "message")} for c in badge.report_json["checks"]
        ],
    }
    badge.save(update_fields=["report_json"])
    korean = _page(client.get(f"/me/badges/i/{badge.public_id}", HTTP_ACCEPT_LANGUAGE="ko"))
    assert "1 eddsa-rdfc-2022 signature(s) verified" in korean
    assert "배지 자격 증명 형식입니다" in korean  # the check labels are translated as before


def test_refused_upload_shows_korean_summary_then_the_technical_detail(client, learner, outside):
    credential = outside.credential()
    credential["credentialSubject"]["achievement"]["name"] = "수영 9단계"
    client.force_login(learner)
    response = client.post(
        "/me/import",
        {"file": SimpleUploadedFile("badge.json", json.dumps(credential).encode())},
        HTTP_ACCEPT_LANGUAGE="ko",
    )
    assert response.status_code == 400
    korean = _page(response)
    summary = "서명이 맞지 않습니다. 발급된 뒤 내용이 바뀌었거나 서명이 손상되었습니다."
    detail = "the eddsa-rdfc-2022 signature does not match"
    assert summary in korean and detail in korean
    assert korean.index(summary) < korean.index(detail)
    assert not ImportedBadge.objects.exists()
