"""The outbox: e-mails captured in the database instead of sent (demo and development)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One captured e-mail, as the recipient would have received it."""

    to = models.TextField()
    from_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=998)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class Delivery(models.Model):
    """One e-mail to one recipient, rendered once, sent with retries; issuers see its history.

    ``attempts`` counts tries; after a failure ``next_attempt_at`` is set with exponential
    backoff until ``BAEJI_EMAIL_MAX_ATTEMPTS`` is reached and the delivery is ``failed``.
    While a worker is talking to the mail server the delivery is ``sending`` and
    ``next_attempt_at`` is the end of that worker's lease: if the worker never reports back,
    the retry sweep tries again from then (see :func:`baeji.emails.services.delivery_attempt`).
    ``opened_at`` is set when the recipient follows one of the e-mail's tracked links.
    ``key``, when set, makes queuing idempotent: a second delivery with the same key is not
    created (a task that queues e-mails may run twice).
    """

    class Kind(models.TextChoices):
        AWARD = "award", _("Award")
        RESEND = "resend", _("Resent award")
        REMINDER = "reminder", _("Reminder")
        INVITATION = "invitation", _("Staff invitation")
        BULK_REVIEW = "bulk_review", _("Issuance request decision")
        GUARDIAN_CONSENT = "guardian_consent", _("Guardian consent request")
        GUARDIAN_AWARD = "guardian_award", _("Copy to a guardian")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Waiting to retry")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    award = models.ForeignKey(
        "awards.Award", null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.AWARD)
    to = models.EmailField()
    subject = models.CharField(max_length=998)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject} ({self.status})"


class DeliveryAttempt(models.Model):
    """One try at sending a delivery, and what the mail server said if it failed."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    ok = models.BooleanField(default=False)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery_id", "number"]

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number} {'ok' if self.ok else 'failed'}"


class EmailSettings(models.Model):
    """An issuer's reminder policy: remind unclaimed recipients after N days, at most M times
    (off until the issuer sets a number of days)."""

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="email_settings"
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        default=0, help_text=_("0 turns reminders off.")
    )
    reminder_max = models.PositiveSmallIntegerField(default=2)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return (
            f"{self.organization_id}: every {self.reminder_after_days} d, max {self.reminder_max}"
        )
