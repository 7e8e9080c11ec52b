"""Verification results in the reader's language: /verify and the public credential page say
what each check found in Korean on Korean pages and in English on English ones."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from django.utils import timezone, translation

import baeji.verification.explain as explain
from baeji.achievements.services import achievement_create
from baeji.awards.services import award_issue, award_revoke
from baeji.credentials import report as engine_report
from baeji.credentials.report import Check
from baeji.verification.explain import explain_check, known_codes

# What the pages say for a valid, an expired and a revoked credential, in both languages.
VALID = {
    "ko": ["발급 기관의 전자 서명이 유효합니다.", "발급 기관이 취소하지 않았습니다."],
    "en": [
        "The issuer's digital signature is valid: nothing has changed since it was issued.",
        "The issuer has not revoked it.",
    ],
}
REVOKED = {"ko": "발급 기관이 이 배지를 취소했습니다.", "en": "The issuer has revoked this badge."}
# The engine's English messages, which Korean pages no longer show.
ENGINE_ENGLISH = ["signature(s) verified", "signed with a key of the issuer", "Not revoked."]


@pytest.fixture
def award(world, swim_badge):
    return award_issue(
        achievement=swim_badge,
        recipient_email="a@example.com",
        recipient_name="이서연",
        notify=False,
    )


@pytest.fixture
def expired_award(world):
    """An award of a badge valid for 30 days, issued 60 days ago."""
    badge = achievement_create(
        organization=world.school,
        slug="first-aid",
        by=world.owner,
        name="응급처치",
        description="심폐소생술을 익혔습니다.",
        criteria_md="- 실습 통과",
        achievement_type="Badge",
        valid_days=30,
        design={"shape": "circle", "color": "#1F5FAD", "icon": "star"},
    )
    return award_issue(
        achievement=badge,
        recipient_email="b@example.com",
        recipient_name="김하늘",
        issued_at=timezone.now() - timedelta(days=60),
        notify=False,
    )


def _page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _verify(client, award, language: str) -> str:
    return _page(
        client.post("/verify", {"text": award.credential_json}, HTTP_ACCEPT_LANGUAGE=language)
    )


def _credential_page(client, award, language: str) -> str:
    return _page(client.get(f"/c/{award.public_id}", HTTP_ACCEPT_LANGUAGE=language))


def _korean_date(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}년 {local.month}월 {local.day}일"


@pytest.mark.parametrize("show", [_verify, _credential_page], ids=["verify", "credential"])
def test_valid_credential_in_korean_and_english(client, award, show):
    korean = show(client, award, "ko")
    for sentence in VALID["ko"]:
        assert sentence in korean
    assert f"{_korean_date(award.issued_at)}부터 유효하며, 만료되지 않습니다." in korean
    assert not any(text in korean for text in ENGINE_ENGLISH + VALID["en"])

    english = show(client, award, "en")
    for sentence in VALID["en"]:
        assert sentence in english
    assert "; it does not expire." in english
    assert not any(text in english for text in VALID["ko"])


@pytest.mark.parametrize("show", [_verify, _credential_page], ids=["verify", "credential"])
def test_expired_credential_in_korean_and_english(client, expired_award, show):
    korean = show(client, expired_award, "ko")
    assert f"{_korean_date(expired_award.valid_until)}에 만료되었습니다." in korean
    assert "expired: valid until" not in korean

    english = show(client, expired_award, "en")
    local = timezone.localtime(expired_award.valid_until)
    assert re.search(rf"Expired on \S+ {local.day}, {local.year}\.", english)
    assert "만료되었습니다" not in english


@pytest.mark.parametrize("show", [_verify, _credential_page], ids=["verify", "credential"])
def test_revoked_credential_in_korean_and_english(client, award, world, show):
    award_revoke(award=award, reason="잘못 발급", by=world.owner)
    korean = show(client, award, "ko")
    assert REVOKED["ko"] in korean
    assert "The issuer has revoked this credential." not in korean
    english = show(client, award, "en")
    assert REVOKED["en"] in english
    assert REVOKED["ko"] not in english


def test_technical_detail_stays_as_a_second_line_after_the_korean_summary(client, award):
    document = json.loads(award.credential_json)
    document["name"] = "가짜 배지"
    korean = _page(
        client.post(
            "/verify",
            {"text": json.dumps(document, ensure_ascii=False)},
            HTTP_ACCEPT_LANGUAGE="ko",
        )
    )
    summary = "서명이 맞지 않습니다. 발급된 뒤 내용이 바뀌었거나 서명이 손상되었습니다."
    detail = "the eddsa-rdfc-2022 signature does not match"
    assert summary in korean and detail in korean
    assert korean.index(summary) < korean.index(detail)
    assert '<span class="muted" lang="en">the eddsa-rdfc-2022' in korean


# -- the wording itself ------------------------------------------------------------------------


def test_every_engine_code_has_a_wording():
    documented = set(re.findall(r"^``([a-z_0-9]+\.[a-z_0-9]+)``", engine_report.__doc__, re.M))
    assert documented and documented <= known_codes()
    assert known_codes() <= documented  # no wording for a code the engine does not use


def test_unknown_codes_and_stored_reports_fall_back_to_the_english_message():
    with translation.override("ko"):
        old = {"name": "proof", "status": "pass", "message": "1 eddsa-rdfc-2022 signature(s)"}
        assert explain_check(old).text == "1 eddsa-rdfc-2022 signature(s)"
        future = Check("proof", "pass", "quantum-safe", "proof.quantum", {})
        assert explain_check(future) == explain.CheckText("quantum-safe")
        # Params that do not fit the code (a report from another version) do not break a page.
        broken = Check("validity", "fail", "expired: valid until x", "validity.expired", {})
        assert explain_check(broken).text == "expired: valid until x"
        stored = Check(
            "validity",
            "fail",
            "expired: valid until 2026-05-01T00:00:00Z",
            "validity.expired",
            {"valid_until": "2026-05-01T00:00:00Z"},
        ).to_dict()
        assert explain_check(stored).text == "2026년 5월 1일에 만료되었습니다."


def test_issuer_reasons_and_plural_counts():
    revoked = Check("status", "fail", "x", "status.revoked", {"reason": "중복 발급"})
    endorsed = Check("endorsements", "pass", "x", "endorsements.verified", {"count": 3})
    with translation.override("ko"):
        assert explain_check(revoked).text == "발급 기관이 이 배지를 취소했습니다. 사유: 중복 발급"
        assert explain_check(endorsed).text == "보증 3건이 모두 확인됩니다."
    with translation.override("en"):
        assert explain_check(revoked).text == (
            "The issuer has revoked this badge. Reason given: 중복 발급"
        )
        assert explain_check(endorsed).text == "All 3 endorsements check out."


def test_the_korean_catalogue_covers_every_wording():
    source = Path(explain.__file__)
    catalogue_path = source.parent / "locale" / "ko" / "LC_MESSAGES" / "django.po"
    with catalogue_path.open("rb") as handle:
        catalogue = read_po(handle, locale="ko")
    keywords = {"_": None, "gettext_lazy": None, "ngettext_lazy": (1, 2)}
    wordings = {message for _, message, _, _ in extract_from_file("python", source, keywords)}
    assert len(wordings) > 80
    for message in wordings:
        entry = catalogue.get(message if isinstance(message, str) else message[0])
        assert entry is not None and not entry.fuzzy, message
        translated = entry.string if isinstance(entry.string, str) else entry.string[0]
        assert translated, message
        english = message if isinstance(message, str) else message[-1]
        # Every value the English sentence names, the Korean one names too.
        assert set(re.findall(r"%\((\w+)\)s", english)) == set(
            re.findall(r"%\((\w+)\)s", translated)
        ), message
