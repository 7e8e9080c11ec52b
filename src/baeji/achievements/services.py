"""Creating and editing badge classes. Editing an awarded version makes a new version."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from baeji.achievements.images import render_images
from baeji.achievements.models import Achievement, AchievementVersion, Competency
from baeji.audit.services import audit_record

CONTENT_FIELDS = (
    "name",
    "description",
    "criteria_md",
    "achievement_type",
    "category",
    "tags",
    "family",
    "level",
    "level_name",
    "valid_days",
    "language",
    "result_descriptions",
    "alignments",
    "design",
)
_IMAGE_FIELDS = {"name", "level", "family", "design"}


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown achievement fields: {', '.join(sorted(unknown))}")


def _draw(version: AchievementVersion) -> None:
    png, svg = render_images(
        name=version.name,
        organization_name=version.achievement.organization.name,
        level=version.level,
        family=version.family,
        design=version.design or {},
    )
    version.image_png, version.image_svg = png, svg


@transaction.atomic
def achievement_create(*, organization, slug: str, by=None, **fields: Any) -> Achievement:
    """Create a badge class with its first version and its generated image."""
    _check_fields(fields)
    achievement = Achievement.objects.create(organization=organization, slug=slug)
    version = AchievementVersion(achievement=achievement, number=1, **fields)
    _draw(version)
    version.save()
    achievement.current_version = version
    achievement.save(update_fields=["current_version", "updated_at"])
    audit_record(
        action="achievement.create",
        actor=by,
        organization=organization,
        target=achievement,
        data={"name": version.name},
    )
    return achievement


@transaction.atomic
def achievement_update(*, achievement: Achievement, by=None, **changes: Any) -> AchievementVersion:
    """Change a badge class. Once its current version has been awarded, the change becomes
    a new version, so every issued credential keeps pointing at what it was issued for."""
    _check_fields(changes)
    achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
    current = achievement.current_version
    frozen = current.awards.exists()
    if frozen:
        version = AchievementVersion(achievement=achievement, number=current.number + 1)
        for field in CONTENT_FIELDS:
            setattr(version, field, getattr(current, field))
        version.image_png, version.image_svg = current.image_png, current.image_svg
    else:
        version = current
    for field, value in changes.items():
        setattr(version, field, value)
    if _IMAGE_FIELDS & set(changes):
        _draw(version)
    version.save()
    if frozen:
        achievement.current_version = version
        achievement.save(update_fields=["current_version", "updated_at"])
    audit_record(
        action="achievement.update",
        actor=by,
        organization=achievement.organization,
        target=achievement,
        data={"version": version.number, "fields": sorted(changes)},
    )
    return version


@transaction.atomic
def competency_create(*, organization, code: str, name: str, by=None, **fields: Any) -> Competency:
    """Add an item to the organization's competency framework."""
    competency = Competency.objects.create(
        organization=organization, code=code, name=name, **fields
    )
    audit_record(action="competency.create", actor=by, organization=organization, target=competency)
    return competency
