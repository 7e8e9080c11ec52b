"""Claim campaigns: one QR code in a room, each learner claims the badge for themselves."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from baeji.core.models import PublicModel, TimeStamped


class ClaimCampaign(PublicModel):
    """An event or class where learners claim ``achievement`` through one shared link.

    ``claims_count`` is raised by a conditional update and the database refuses a count above
    ``max_claims`` (a check constraint), so concurrent claims cannot overshoot the limit.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="claim_campaigns"
    )
    achievement = models.ForeignKey(
        "achievements.Achievement", on_delete=models.PROTECT, related_name="claim_campaigns"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("opens at"))
    ends_at = models.DateTimeField(_("closes at"))
    max_claims = models.PositiveIntegerField(_("maximum claims"), null=True, blank=True)
    claims_count = models.PositiveIntegerField(default=0)
    question = models.CharField(_("evidence question"), max_length=500, blank=True)
    code_word = models.CharField(_("code word"), max_length=100, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_claims__isnull=True) | Q(claims_count__lte=F("max_claims")),
                name="campaign_claims_within_max",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="campaign_window_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CampaignClaim(TimeStamped):
    """One learner's claim in a campaign; an address claims once per campaign."""

    campaign = models.ForeignKey(ClaimCampaign, on_delete=models.CASCADE, related_name="claims")
    email = models.EmailField()
    name = models.CharField(max_length=200)
    answer = models.TextField(blank=True)
    award = models.OneToOneField(
        "awards.Award", null=True, on_delete=models.SET_NULL, related_name="campaign_claim"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email"], name="campaign_claim_once")
        ]

    def __str__(self) -> str:
        return f"{self.email} @ {self.campaign_id}"


class RateCounter(models.Model):
    """Attempts at a public claim form in one fixed window, counted in the database so that
    every process and machine shares the count (see :mod:`baeji.claims.ratelimit`).

    ``key`` names the form and a keyed hash of the client address or session, never the
    address itself. Rows of windows that are over are deleted by the ``ratelimit-purge``
    periodic duty.
    """

    key = models.CharField(max_length=100)
    window_start = models.DateTimeField()
    expires_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_window")
        ]
        indexes = [models.Index(fields=["expires_at"], name="rate_counter_expiry")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%H:%M:%S}: {self.count}"
