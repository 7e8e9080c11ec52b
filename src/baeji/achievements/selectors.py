"""Reading badge classes, scoped to an organization."""

from django.db.models import Count, Prefetch, Q

from baeji.achievements.models import (
    Achievement,
    AchievementVersion,
    CompetencyFramework,
    FrameworkArea,
    FrameworkLevel,
)


def achievements_for_organization(organization, *, include_archived: bool = False):
    """The organization's badge classes with their current versions and award counts."""
    qs = (
        Achievement.objects.filter(organization=organization)
        .select_related("current_version")
        .annotate(award_count=Count("awards", filter=Q(awards__status="active")))
        .order_by(
            "current_version__category", "current_version__family", "current_version__level", "slug"
        )
    )
    return qs if include_archived else qs.filter(archived=False)


def public_achievements_for_organization(organization):
    """What an issuer's public profile lists: its badge classes that are not archived."""
    return (
        Achievement.objects.filter(organization=organization, archived=False)
        .select_related("current_version")
        .order_by(
            "current_version__category", "current_version__family", "current_version__level", "slug"
        )
    )


def version_by_public_id(public_id: str) -> AchievementVersion:
    """A version by its public id (public: badge class pages and images are public)."""
    return AchievementVersion.objects.select_related(
        "achievement", "achievement__organization"
    ).get(public_id=public_id)


def achievements_with_counts(organization):
    """The dashboard list: badge classes with issued (all), active and revoked award counts."""
    return (
        Achievement.objects.filter(organization=organization, archived=False)
        .select_related("current_version")
        .annotate(
            issued_count=Count("awards"),
            revoked_count=Count("awards", filter=Q(awards__status="revoked")),
        )
        .order_by(
            "current_version__category", "current_version__family", "current_version__level", "slug"
        )
    )


def frameworks_for_organization(organization):
    """Frameworks an organization can use: its own, then those of the authorities above it,
    each with its areas and levels prefetched."""
    owners = [organization.pk] + [o.pk for o in organization.ancestors()]
    return (
        CompetencyFramework.objects.filter(organization_id__in=owners)
        .select_related("organization")
        .prefetch_related(
            Prefetch("areas", queryset=FrameworkArea.objects.order_by("position", "id")),
            Prefetch("levels", queryset=FrameworkLevel.objects.order_by("position", "id")),
        )
        .order_by("organization__kind", "position", "id")
    )


def framework_areas_for_organization(organization):
    """Every area an organization's badges may align to (its own and its authorities')."""
    owners = [organization.pk] + [o.pk for o in organization.ancestors()]
    return (
        FrameworkArea.objects.filter(framework__organization_id__in=owners)
        .select_related("framework", "framework__organization")
        .order_by("framework__position", "framework_id", "position", "id")
    )


def versions_of(achievement):
    """An achievement's versions, newest first, with how many awards each carries."""
    return achievement.versions.annotate(award_count=Count("awards")).order_by("-number")
