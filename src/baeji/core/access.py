"""The access_* functions: the ONLY place where permission checks live.

Every view that shows or changes something protected fetches it through one of these.
A user's role in an organization is the strongest of their memberships there and in its
ancestors (an authority's admins administer its member institutions); siblings see nothing
of each other. Superusers act as owners everywhere.

Each function raises ``Http404`` when the user may not even know the object exists, and
``PermissionDenied`` when they may see it but not do what ``need`` asks.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

NEEDS = {"view": 1, "issue": 2, "manage": 3, "own": 4}


def role_rank_for_user(user, organization) -> int:
    """The rank (0 none, 1 viewer … 4 owner) of ``user``'s strongest role over ``organization``."""
    from baeji.organizations.models import ROLE_RANK, Membership

    if user is None or not user.is_authenticated or not user.is_active:
        return 0
    if user.is_superuser:
        return 4
    org_ids = [organization.pk] + [o.pk for o in organization.ancestors()]
    roles = Membership.objects.filter(user=user, organization_id__in=org_ids).values_list(
        "role", flat=True
    )
    return max((ROLE_RANK[r] for r in roles), default=0)


def may(user, organization, need: str) -> bool:
    """Whether ``user`` has ``need`` (view/issue/manage/own) over ``organization``: for pages
    that show or hide an action; the action itself fetches through an access_* function."""
    if need not in NEEDS:
        raise ValueError(f"unknown need {need!r}; use one of {sorted(NEEDS)}")
    return role_rank_for_user(user, organization) >= NEEDS[need]


def _check(user, organization, need: str) -> None:
    if need not in NEEDS:
        raise ValueError(f"unknown need {need!r}; use one of {sorted(NEEDS)}")
    rank = role_rank_for_user(user, organization)
    if rank == 0:
        raise Http404("not found")
    if rank < NEEDS[need]:
        raise PermissionDenied(f"this needs the {need!r} permission")


def access_organization_for_user(user, slug: str, *, need: str = "view"):
    """The organization ``slug`` if ``user`` has ``need`` (view/issue/manage/own) over it."""
    from baeji.organizations.models import Organization

    try:
        organization = Organization.objects.select_related("parent").get(slug=slug)
    except Organization.DoesNotExist:
        raise Http404("no such organization") from None
    _check(user, organization, need)
    return organization


def access_achievement_for_user(user, public_id: str, *, need: str = "view"):
    """The achievement (badge class) ``public_id`` if ``user`` has ``need`` over its issuer."""
    from baeji.achievements.models import Achievement

    try:
        achievement = Achievement.objects.select_related(
            "organization", "organization__parent", "current_version"
        ).get(public_id=public_id)
    except Achievement.DoesNotExist:
        raise Http404("no such badge") from None
    _check(user, achievement.organization, need)
    return achievement


class AwardsScope(NamedTuple):
    """Which awards of a badge a user may see: those of ``issuers`` (a queryset of
    organizations), looked at from ``organization``."""

    achievement: Any
    organization: Any
    issuers: Any


def access_achievement_awards_for_user(
    user, public_id: str, *, need: str = "view", via: str = ""
) -> AwardsScope:
    """The badge ``public_id`` with the issuers whose awards of it ``user`` may see (its claim
    funnel, unclaimed recipients and claim codes), if they have ``need`` over the viewpoint.

    Staff of the badge's owner see the owner's awards and those of its member institutions
    (an authority oversees its institutions, as above). Staff of a member institution that
    issues the badge (assigned to it, or issued before) see only their institution's awards,
    never a sibling's. ``via`` (a slug) picks the viewpoint: the owner, or one such member
    institution (which the owner's staff may look at alone too); without it, the owner if
    the user has a role there, else the user's first such institution by name.
    """
    from baeji.achievements.models import Achievement
    from baeji.awards.models import Award, PendingAward
    from baeji.bulk.models import AchievementAssignment
    from baeji.organizations.models import Organization

    try:
        achievement = Achievement.objects.select_related(
            "organization", "organization__parent", "current_version"
        ).get(public_id=public_id)
    except Achievement.DoesNotExist:
        raise Http404("no such badge") from None
    owner = achievement.organization
    if via == owner.slug or (not via and role_rank_for_user(user, owner)):
        _check(user, owner, need)
        issuers = Organization.objects.filter(Q(pk=owner.pk) | Q(parent=owner))
        return AwardsScope(achievement, owner, issuers)
    if user is None or not user.is_authenticated:
        raise Http404("not found")
    assigned = AchievementAssignment.objects.filter(achievement=achievement)
    of_badge = {"achievement": achievement, "organization": OuterRef("pk")}
    members = Organization.objects.select_related("parent").filter(
        Exists(assigned.filter(institution=OuterRef("pk")))
        | Exists(Award.objects.filter(**of_badge))
        | Exists(PendingAward.objects.filter(**of_badge)),
        parent=owner,
    )
    members = members.filter(slug=via) if via else members.filter(memberships__user=user)
    institution = members.order_by("name", "pk").first()
    if institution is None:
        raise Http404("not found")
    _check(user, institution, need)
    return AwardsScope(achievement, institution, Organization.objects.filter(pk=institution.pk))


def access_award_for_user(user, public_id: str, *, need: str = "view"):
    """The award ``public_id`` if ``user`` has ``need`` over its issuer (staff side)."""
    from baeji.awards.models import Award

    try:
        award = Award.objects.select_related(
            "organization", "organization__parent", "version", "version__achievement"
        ).get(public_id=public_id)
    except Award.DoesNotExist:
        raise Http404("no such award") from None
    _check(user, award.organization, need)
    return award


def access_own_award_for_user(user, public_id: str):
    """The award ``public_id`` if it was awarded to ``user`` (the learner side)."""
    from baeji.awards.models import Award

    if user is None or not user.is_authenticated:
        raise Http404("not found")
    try:
        return Award.objects.select_related("organization", "version").get(
            public_id=public_id, recipient=user
        )
    except Award.DoesNotExist:
        raise Http404("no such award") from None


def access_child_for_guardian(user, child_id: str):
    """The learner ``child_id`` (their learner profile's public id) if ``user`` is their guardian.

    Read-only access for a guardian who has answered the consent e-mail (so the address is
    proven theirs), whatever they answered: seeing one's own child's record shares nothing.
    Anyone else, the child included (they have their own pages) and superusers, gets 404.
    """
    from baeji.guardians.models import Guardianship

    if user is None or not user.is_authenticated or not user.is_active:
        raise Http404("not found")
    link = (
        Guardianship.objects.select_related("child")
        .filter(child__learner_age__public_id=child_id, guardian=user)
        .exclude(child=user)
        .first()
    )
    if link is None:
        raise Http404("no such learner")
    return link.child


def access_campaign_for_user(user, public_id: str, *, need: str = "view"):
    """The claim campaign ``public_id`` if ``user`` has ``need`` over its organization."""
    from baeji.claims.models import ClaimCampaign

    try:
        campaign = ClaimCampaign.objects.select_related(
            "organization", "organization__parent", "achievement__current_version"
        ).get(public_id=public_id)
    except ClaimCampaign.DoesNotExist:
        raise Http404("no such campaign") from None
    _check(user, campaign.organization, need)
    return campaign


def access_batch_for_user(user, public_id: str, *, need: str = "view"):
    """The bulk-issuance batch ``public_id`` if ``user`` has ``need`` over its institution.

    An authority's staff reach their institutions' batches through the hierarchy; a sibling
    institution's staff get 404.
    """
    from baeji.bulk.models import Batch

    try:
        batch = (
            Batch.objects.defer("content")
            .select_related("organization", "organization__parent", "default_achievement")
            .get(public_id=public_id)
        )
    except Batch.DoesNotExist:
        raise Http404("no such batch") from None
    _check(user, batch.organization, need)
    return batch
