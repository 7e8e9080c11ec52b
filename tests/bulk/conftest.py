"""Fixtures for the bulk-issuance tests: the platform world plus badges and helpers."""

from __future__ import annotations

import pytest

from tests.platform.conftest import (  # noqa: F401 - fixtures used by the tests here
    KEK,
    _platform_settings,
    make_user,
    swim_badge,
    world,
)


@pytest.fixture
def badges(world):  # noqa: F811 - the imported fixture
    """Two badges of the authority (one assigned to ``school``) and one of ``school``'s own."""
    from baeji.achievements.services import achievement_create
    from baeji.bulk.services import assignment_set

    def make(organization, slug, name, **extra):
        return achievement_create(
            organization=organization,
            slug=slug,
            by=world.authority_admin,
            name=name,
            description=f"{name} 과정을 이수했습니다.",
            criteria_md="- 30시간 이수",
            **extra,
        )

    ai = make(world.authority, "ai-basics", "AI 기초")
    coding = make(world.authority, "coding", "코딩 입문")
    own = make(world.school, "reading", "독서 마라톤")
    assignment_set(achievement=ai, institution=world.school, assigned=True)
    return {"ai": ai, "coding": coding, "own": own}
