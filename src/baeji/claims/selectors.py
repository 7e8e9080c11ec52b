"""Reads of the claims app, scoped to an organization: campaigns, codes and the claim funnel.

The funnel counts awards at five stages: ``issued``; ``notified`` (an e-mail about it was
delivered); ``opened`` (the recipient followed a tracked link in that e-mail, or claimed it,
which needs the e-mail or a code in hand); ``claimed`` (the badge joined a learner account);
and ``declined`` (the learner refused it in their backpack). Claim codes not yet redeemed
count as issued and nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Q

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


def pending_for_sheet(achievement, *, issued_on=None):
    """Unclaimed pending awards of a badge (optionally of one issue date), for a code sheet."""
    from baeji.awards.models import PendingAward

    queryset = PendingAward.objects.filter(achievement=achievement, award=None, claimed_at=None)
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
    declined_known: bool = True

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


def declined_marker_available() -> bool:
    """Whether the learner side (``baeji.backpack``) records declined badges here."""
    return apps.is_installed("baeji.backpack")


def funnel(awards, *, organization, pending=None) -> Funnel:
    """The funnel of an award queryset of ``organization`` (plus unredeemed ``pending``)."""
    counts = _with_stages(awards).aggregate(
        issued=Count("pk"),
        notified=Count("pk", filter=Q(_notified=True)),
        opened=Count("pk", filter=Q(_opened=True) | Q(claimed_at__isnull=False)),
        claimed=Count("pk", filter=Q(claimed_at__isnull=False)),
    )
    result = Funnel(**counts)
    if pending is not None:
        result.issued += pending.filter(award=None, claimed_at=None).count()
    if declined_marker_available():
        from baeji.backpack.selectors import declined_award_ids

        declined = declined_award_ids(organization)
        if declined:
            result.declined = awards.filter(pk__in=declined).count()
    else:
        result.declined_known = False
    return result


def funnel_for_achievement(achievement) -> Funnel:
    """The funnel of one badge class (every award and unredeemed code)."""
    from baeji.awards.models import Award, PendingAward

    return funnel(
        Award.objects.filter(achievement=achievement),
        organization=achievement.organization,
        pending=PendingAward.objects.filter(achievement=achievement),
    )


def funnel_for_campaign(campaign) -> Funnel:
    """The funnel of the awards claimed through one campaign."""
    from baeji.awards.models import Award

    return funnel(
        Award.objects.filter(campaign_claim__campaign=campaign),
        organization=campaign.organization,
    )


def funnel_for_organization(organization) -> Funnel:
    """The funnel of every award an institution issued."""
    from baeji.awards.models import Award, PendingAward

    return funnel(
        Award.objects.filter(organization=organization),
        organization=organization,
        pending=PendingAward.objects.filter(organization=organization),
    )


def funnel_by_achievement(organization) -> list[dict]:
    """Per badge class of the organization: name, public id and the funnel counts, in one
    query for the awards (plus one for codes and one for declined)."""
    from baeji.awards.models import Award, PendingAward

    rows = (
        _with_stages(Award.objects.filter(organization=organization))
        .values("achievement_id")
        .annotate(
            issued=Count("pk"),
            notified=Count("pk", filter=Q(_notified=True)),
            opened=Count("pk", filter=Q(_opened=True) | Q(claimed_at__isnull=False)),
            claimed=Count("pk", filter=Q(claimed_at__isnull=False)),
        )
        .order_by()
    )
    by_id = {row["achievement_id"]: {**row, "declined": 0} for row in rows}
    codes = (
        PendingAward.objects.filter(organization=organization, award=None, claimed_at=None)
        .values("achievement_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in codes:
        entry = by_id.setdefault(
            row["achievement_id"],
            {
                "achievement_id": row["achievement_id"],
                "issued": 0,
                "notified": 0,
                "opened": 0,
                "claimed": 0,
                "declined": 0,
            },
        )
        entry["issued"] += row["n"]
    if declined_marker_available() and by_id:
        from baeji.backpack.selectors import declined_award_ids

        declined = declined_award_ids(organization)
        if declined:
            for row in (
                Award.objects.filter(pk__in=declined)
                .values("achievement_id")
                .annotate(n=Count("pk"))
                .order_by()
            ):
                if row["achievement_id"] in by_id:
                    by_id[row["achievement_id"]]["declined"] = row["n"]
    from baeji.achievements.models import Achievement

    names = {
        a.pk: a for a in Achievement.objects.filter(pk__in=by_id).select_related("current_version")
    }
    result = []
    for pk, row in by_id.items():
        achievement = names[pk]
        result.append({**row, "achievement": achievement, "name": achievement.current_version.name})
    return sorted(result, key=lambda r: r["name"])


def unclaimed_awards(achievement, *, limit: int = 500):
    """Active, unclaimed awards of a badge with their latest e-mail state (for resending)."""
    from django.db.models import Max, Subquery

    from baeji.awards.models import Award
    from baeji.emails.models import Delivery

    latest = Delivery.objects.filter(award=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        Award.objects.filter(
            achievement=achievement, status=Award.Status.ACTIVE, claimed_at=None, recipient=None
        )
        .annotate(
            last_email_status=Subquery(latest.values("status")[:1]),
            last_email_at=Max("deliveries__created_at"),
            opened=Exists(Delivery.objects.filter(award=OuterRef("pk"), opened_at__isnull=False)),
        )
        .order_by("-issued_at", "-id")[:limit]
    )
