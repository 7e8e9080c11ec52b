"""Reading awards: staff lists scoped to an organization, learners' own awards, public lookups."""

from baeji.awards.models import Award, StatusList


def awards_for_organization(organization, *, limit: int = 200):
    """The organization's latest awards, with what the list page shows."""
    return (
        Award.objects.filter(organization=organization)
        .select_related("version", "achievement")
        .order_by("-issued_at", "-id")[:limit]
    )


def awards_for_learner(user):
    """The awards attached to a learner account, newest first."""
    return (
        Award.objects.filter(recipient=user)
        .select_related("version", "organization")
        .order_by("-issued_at", "-id")
    )


def public_award(public_id: str) -> Award:
    """An award by public id, for its public page (raises Award.DoesNotExist)."""
    return Award.objects.select_related(
        "organization", "organization__parent", "version", "achievement"
    ).get(public_id=public_id)


def status_list_by_public_id(organization_slug: str, public_id: str) -> StatusList:
    """A published status list (raises StatusList.DoesNotExist)."""
    return StatusList.objects.select_related("organization").get(
        organization__slug=organization_slug, public_id=public_id
    )
