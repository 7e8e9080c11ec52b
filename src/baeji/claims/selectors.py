"""Reads of the claims app, scoped to an organization: campaigns, codes and the claim funnel.

The funnel counts awards at five stages: ``issued``; ``notified`` (an e-mail about it was
delivered); ``opened`` (the recipient followed a tracked link in that e-mail, or claimed it,
which needs the e-mail or a code in hand); ``claimed`` (the badge joined a learner account);
and ``declined`` (the learner refused it in their backpack). Claim codes not yet redeemed
count as issued and nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from baeji.backpack.selectors import declined_among
from baeji.claims.models import CampaignClaim, ClaimCampaign

STAGES = ("issued", "notified", "opened", "claimed", "declined")


def campaigns_for_organization(organization):
    """The organization's campaigns, newest first, with their badge."""
    return (
        ClaimCampaign.objects.filter(organization=organization)
        .select_related("achievement__current_version")
        .order_by("-starts_at", "-id")
    )


def campaign_for_join(public_id: str) -> ClaimCampaign:
    """A campaign by the id in its QR code (public; raises ClaimCampaign.DoesNotExist)."""
    return ClaimCampaign.objects.select_related("organization", "achievement__current_version").get(
        public_id=public_id
    )


def claims_of_campaign(campaign, *, limit: int = 500):
    """Who claimed through a campaign, newest first."""
    return (
        CampaignClaim.objects.filter(campaign=campaign)
        .select_related("award")
        .order_by("-created_at", "-id")[:limit]
    )


def pending_for_code(code: str):
    """The pending award a typed or scanned code names, or None."""
    from baeji.awards.models import PendingAward, normalize_claim_code

    normal = normalize_claim_code(code or "")
    if not normal or len(normal) > 16:
        return None
    return (
        PendingAward.objects.select_related("version", "organization")
        .filter(claim_code=normal)
        .first()
    )


def pending_for_sheet(achievement, *, issuers, issued_on=None):
    """Unclaimed pending awards of a badge issued by ``issuers`` (the organizations the access
    check allowed; optionally of one issue date), for a code sheet."""
    from baeji.awards.models import PendingAward

    queryset = PendingAward.objects.filter(
        achievement=achievement, organization__in=issuers, award=None, claimed_at=None
    )
    if issued_on is not None:
        queryset = queryset.filter(issued_at__date=issued_on)
    return queryset.select_related("version").order_by("recipient_name", "id")


@dataclass
class Funnel:
    """Counts at each stage of the claim funnel (see the module docstring)."""

    issued: int = 0
    notified: int = 0
    opened: int = 0
    claimed: int = 0
    declined: int = 0

    def rows(self) -> list[tuple[str, int]]:
        """(stage, count) in funnel order."""
        return [(stage, getattr(self, stage)) for stage in STAGES]

    def rate(self, stage: str) -> int:
        """A stage as a whole percentage of ``issued``."""
        return round(100 * getattr(self, stage) / self.issued) if self.issued else 0


def _with_stages(awards):
    from baeji.emails.models import Delivery

    sent = Delivery.objects.filter(award=OuterRef("pk"), status=Delivery.Status.SENT)
    opened = Delivery.objects.filter(award=OuterRef("pk"), opened_at__isnull=False)
    return awards.annotate(_notified=Exists(sent), _opened=Exists(opened))


def _stage_counts() -> dict:
    return {
        "issued": Count("pk"),
        "notified": Count("pk", filter=Q(_notified=True)),
        "opened": Count("pk", filter=Q(_opened=True) | Q(claimed_at__isnull=False)),
        "claimed": Count("pk", filter=Q(claimed_at__isnull=False)),
    }


def funnel(awards, *, pending=None) -> Funnel:
    """The funnel of an award queryset (plus the unredeemed codes of ``pending``); every
    stage, declined included, counts among the same ``awards``."""
    result = Funnel(**_with_stages(awards).aggregate(**_stage_counts()))
    if pending is not None:
        result.issued += pending.filter(award=None, claimed_at=None).count()
    result.declined = declined_among(awards).count()
    return result


def _funnel_groups(awards, pending, field: str) -> dict:
    """The funnel counts of ``awards`` (and unredeemed ``pending``) per value of ``field``: one
    query for the awards, one for codes, one for declined."""
    rows = _with_stages(awards).values(field).annotate(**_stage_counts()).order_by()
    empty = dict.fromkeys(STAGES, 0)
    groups = {row[field]: {**empty, **row} for row in rows}
    codes = (
        pending.filter(award=None, claimed_at=None).values(field).annotate(n=Count("pk")).order_by()
    )
    for row in codes:
        groups.setdefault(row[field], {**empty, field: row[field]})["issued"] += row["n"]
    if groups:
        for row in declined_among(awards).values(field).annotate(n=Count("pk")).order_by():
            groups[row[field]]["declined"] = row["n"]
    return groups


def funnel_for_achievement(achievement, *, issuers) -> Funnel:
    """The funnel of one badge class: its awards and unredeemed codes issued by ``issuers``
    (the organizations the access check allowed)."""
    from baeji.awards.models import Award, PendingAward

    return funnel(
        Award.objects.filter(achievement=achievement, organization__in=issuers),
        pending=PendingAward.objects.filter(achievement=achievement, organization__in=issuers),
    )


def funnel_by_issuer(achievement, *, issuers) -> list[dict]:
    """Per organization among ``issuers`` that issued the badge: the organization and its
    funnel counts, in name order (the rows add up to :func:`funnel_for_achievement`)."""
    from baeji.awards.models import Award, PendingAward
    from baeji.organizations.models import Organization

    groups = _funnel_groups(
        Award.objects.filter(achievement=achievement, organization__in=issuers),
        PendingAward.objects.filter(achievement=achievement, organization__in=issuers),
        "organization_id",
    )
    organizations = Organization.objects.filter(pk__in=groups).order_by("name", "pk")
    return [{**groups[o.pk], "organization": o} for o in organizations]


def funnel_for_campaign(campaign) -> Funnel:
    """The funnel of the awards claimed through one campaign."""
    from baeji.awards.models import Award

    return funnel(Award.objects.filter(campaign_claim__campaign=campaign))


def _of_organization(model, organization):
    """The awards (or pending awards) an organization answers for: those it issued, and those
    its member institutions issued of its badges (an authority oversees what it assigned)."""
    return model.objects.filter(
        Q(organization=organization)
        | Q(achievement__organization=organization, organization__parent=organization)
    )


def funnel_for_organization(organization) -> Funnel:
    """The funnel of every award an organization issued, plus, for an authority, those its
    member institutions issued of its badges."""
    from baeji.awards.models import Award, PendingAward

    return funnel(
        _of_organization(Award, organization),
        pending=_of_organization(PendingAward, organization),
    )


def funnel_by_achievement(organization) -> list[dict]:
    """Per badge class in :func:`funnel_for_organization`: the badge, its name and its funnel
    counts, in name order. Each row counts what the badge's funnel page shows when seen from
    ``organization``."""
    from baeji.achievements.models import Achievement
    from baeji.awards.models import Award, PendingAward

    groups = _funnel_groups(
        _of_organization(Award, organization),
        _of_organization(PendingAward, organization),
        "achievement_id",
    )
    result = []
    for achievement in Achievement.objects.filter(pk__in=groups).select_related("current_version"):
        name = achievement.current_version.name
        result.append({**groups[achievement.pk], "achievement": achievement, "name": name})
    return sorted(result, key=lambda r: r["name"])


def unclaimed_awards(achievement, *, issuers, limit: int = 500):
    """Active, unclaimed awards of a badge issued by ``issuers`` (the organizations the access
    check allowed), with their latest e-mail state (for resending)."""
    from django.db.models import Max, Subquery

    from baeji.awards.models import Award
    from baeji.emails.models import Delivery

    latest = Delivery.objects.filter(award=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        Award.objects.filter(
            achievement=achievement,
            organization__in=issuers,
            status=Award.Status.ACTIVE,
            claimed_at=None,
            recipient=None,
        )
        .annotate(
            last_email_status=Subquery(latest.values("status")[:1]),
            last_email_at=Max("deliveries__created_at"),
            opened=Exists(Delivery.objects.filter(award=OuterRef("pk"), opened_at__isnull=False)),
        )
        .order_by("-issued_at", "-id")[:limit]
    )
