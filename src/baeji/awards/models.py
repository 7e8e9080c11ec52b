"""Awards and the status lists that publish their revocation bits."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baeji.core.models import PublicModel


class StatusList(PublicModel):
    """An organization's Bitstring Status List and its signed credential as last published."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="status_lists"
    )
    purpose = models.CharField(max_length=16, default="revocation")
    length = models.PositiveIntegerField(default=131072)
    encoded_list = models.TextField()
    # The signed BitstringStatusListCredential, served byte for byte.
    credential_json = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.organization.slug}/{self.purpose}/{self.public_id}"


class Award(PublicModel):
    """A credential issued to a learner. ``credential_json`` is exactly what was signed."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Valid")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="awards"
    )
    achievement = models.ForeignKey(
        "achievements.Achievement", on_delete=models.PROTECT, related_name="awards"
    )
    version = models.ForeignKey(
        "achievements.AchievementVersion", on_delete=models.PROTECT, related_name="awards"
    )
    recipient_email = models.EmailField(db_index=True)
    recipient_name = models.CharField(max_length=200)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="awards",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    evidence_url = models.URLField(blank=True, max_length=500)
    narrative = models.TextField(blank=True)
    result = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, default="ko")
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="awards")
    status_index = models.PositiveIntegerField()
    credential_json = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="status_index_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name} — {self.version.name}"
