"""Badges imported from other issuers count in the growth view when they verified: in the
total, the timeline and the competencies they are aligned to."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from baeji.backpack.models import ImportedBadge
from tests.guardians.conftest import award, json_island, set_age

pytestmark = pytest.mark.django_db


def _imported(user, *, outcome="verified", alignments=(), issued=datetime(2025, 5, 20, tzinfo=UTC)):
    return ImportedBadge.objects.create(
        user=user,
        source="json",
        original=b"{}",
        name="해양 안전 교육",
        issuer_name="바다 청소년 수련원",
        issuer_id="did:web:sea.example",
        issued_at=issued,
        alignments=list(alignments),
        outcome=outcome,
        verified_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_verified_imports_count_in_total_timeline_and_competencies(
    client, child, badges, django_assert_max_num_queries
):
    set_age(client, child, 1990)
    award(badges["talk"], child, days_ago=30)  # aligned to C2 (의사소통)
    c8 = badges.competencies["C8"]
    # Aligned by the competency's URL: counts under 신체건강 of the school's framework.
    _imported(child, alignments=[{"name": "Physical health", "url": c8.url}])
    # Aligned to a competency nobody here publishes: shown under its own framework.
    _imported(
        child,
        alignments=[{"name": "Water safety", "framework": "Sea Skills", "code": "W1"}],
        issued=datetime(2025, 7, 1, tzinfo=UTC),
    )
    _imported(child, outcome="revoked", alignments=[{"name": "x", "url": c8.url}])
    _imported(child, outcome="unverified", alignments=[{"name": "x", "url": c8.url}])

    client.force_login(child)
    with django_assert_max_num_queries(14):  # one more to match the imports' competency URLs
        html = client.get("/me/growth", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    data = json_island(html, "growth-data")
    assert "3 badges count towards this view" in html
    assert "2 of them imported from other issuers" in html
    frameworks = {
        f["title"]: dict(zip(f["labels"], f["counts"], strict=True)) for f in data["frameworks"]
    }
    school = next(counts for title, counts in frameworks.items() if "핵심역량" in title)
    assert school["신체건강"] == 1 and school["의사소통"] == 1
    assert frameworks[" · Sea Skills"] == {"Water safety": 1}
    assert data["timeline"]["cumulative"][-1] == 3
    assert data["timeline"]["labels"][0] == "2025-05"
    assert html.count("해양 안전 교육") == 2 and "바다 청소년 수련원 · imported" in html


def test_a_learner_with_only_imports_has_a_growth_view(client, child):
    set_age(client, child, 1990)
    _imported(child)
    client.force_login(child)
    html = client.get("/me/growth", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "배지 1개가 이 화면에 반영됩니다" in html
    assert "그중 1개는 다른 발급기관에서 가져온 배지입니다" in html
    assert "가져온 배지" in html
