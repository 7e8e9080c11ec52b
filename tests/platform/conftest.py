"""Fixtures for the platform tests: settings for tests and a small world of organizations.

The world: an authority with two member institutions (``school`` and its sibling
``sibling``). ``owner`` owns ``school``; ``member`` is an issuer there; ``outsider`` has an
account and no role; ``sibling_member`` is an admin of the sibling institution.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

KEK = base64.urlsafe_b64encode(bytes(range(32))).decode()


@pytest.fixture(autouse=True)
def _platform_settings(settings, tmp_path):
    settings.BAEJI_KEK = KEK
    settings.BAEJI_KEK_AUTOCREATE = False
    settings.BASE_URL = "https://badges.example.org"
    settings.DATA_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.BAEJI_STAFF_MFA_REQUIRED = False
    settings.DEV_OUTBOX = False
    settings.ALLOWED_HOSTS = ["testserver", "badges.example.org"]
    settings.SECURE_SSL_REDIRECT = False
    yield


@dataclass
class World:
    """The organizations and people the permission tests are about."""

    authority: object
    school: object
    sibling: object
    owner: object
    member: object
    outsider: object
    sibling_member: object
    authority_admin: object


def make_user(email: str, **extra):
    """A user whose e-mail address is verified (so allauth treats it as theirs)."""
    from allauth.account.models import EmailAddress

    user = get_user_model().objects.create_user(username=email, email=email, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def world(db) -> World:
    """Build the world through the services, as the product would."""
    from baeji.organizations.models import Role
    from baeji.organizations.services import membership_set, organization_create

    owner = make_user("owner@school.example")
    member = make_user("member@school.example")
    outsider = make_user("outsider@example.net")
    sibling_member = make_user("admin@sibling.example")
    authority_admin = make_user("admin@authority.example")
    authority = organization_create(
        slug="authority", name="교육청", kind="authority", by=authority_admin
    )
    membership_set(organization=authority, user=authority_admin, role=Role.ADMIN)
    school = organization_create(slug="school", name="한빛 청소년센터", parent=authority, by=owner)
    sibling = organization_create(slug="sibling", name="다른 학교", parent=authority)
    membership_set(organization=school, user=member, role=Role.ISSUER)
    membership_set(organization=sibling, user=sibling_member, role=Role.ADMIN)
    return World(
        authority, school, sibling, owner, member, outsider, sibling_member, authority_admin
    )


@pytest.fixture
def swim_badge(world):
    """A levelled badge class of ``school`` with a result description."""
    from baeji.achievements.services import achievement_create

    return achievement_create(
        organization=world.school,
        slug="swim-1",
        by=world.owner,
        name="수영 1단계",
        description="물에 뜨고 자유형 25m를 헤엄칩니다.",
        criteria_md="- 자유형 25m 50초 이내\n- 안전 수칙 설명",
        achievement_type="Badge",
        category="체육",
        family="수영",
        level=1,
        tags=["수영", "체육"],
        result_descriptions=[{"name": "자유형 25m 기록", "result_type": "Result"}],
        design={"shape": "circle", "color": "#1F5FAD", "icon": "wave"},
    )


def make_public(award, *, birth_year: int = 1990):
    """Claim ``award`` for its recipient (an adult by default) and make it public, as the
    learner would in their backpack; the public page then names the recipient."""
    from baeji.accounts.services import user_get_or_create_for_email
    from baeji.awards.services import award_claim
    from baeji.backpack.services import decision_set, visibility_set
    from baeji.guardians.selectors import learner_age
    from baeji.guardians.services import learner_age_set

    user = user_get_or_create_for_email(email=award.recipient_email, name=award.recipient_name)
    award_claim(award=award, user=user)
    decision_set(award=award, user=user, decision="accepted")
    if learner_age(user) is None:
        learner_age_set(user=user, birth_year=birth_year)
    visibility_set(user=user, is_public=True, award=award)
    return user
