"""Reading badge classes, scoped to an organization."""

from django.db.models import Count, Q

from baeji.achievements.models import Achievement, AchievementVersion


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
