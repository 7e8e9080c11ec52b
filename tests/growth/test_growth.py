"""The growth view through HTTP: its numbers match the awards, every chart has its table, the
charts load only here, the guardian's copy is read-only, and the public summary obeys the
learner's choice and the PIPA gate."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from baeji.awards.services import award_revoke
from tests.guardians.conftest import (
    award,
    give_consent,
    json_island,
    request_consent,
    set_age,
)

pytestmark = pytest.mark.django_db
ADULT_YEAR = 1990
CHILD_YEAR = 2016


@pytest.fixture
def learner_awards(client, child, badges, world):
    """An adult learner with swimming 1–3, a talk badge, three named-level badges, and two
    that must not count: a revoked swimming 4 and an expired badge."""
    set_age(client, child, ADULT_YEAR)
    slugs = ["swim-1", "swim-2", "swim-3", "talk", "area1-1", "area1-2", "area2-1"]
    made = [award(badges[s], child, days_ago=400 - 40 * n) for n, s in enumerate(slugs)]
    revoked = award(badges["swim-4"], child, days_ago=5)
    award_revoke(award=revoked, reason="test", by=world.owner)
    expired = award(badges["area2-2"], child, days_ago=3)
    expired.valid_until = timezone.now() - timedelta(days=1)
    expired.save(update_fields=["valid_until"])
    return made


def test_growth_numbers_match_the_awards(client, child, badges, learner_awards):
    client.force_login(child)
    page = client.get("/me/growth")
    assert page.status_code == 200
    html = page.content.decode()
    data = json_island(html, "growth-data")

    # Competencies: every badge counts once per competency it is aligned to.
    expected: dict[str, int] = {}
    for item in learner_awards:
        for target in item.version.alignments:
            expected[target["target_name"]] = expected.get(target["target_name"], 0) + 1
    (framework,) = data["frameworks"]
    assert framework["labels"] == ["자기관리", "의사소통", "신체건강"]  # by code C1, C2, C8
    assert dict(zip(framework["labels"], framework["counts"], strict=True)) == expected
    assert expected == {"자기관리": 3, "신체건강": 3, "의사소통": 1}

    # Areas × levels: the revoked and the expired badge are not counted.
    (matrix,) = data["matrices"]
    assert matrix["areas"] == ["AI 이해", "데이터 활용"]
    assert matrix["levels"] == ["기초", "활용", "심화", "전문"]
    assert matrix["counts"] == [[1, 1, 0, 0], [1, 0, 0, 0]]

    # Timeline: cumulative to the seven badges that count.
    assert data["timeline"]["cumulative"][-1] == len(learner_awards) == 7
    assert sum(data["timeline"]["counts"]) == 7

    # Levelled families: where the learner stands and the next step's criteria.
    assert "다음 단계: 수영 4단계" in html or "Next step: 수영 4단계" in html
    assert "자유형 100m 완주" in html  # swimming 4's criteria
    assert "AI 이해 심화" in html and "데이터 활용 활용" in html
    assert "수영 3단계" in html


def _table_counts(html: str, chart_id: str) -> list[int]:
    found = re.search(rf'data-table-for="{chart_id}".*?</table>', html, re.S)
    assert found, f"no table for {chart_id}"
    return [int(n) for n in re.findall(r'data-count="(\d+)"', found.group(0))]


def test_every_chart_has_a_table_with_the_same_numbers(client, child, learner_awards):
    client.force_login(child)
    html = client.get("/me/growth").content.decode()
    data = json_island(html, "growth-data")
    for framework in data["frameworks"]:
        assert f'<canvas id="{framework["id"]}" role="img"' in html
        assert _table_counts(html, framework["id"]) == framework["counts"]
    for matrix in data["matrices"]:
        assert f'<canvas id="{matrix["id"]}" role="img"' in html
        flat = [n for row in matrix["counts"] for n in row]
        assert _table_counts(html, matrix["id"]) == flat
    assert '<canvas id="timeline" role="img"' in html
    assert 'data-table-for="timeline"' in html
    assert "<summary>" in html  # the tables can be opened where they are folded


def test_charts_load_only_on_growth_pages_without_inline_script(client, child, learner_awards):
    client.force_login(child)
    html = client.get("/me/growth").content.decode()
    assert "vendor/chart.umd.min.js" in html and "growth/growth.js" in html
    assert re.search(r"\son[a-z]+\s*=", html) is None
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    for attributes, _body in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert "chart.umd.min.js" not in client.get("/me/badges").content.decode()


def test_growth_page_queries_are_bounded(
    client, child, learner_awards, django_assert_max_num_queries
):
    client.force_login(child)
    with django_assert_max_num_queries(13):  # the page, the awards and the imported badges
        assert client.get("/me/growth").status_code == 200


def test_an_empty_growth_view(client, child):
    set_age(client, child, ADULT_YEAR)
    page = client.get("/me/growth")
    assert page.status_code == 200
    assert json_island(page.content.decode(), "growth-data")["frameworks"] == []


def test_the_guardians_copy_is_read_only(client, child, badges):
    set_age(client, child, CHILD_YEAR)
    award(badges["swim-1"], child)
    award(badges["swim-2"], child)
    guardian = give_consent(client, request_consent(client, child, "parent@example.net"))
    from baeji.guardians.models import LearnerAge

    child_id = LearnerAge.objects.get(user=child).public_id
    client.force_login(guardian)
    html = client.get(f"/family/{child_id}/growth").content.decode()
    data = json_island(html, "growth-data")
    assert data["timeline"]["cumulative"][-1] == 2
    assert 'name="show_on_profile"' not in html and "/me/growth/record" not in html


def test_the_public_summary_needs_the_choice_consent_and_public_badges(client, child, badges):
    from baeji.backpack.services import profile_update, visibility_set

    set_age(client, child, CHILD_YEAR)
    shown = award(badges["swim-1"], child)
    award(badges["swim-2"], child)  # private: must not be counted
    profile_update(user=child, handle="haneul", display_name="김하늘", bio="", enabled=True)
    visibility_set(user=child, is_public=True, award=shown)

    def section() -> str:
        client.logout()
        response = client.get("/u/haneul")
        assert response.status_code in (200, 404)
        return response.content.decode() if response.status_code == 200 else ""

    assert "growth-summary-h" not in section()  # not turned on
    client.force_login(child)
    assert client.post("/me/growth/profile", {"show_on_profile": "on"}).status_code == 302
    assert "growth-summary-h" not in section()  # a child without consent: nothing

    message = request_consent(client, child, "parent@example.net")
    guardian = give_consent(client, message)
    html = section()
    assert "growth-summary-h" in html
    summary = html[html.index("growth-summary-h") :]
    assert "수영: 1" in summary  # only the public badge: level 1, not 2
    assert "신체건강: 1" in summary and "수영: 2" not in summary

    from baeji.guardians.models import LearnerAge

    client.force_login(guardian)
    child_id = LearnerAge.objects.get(user=child).public_id
    client.post(f"/family/{child_id}/consent", {"answer": "withdraw"})
    assert "growth-summary-h" not in section()

    client.force_login(child)
    client.post("/me/growth/profile", {})
    from baeji.growth.selectors import show_on_profile

    assert not show_on_profile(child)
