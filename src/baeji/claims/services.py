"""Claim campaigns and claim-code redemption. Writes only; each in one transaction with one
audit event (issuing itself is ``award_issue`` / ``award_claim_pending``, which audit too)."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from baeji.audit.services import audit_record
from baeji.claims.models import CampaignClaim, ClaimCampaign, RateCounter


class ClaimError(Exception):
    """A claim that cannot be made (message for people); ``code`` is for programs and tests."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


def _normal_word(text: str) -> str:
    return " ".join((text or "").split()).casefold()


@transaction.atomic
def campaign_create(
    *,
    organization,
    achievement,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    max_claims: int | None = None,
    question: str = "",
    code_word: str = "",
    by=None,
) -> ClaimCampaign:
    """Open a claim campaign for one of ``organization``'s badges."""
    if achievement.organization_id != organization.pk:
        raise ClaimError(_("Choose one of this organization's badges."), "achievement")
    if achievement.archived:
        raise ClaimError(_("This badge is archived and can no longer be awarded."), "archived")
    if ends_at <= starts_at:
        raise ClaimError(_("The campaign must close after it opens."), "window")
    if max_claims is not None and max_claims < 1:
        raise ClaimError(_("The maximum number of claims must be at least 1."), "max_claims")
    campaign = ClaimCampaign.objects.create(
        organization=organization,
        achievement=achievement,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        max_claims=max_claims,
        question=question.strip(),
        code_word=code_word.strip(),
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    audit_record(
        action="campaign.create",
        actor=by,
        organization=organization,
        target=campaign,
        data={"achievement": achievement.public_id, "max_claims": max_claims},
    )
    return campaign


@transaction.atomic
def campaign_close(*, campaign: ClaimCampaign, by=None) -> ClaimCampaign:
    """Stop a campaign at once: nobody can claim through it any more."""
    campaign = ClaimCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.closed_at is None:
        campaign.closed_at = timezone.now()
        campaign.save(update_fields=["closed_at", "updated_at"])
        audit_record(
            action="campaign.close", actor=by, organization=campaign.organization, target=campaign
        )
    return campaign


def campaign_state(campaign: ClaimCampaign, now: datetime | None = None) -> str:
    """``open``, ``closed`` (by staff), ``not_started``, ``ended`` or ``full``."""
    now = now or timezone.now()
    if campaign.closed_at:
        return "closed"
    if now < campaign.starts_at:
        return "not_started"
    if now >= campaign.ends_at:
        return "ended"
    if campaign.max_claims is not None and campaign.claims_count >= campaign.max_claims:
        return "full"
    return "open"


STATE_MESSAGES = {
    "closed": "This campaign has been closed by its organizer.",
    "not_started": "This campaign has not opened yet.",
    "ended": "This campaign has ended.",
    "full": "All the badges of this campaign have been claimed.",
}


def state_message(state: str) -> str:
    """The message for people explaining why a campaign cannot be claimed now."""
    return _(STATE_MESSAGES[state])


@transaction.atomic
def campaign_claim(
    *,
    campaign: ClaimCampaign,
    email: str,
    name: str,
    answer: str = "",
    code_word: str = "",
    user=None,
    now: datetime | None = None,
):
    """Issue the campaign's badge to a learner at once; returns the signed award.

    The learner's answer becomes the credential's evidence narrative. If ``user`` is signed in
    and ``email`` is theirs, the award joins their account immediately; otherwise the award
    e-mail (with its claim link) goes to ``email``.
    """
    from baeji.awards.services import AwardError, award_claim, award_issue

    campaign = (
        ClaimCampaign.objects.select_for_update()
        .select_related("organization", "achievement")
        .get(pk=campaign.pk)
    )
    state = campaign_state(campaign, now)
    if state != "open":
        raise ClaimError(state_message(state), state)
    email = email.strip().lower()
    name = " ".join(name.split())
    if not name:
        raise ClaimError(_("Enter your name as it should appear on the badge."), "name")
    if campaign.code_word and not hmac.compare_digest(
        _normal_word(code_word).encode(), _normal_word(campaign.code_word).encode()
    ):
        raise ClaimError(_("That is not the code word. Ask the organizer."), "code_word")
    answer = answer.strip()
    if campaign.question and not answer:
        raise ClaimError(_("Answer the question to claim the badge."), "answer")
    if CampaignClaim.objects.filter(campaign=campaign, email=email).exists():
        raise ClaimError(_("This e-mail address has already claimed this badge."), "duplicate")
    # The conditional update is the limit: two claims racing for the last place cannot both
    # pass it, on any database.
    raised = ClaimCampaign.objects.filter(pk=campaign.pk, closed_at=None)
    if campaign.max_claims is not None:
        raised = raised.filter(claims_count__lt=campaign.max_claims)
    if raised.update(claims_count=F("claims_count") + 1) != 1:
        raise ClaimError(state_message("full"), "full")
    try:
        with transaction.atomic():
            claim = CampaignClaim.objects.create(
                campaign=campaign, email=email, name=name, answer=answer
            )
    except IntegrityError:
        raise ClaimError(
            _("This e-mail address has already claimed this badge."), "duplicate"
        ) from None
    own = user is not None and getattr(user, "is_authenticated", False) and _owns(user, email)
    try:
        award = award_issue(
            achievement=campaign.achievement,
            recipient_email=email,
            recipient_name=name,
            narrative=answer or None,
            notify=not own,
        )
    except AwardError as error:
        # The award services' refusals are English source texts, translated here.
        raise ClaimError(_(str(error)), "award") from error
    if own:
        award = award_claim(award=award, user=user)
    claim.award = award
    claim.user = user if own else None
    claim.save(update_fields=["award", "user", "updated_at"])
    audit_record(
        action="campaign.claim",
        actor=user,
        organization=campaign.organization,
        target=campaign,
        data={"award": award.public_id, "email": email},
    )
    return award


def _owns(user, email: str) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def primary_email(user) -> str | None:
    """The signed-in user's verified e-mail address (the identity a claimed badge names)."""
    from allauth.account.models import EmailAddress

    address = (
        EmailAddress.objects.filter(user=user, verified=True)
        .order_by("-primary", "id")
        .values_list("email", flat=True)
        .first()
    )
    return (address or "").lower() or None


def learner_for_email(*, email: str, name: str = ""):
    """The account of ``email`` for signing in by code; created with the address UNVERIFIED
    when unknown (entering the e-mailed code verifies it)."""
    from baeji.accounts.services import user_get_or_create_for_email

    return user_get_or_create_for_email(email=email, name=name, verified=False)


def code_redeem(*, code: str, user, name: str = ""):
    """Redeem a personal claim code for the signed-in ``user``: the credential is signed now,
    naming the user's verified e-mail address. Raises :class:`ClaimError`."""
    from baeji.awards.models import PendingAward, normalize_claim_code
    from baeji.awards.services import AwardError, award_claim_pending

    email = primary_email(user)
    if email is None:
        raise ClaimError(_("Your account has no verified e-mail address yet."), "email")
    from baeji.claims.selectors import pending_for_code

    pending = pending_for_code(code)
    if pending is None:
        raise ClaimError(_("This code is not valid. Check it and try again."), "unknown")
    if pending.claimed_at or pending.award_id:
        raise ClaimError(_("This code has already been used."), "used")
    try:
        return award_claim_pending(
            code=normalize_claim_code(code),
            email=email,
            name=name.strip() or pending.recipient_name,
            user=user,
        )
    except (AwardError, PendingAward.DoesNotExist) as error:
        text = _(str(error)) if str(error) else _("This code has already been used.")
        raise ClaimError(text, "used") from error


# --------------------------------------------------------------------------------------------
# Rate-limit counters (see baeji.claims.ratelimit; bookkeeping, so not audited)


def rate_counter_hit(*, key: str, limit: int, window: int, now: datetime) -> bool:
    """Count one hit on ``key`` in the window of ``now``; False once ``limit`` hits were let
    through in that window (further hits are not counted)."""
    if limit <= 0:
        return False
    from baeji.claims.ratelimit import window_start

    start = window_start(now, window)
    counter = RateCounter.objects.filter(key=key, window_start=start)

    def count_one() -> bool:
        return bool(counter.filter(count__lt=limit).update(count=F("count") + 1))

    if count_one():
        return True
    current = counter.values_list("count", flat=True).first()
    if current is not None:
        # Full (a count never goes down), or the row was inserted just after our update.
        return current < limit and count_one()
    try:
        with transaction.atomic():
            RateCounter.objects.create(
                key=key,
                window_start=start,
                expires_at=start + timedelta(seconds=window),
                count=1,
            )
    except IntegrityError:  # another process counted the window's first hit meanwhile
        return count_one()
    return True


def rate_counters_purge(*, now: datetime | None = None) -> int:
    """Delete the counters of windows that are over; returns how many."""
    deleted, _ = RateCounter.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
