"""Creating and editing badge classes. Editing an awarded version makes a new version."""

from __future__ import annotations

import base64
from typing import Any

from django.db import transaction

from baeji.achievements.images import render_images
from baeji.achievements.models import (
    Achievement,
    AchievementVersion,
    Competency,
    CompetencyFramework,
    FrameworkArea,
    FrameworkLevel,
)
from baeji.audit.services import audit_record
from baeji.badgeart.upload import CleanImage

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
_IMAGE_FIELDS = {"name", "level", "design"}


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown achievement fields: {', '.join(sorted(unknown))}")


def _draw(version: AchievementVersion) -> None:
    if (version.design or {}).get("source") == "upload":
        # An uploaded picture is the issuer's own: renaming the badge must not redraw it.
        return
    png, svg = render_images(
        name=version.name,
        organization_name=version.achievement.organization.name,
        level=version.level,
        design=version.design or {},
    )
    version.image_png, version.image_svg = png, svg


def _use_upload(version: AchievementVersion, upload: CleanImage) -> None:
    """Store a sanitised upload as the version's image.

    A PNG is also wrapped in a small SVG so both downloads carry the same picture. An SVG
    cannot be rasterised here (no SVG renderer is installed), so its PNG form is the
    template-drawn picture of the same badge, which the designer page says plainly.
    """
    version.design = {**(version.design or {}), "source": "upload"}
    if upload.content_type == "image/png":
        version.image_png = upload.data
        encoded = base64.b64encode(upload.data).decode("ascii")
        version.image_svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" '
            'xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{upload.width}" height="{upload.height}" '
            f'viewBox="0 0 {upload.width} {upload.height}">'
            f'<image width="{upload.width}" height="{upload.height}" '
            f'href="data:image/png;base64,{encoded}"/></svg>'
        )
    else:
        png, _svg = render_images(
            name=version.name,
            organization_name=version.achievement.organization.name,
            level=version.level,
            design={k: v for k, v in version.design.items() if k != "source"},
        )
        version.image_png = png
        version.image_svg = upload.data.decode("utf-8")


@transaction.atomic
def achievement_create(
    *, organization, slug: str, by=None, upload: CleanImage | None = None, **fields: Any
) -> Achievement:
    """Create a badge class with its first version and its image (drawn, or ``upload``)."""
    _check_fields(fields)
    achievement = Achievement.objects.create(organization=organization, slug=slug)
    version = AchievementVersion(achievement=achievement, number=1, **fields)
    if upload is not None:
        _use_upload(version, upload)
    else:
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
def achievement_update(
    *, achievement: Achievement, by=None, upload: CleanImage | None = None, **changes: Any
) -> AchievementVersion:
    """Change a badge class. Once its current version has been awarded, the change becomes
    a new version, so every issued credential keeps pointing at what it was issued for.

    ``upload`` (a sanitised image) replaces the picture; a ``design`` without
    ``"source": "upload"`` goes back to the drawn template."""
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
    if upload is not None:
        _use_upload(version, upload)
    elif _IMAGE_FIELDS & set(changes):
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
        data={
            "version": version.number,
            "fields": sorted(changes) + (["image"] if upload is not None else []),
        },
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


@transaction.atomic
def achievement_series_create(
    *,
    organization,
    family: str,
    slug_prefix: str,
    levels: list[dict[str, Any]],
    by=None,
    **common: Any,
) -> list[Achievement]:
    """Create a levelled family at once: one badge class per entry of ``levels``.

    Each entry gives at least ``name`` and may give ``criteria_md``, ``description`` and
    ``level_name``; ``common`` holds what every level shares (description, category, design,
    result descriptions …). Level numbers follow the list order from 1, slugs are
    ``<slug_prefix>-<n>``. All or nothing: one clash (an existing slug) creates none.
    """
    if not levels:
        raise ValueError("A series needs at least one level.")
    slugs = [f"{slug_prefix}-{n}" for n in range(1, len(levels) + 1)]
    taken = set(
        Achievement.objects.filter(organization=organization, slug__in=slugs).values_list(
            "slug", flat=True
        )
    )
    if taken:
        raise ValueError(f"These badge identifiers are already used: {', '.join(sorted(taken))}")
    created = []
    for n, (slug, entry) in enumerate(zip(slugs, levels, strict=True), start=1):
        fields = {**common, **entry, "family": family, "level": n}
        created.append(achievement_create(organization=organization, slug=slug, by=by, **fields))
    audit_record(
        action="achievement.series_create",
        actor=by,
        organization=organization,
        target=created[0],
        data={"family": family, "levels": len(created)},
    )
    return created


@transaction.atomic
def framework_create(*, organization, name: str, by=None, **fields: Any) -> CompetencyFramework:
    """Add a competency framework at the end of the organization's list."""
    last = (
        CompetencyFramework.objects.filter(organization=organization)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    framework = CompetencyFramework.objects.create(
        organization=organization, name=name, position=(last or 0) + 1, **fields
    )
    audit_record(
        action="framework.create",
        actor=by,
        organization=organization,
        target=framework,
        data={"name": name},
    )
    return framework


_FRAMEWORK_FIELDS = {"name", "description", "url"}


@transaction.atomic
def framework_update(*, framework: CompetencyFramework, by=None, **changes: Any):
    """Rename or describe a framework."""
    unknown = set(changes) - _FRAMEWORK_FIELDS
    if unknown:
        raise TypeError(f"unknown framework fields: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(framework, field, value)
    framework.save()
    audit_record(
        action="framework.update",
        actor=by,
        organization=framework.organization,
        target=framework,
        data={"fields": sorted(changes)},
    )
    return framework


def _swap(items: list, index: int, direction: str) -> list:
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down"):
        raise ValueError("direction must be 'up' or 'down'")
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    return items


@transaction.atomic
def framework_move(*, framework: CompetencyFramework, direction: str, by=None) -> None:
    """Move a framework one place up or down in its organization's list."""
    siblings = list(
        CompetencyFramework.objects.select_for_update().filter(
            organization_id=framework.organization_id
        )
    )
    index = next(i for i, f in enumerate(siblings) if f.pk == framework.pk)
    for position, item in enumerate(_swap(siblings, index, direction), start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position", "updated_at"])
    audit_record(
        action="framework.move",
        actor=by,
        organization=framework.organization,
        target=framework,
        data={"direction": direction},
    )


_PART_MODELS = {"area": FrameworkArea, "level": FrameworkLevel}


@transaction.atomic
def framework_part_add(
    *, framework: CompetencyFramework, kind: str, name: str, by=None, **fields: Any
):
    """Add an area (``kind="area"``, may have a ``code``) or a level (``"level"``) at the end."""
    model = _PART_MODELS[kind]
    last = (
        model.objects.filter(framework=framework)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    part = model.objects.create(framework=framework, name=name, position=(last or 0) + 1, **fields)
    audit_record(
        action=f"framework.{kind}_add",
        actor=by,
        organization=framework.organization,
        target=part,
        data={"framework": framework.name, "name": name},
    )
    return part


@transaction.atomic
def framework_part_update(*, part, by=None, **changes: Any):
    """Rename an area or a level (``name``, ``code`` for areas, ``description``)."""
    allowed = {"name", "description"} | ({"code"} if isinstance(part, FrameworkArea) else set())
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(part, field, value)
    part.save()
    kind = "area" if isinstance(part, FrameworkArea) else "level"
    audit_record(
        action=f"framework.{kind}_update",
        actor=by,
        organization=part.framework.organization,
        target=part,
        data={"fields": sorted(changes)},
    )
    return part


@transaction.atomic
def framework_part_move(*, part, direction: str, by=None) -> None:
    """Move an area or a level one place up or down within its framework."""
    model = type(part)
    siblings = list(model.objects.select_for_update().filter(framework_id=part.framework_id))
    index = next(i for i, p in enumerate(siblings) if p.pk == part.pk)
    for position, item in enumerate(_swap(siblings, index, direction), start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position", "updated_at"])
    audit_record(
        action="framework.part_move",
        actor=by,
        organization=part.framework.organization,
        target=part,
        data={"direction": direction},
    )
