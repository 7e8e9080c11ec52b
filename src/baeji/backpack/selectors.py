"""Reading the backpack. Everything here is scoped to one learner (or, for the issuer-facing
functions, to one organization); public pages only ever see badges the learner made public.

The other apps read the learner's side through these functions:
``declined_award_ids(organization)``, ``declined_among(awards)`` and ``decision_for(award)``
(the issuer's funnel), ``backpack_cards(user)`` (the growth view), and
``register_profile_section`` (extra sections on the public profile page /u/<handle>).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.db.models import Q
from django.urls import reverse

from baeji.awards.models import Award
from baeji.backpack.models import (
    BackpackDecision,
    Collection,
    CollectionItem,
    ImportedBadge,
    LearnerProfile,
)
from baeji.guardians.selectors import may_share

PENDING = "pending"


def confirmed_emails(user) -> list[str]:
    """The learner's confirmed addresses, lower-cased (awards are matched on these)."""
    return sorted(
        {
            e.lower()
            for e in EmailAddress.objects.filter(user=user, verified=True).values_list(
                "email", flat=True
            )
        }
    )


def learner_awards(user):
    """Every award of this platform that belongs to ``user``: attached to the account, or sent
    to one of its confirmed addresses (before or after the address was added) and not
    attached to anyone else."""
    emails = confirmed_emails(user)
    return (
        Award.objects.filter(
            Q(recipient=user) | Q(recipient__isnull=True, recipient_email__in=emails)
        )
        .select_related("organization", "version", "achievement")
        .order_by("-issued_at", "-id")
    )


def learner_award(user, public_id: str) -> Award:
    """One of the learner's awards by public id (raises Award.DoesNotExist otherwise)."""
    return (
        learner_awards(user)
        .select_related("status_list", "organization__parent")
        .get(public_id=public_id)
    )


def learner_import(user, public_id: str) -> ImportedBadge:
    """One of the learner's imported badges (raises ImportedBadge.DoesNotExist otherwise)."""
    return ImportedBadge.objects.get(user=user, public_id=public_id)


def import_with_image(user, public_id: str) -> ImportedBadge | None:
    """An imported badge whose image ``user`` may see, or None: its owner always; anyone else
    only once the owner made it public and ``may_share`` allows sharing (a baked image holds
    the whole credential)."""
    badge = (
        ImportedBadge.objects.select_related("user")
        .filter(
            public_id=public_id, source__in=[ImportedBadge.Source.PNG, ImportedBadge.Source.SVG]
        )
        .first()
    )
    if badge is None or badge.user_id == getattr(user, "pk", None):
        return badge
    return badge if badge.is_public and may_share(badge.user) else None


# -- issuer side ------------------------------------------------------------------------------


def declined_award_ids(organization) -> set[int]:
    """Primary keys of ``organization``'s awards whose learner declined them."""
    return set(
        BackpackDecision.objects.filter(
            award__organization=organization, decision=BackpackDecision.Decision.DECLINED
        ).values_list("award_id", flat=True)
    )


def declined_among(awards):
    """Those of ``awards`` (an award queryset the caller has scoped) whose learner declined
    them, as a queryset."""
    declined = BackpackDecision.objects.filter(decision=BackpackDecision.Decision.DECLINED)
    return awards.filter(pk__in=declined.values("award_id"))


def decision_for(award) -> str:
    """``accepted``, ``declined`` or ``pending`` (the learner has not answered)."""
    found = BackpackDecision.objects.filter(award=award).values_list("decision", flat=True).first()
    return found or PENDING


# -- cards: one shape for platform and imported badges ----------------------------------------


@dataclass
class BadgeCard:
    """A badge as the backpack lists it, whatever its origin."""

    kind: str  # "award" (this platform) or "import"
    key: str  # the public id
    name: str
    issuer: str
    issued_at: datetime | None
    level: str
    competencies: list[str]
    status: str  # active, revoked, suspended (awards); verified, revoked, unverified (imports)
    is_public: bool
    decision: str = PENDING
    image_url: str = ""
    detail_url: str = ""
    public_url: str = ""
    obj: Any = field(default=None, repr=False)

    @property
    def year(self) -> int | None:
        """The year it was issued."""
        return self.issued_at.year if self.issued_at else None

    @property
    def is_valid(self) -> bool:
        """Whether it currently stands (not revoked, suspended or unverified)."""
        return self.status in {"active", "verified"}


def _award_card(award: Award, decision: BackpackDecision | None) -> BadgeCard:
    version = award.version
    competencies = [a.get("target_name", "") for a in version.alignments or []]
    competencies += list(version.tags or [])
    if version.category:
        competencies.append(version.category)
    level = version.level_name or (str(version.level) if version.level else "")
    return BadgeCard(
        kind="award",
        key=award.public_id,
        name=version.name,
        issuer=award.organization.name,
        issued_at=award.issued_at,
        level=level,
        competencies=[c for c in dict.fromkeys(competencies) if c],
        status=award.status,
        is_public=bool(decision and decision.is_public),
        decision=(decision.decision or PENDING) if decision else PENDING,
        image_url=reverse("badge-image", args=[version.public_id]),
        detail_url=reverse("backpack-award", args=[award.public_id]),
        public_url=reverse("credential", args=[award.public_id]),
        obj=award,
    )


def _import_card(badge: ImportedBadge) -> BadgeCard:
    has_image = badge.source in {ImportedBadge.Source.PNG, ImportedBadge.Source.SVG}
    return BadgeCard(
        kind="import",
        key=badge.public_id,
        name=badge.name,
        issuer=badge.issuer_name or badge.issuer_id,
        issued_at=badge.issued_at,
        level=badge.level,
        competencies=list(badge.competencies or []),
        status=badge.outcome,
        is_public=badge.is_public,
        decision=BackpackDecision.Decision.ACCEPTED,
        image_url=reverse("backpack-import-image", args=[badge.public_id]) if has_image else "",
        detail_url=reverse("backpack-import", args=[badge.public_id]),
        obj=badge,
    )


def backpack_cards(user, *, include_declined: bool = False) -> list[BadgeCard]:
    """All of the learner's badges (platform and imported), newest first. Declined platform
    badges are left out unless asked for."""
    awards = list(learner_awards(user))
    decisions = {
        d.award_id: d for d in BackpackDecision.objects.filter(award__in=[a.pk for a in awards])
    }
    cards = [_award_card(a, decisions.get(a.pk)) for a in awards]
    cards += [
        _import_card(b)
        for b in ImportedBadge.objects.filter(user=user).defer("original", "report_json")
    ]
    if not include_declined:
        cards = [c for c in cards if c.decision != BackpackDecision.Decision.DECLINED]
    cards.sort(key=lambda c: c.issued_at.timestamp() if c.issued_at else 0.0, reverse=True)
    return cards


def filter_cards(
    cards: Iterable[BadgeCard],
    *,
    issuer: str = "",
    competency: str = "",
    level: str = "",
    year: str = "",
) -> list[BadgeCard]:
    """The cards matching every filter given (empty filters match everything)."""
    return [
        c
        for c in cards
        if (not issuer or c.issuer == issuer)
        and (not competency or competency in c.competencies)
        and (not level or c.level == level)
        and (not year or str(c.year) == year)
    ]


def filter_choices(cards: Iterable[BadgeCard]) -> dict[str, list[str]]:
    """The values each filter can take, from the learner's own badges."""
    cards = list(cards)
    return {
        "issuers": sorted({c.issuer for c in cards if c.issuer}),
        "competencies": sorted({x for c in cards for x in c.competencies}),
        "levels": sorted({c.level for c in cards if c.level}),
        "years": sorted({str(c.year) for c in cards if c.year}, reverse=True),
    }


# -- collections and the public profile -------------------------------------------------------


def collections_for(user):
    """The learner's collections with their items."""
    return Collection.objects.filter(user=user).prefetch_related("items")


def collection_for_user(user, pk: int) -> Collection:
    """One of the learner's own collections (raises Collection.DoesNotExist otherwise)."""
    return Collection.objects.get(user=user, pk=pk)


def collection_cards(collection: Collection, *, public_only: bool) -> list[BadgeCard]:
    """The badges of a collection in their order; public pages pass ``public_only``."""
    items = list(CollectionItem.objects.filter(collection=collection).order_by("position", "id"))
    by_key = {
        (c.kind, c.obj.pk): c for c in backpack_cards(collection.user, include_declined=False)
    }
    cards = []
    for item in items:
        card = by_key.get(
            ("award", item.award_id) if item.award_id else ("import", item.imported_id)
        )
        if card and (card.is_public or not public_only):
            cards.append(card)
    return cards


def shared_collection(share_id: str) -> Collection:
    """A collection by its share link, if the learner shares it (else Collection.DoesNotExist)."""
    collection = Collection.objects.select_related("user").get(
        share_id=share_id, is_shared=True, user__is_active=True
    )
    if not may_share(collection.user):  # a child before a guardian's consent, or age unknown
        raise Collection.DoesNotExist
    return collection


def profile_for(user) -> LearnerProfile | None:
    """The learner's profile row, if they have one."""
    return LearnerProfile.objects.filter(user=user).first()


def public_profile(handle: str) -> LearnerProfile:
    """An enabled profile by handle (raises LearnerProfile.DoesNotExist otherwise)."""
    profile = LearnerProfile.objects.select_related("user").get(
        handle=handle, enabled=True, user__is_active=True
    )
    if not may_share(profile.user):  # a child before a guardian's consent, or age unknown
        raise LearnerProfile.DoesNotExist
    return profile


def profile_collections(profile: LearnerProfile) -> list[tuple[Collection, list[BadgeCard]]]:
    """The collections the learner chose to show on their profile, with their public badges."""
    chosen = Collection.objects.filter(user=profile.user, on_profile=True)
    return [(c, collection_cards(c, public_only=True)) for c in chosen]


# Extra sections of the public profile page. Another app registers a function taking the
# profile and returning ``(template_name, context)`` or None; the page includes each result.
_PROFILE_SECTIONS: list[Callable[[LearnerProfile], tuple[str, dict] | None]] = []


def register_profile_section(
    section: Callable[[LearnerProfile], tuple[str, dict] | None],
) -> None:
    """Add a section (e.g. the growth view) to every public profile page."""
    if section not in _PROFILE_SECTIONS:
        _PROFILE_SECTIONS.append(section)


def profile_sections(profile: LearnerProfile) -> list[tuple[str, dict]]:
    """The registered extra sections that have something to show for ``profile``."""
    found = []
    for section in _PROFILE_SECTIONS:
        result = section(profile)
        if result:
            found.append(result)
    return found
