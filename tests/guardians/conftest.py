"""Fixtures for the guardians and growth tests: the platform's world, a child, a guardian and
badges with competencies, levelled families and named levels."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest

from tests.platform.conftest import _platform_settings, make_user, swim_badge, world  # noqa: F401

COMPETENCIES = [("C1", "자기관리"), ("C2", "의사소통"), ("C8", "신체건강")]
AREAS = ["AI 이해", "데이터 활용"]
LEVELS = ["기초", "활용", "심화", "전문"]


@dataclass
class Badges:
    """The badge classes of the growth tests, by slug."""

    by_slug: dict
    competencies: dict

    def __getitem__(self, slug):
        return self.by_slug[slug]


@pytest.fixture
def badges(world) -> Badges:  # noqa: F811 - the imported fixture
    """Swimming levels 1–4 (aligned to C8 and C1), a talk badge (C2) and two areas × 4 named
    levels, all of ``world.school``."""
    from baeji.achievements.services import achievement_create, competency_create

    competencies = {
        code: competency_create(
            organization=world.school,
            code=code,
            name=name,
            by=world.owner,
            framework="핵심역량",
            url=f"https://school.example/competencies/{code}",
        )
        for code, name in COMPETENCIES
    }

    def aligned(*codes):
        return [
            {
                "target_name": competencies[c].name,
                "target_url": competencies[c].url,
                "target_code": c,
                "target_framework": "핵심역량",
                "target_type": "CFItem",
            }
            for c in codes
        ]

    made = {}
    for n in range(1, 5):
        made[f"swim-{n}"] = achievement_create(
            organization=world.school,
            slug=f"swim-{n}",
            by=world.owner,
            name=f"수영 {n}단계",
            description=f"수영 {n}단계를 마쳤습니다.",
            criteria_md=f"- 자유형 {25 * n}m 완주\n- 안전 수칙 설명",
            category="체육",
            family="수영",
            level=n,
            alignments=aligned("C8", "C1"),
            design={"shape": "hexagon", "color": "#1565C0", "icon": "wave"},
        )
    made["talk"] = achievement_create(
        organization=world.school,
        slug="talk",
        by=world.owner,
        name="발표 경험",
        description="발표를 했습니다.",
        criteria_md="- 5분 발표",
        category="진로",
        alignments=aligned("C2"),
        design={"shape": "circle", "color": "#EF6C00", "icon": "star"},
    )
    for a, area in enumerate(AREAS, start=1):
        for n, level_name in enumerate(LEVELS, start=1):
            made[f"area{a}-{n}"] = achievement_create(
                organization=world.school,
                slug=f"area{a}-{n}",
                by=world.owner,
                name=f"{area} {level_name}",
                description=f"{area} {level_name} 수준입니다.",
                criteria_md=f"- {area} {level_name} 과정 {8 * n}시간 이수",
                category=area,
                family=area,
                level=n,
                level_name=level_name,
                design={"shape": "hexagon", "color": "#283593", "icon": "chip"},
            )
    return Badges(made, competencies)


@pytest.fixture
def child(db):
    """A learner account (their age is set by each test)."""
    return make_user("kid@example.com", first_name="김하늘")


@pytest.fixture
def guardian_email() -> str:
    """The guardian's address."""
    return "parent@example.net"


def award(badge, user, *, days_ago: int = 10, by=None):
    """Issue ``badge`` to ``user`` (attached to their account, as after a claim)."""
    from datetime import timedelta

    from django.utils import timezone

    from baeji.awards.services import award_claim, award_issue

    issued = award_issue(
        achievement=badge,
        recipient_email=user.email,
        recipient_name=user.first_name or user.email,
        issued_by=by,
        issued_at=timezone.now() - timedelta(days=days_ago),
        notify=False,
    )
    return award_claim(award=issued, user=user)


def set_age(client, user, year: int):
    """Answer the age step through the page."""
    client.force_login(user)
    response = client.post("/me/age", {"birth_year": str(year)})
    assert response.status_code == 302, response.content[:500]
    return response


def consent_link(message) -> str:
    """The consent path from a consent e-mail's text body."""
    found = re.search(
        r"https://badges\.example\.org(/guardians/consent/[A-Za-z0-9]+)", message.body
    )
    assert found, message.body
    return found.group(1)


def request_consent(client, child_user, guardian: str, language: str = "ko"):
    """The child asks their guardian; returns the e-mail sent."""
    from django.core import mail
    from django.test import TestCase

    client.force_login(child_user)
    before = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/me/guardian", {"guardian_email": guardian}, HTTP_ACCEPT_LANGUAGE=language
        )
    assert response.status_code == 302, response.content[:800]
    assert len(mail.outbox) == before + 1
    return mail.outbox[-1]


def give_consent(client, message):
    """The guardian follows the link and consents; returns the guardian's account."""
    from django.contrib.auth import get_user_model

    client.logout()
    response = client.post(consent_link(message), {"answer": "grant", "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == "/family/"
    return get_user_model().objects.get(email=message.to[0])


def json_island(html: str, element_id: str) -> dict:
    """The JSON of a ``json_script`` island in a page."""
    found = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert found, f"no JSON island {element_id}"
    return json.loads(found.group(1))
