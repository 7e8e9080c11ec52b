"""Awards, pending awards waiting to be claimed, and the status lists that publish their bits."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baeji.core.models import DocumentTextField, PublicModel

# Claim codes are typed by people from paper: no 0/O, 1/I/L look-alikes, upper case only.
CLAIM_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CLAIM_CODE_LENGTH = 10


def new_claim_code() -> str:
    """A fresh claim code: 10 characters of a 31-letter alphabet (about 49.5 bits)."""
    return "".join(secrets.choice(CLAIM_CODE_ALPHABET) for _ in range(CLAIM_CODE_LENGTH))


def normalize_claim_code(text: str) -> str:
    """The stored form of a typed code: upper case, without spaces and hyphens."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def new_permutation_seed() -> str:
    """The secret that orders a status list's positions (see ``StatusList.allocated``)."""
    return secrets.token_hex(16)


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
    # Positions are handed out in the order of a secret random permutation of the list
    # (seeded by ``seed``), so a whole chunk of indexes is allocated with one counter update
    # and an index still says nothing about when a credential was issued.
    allocated = models.PositiveIntegerField(default=0)
    seed = models.CharField(max_length=32, default=new_permutation_seed)

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
    credential_json = DocumentTextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    # The idempotency key of the spreadsheet row (or API request) this award came from:
    # the database refuses a second award for the same key, whoever tries to issue it.
    row_key = models.CharField(max_length=64, null=True, blank=True)
    # The institution's own id for the learner (the spreadsheet's learner_id), when given:
    # a later file that names the learner only by it still finds this award.
    learner_id = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "learner_id", "achievement"], name="award_learner_id"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="status_index_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "row_key"], name="award_row_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name} — {self.version.name}"


class PendingAward(PublicModel):
    """An award for a learner without a known e-mail address, waiting to be claimed.

    Nothing is signed yet: the learner redeems ``claim_code`` and the credential is signed at
    that moment for the claimant's identity (``award_claim_pending``), which then fills
    ``award``. The version is fixed when the pending award is created, so the claimed
    credential says what the issuer approved.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="pending_awards"
    )
    achievement = models.ForeignKey(
        "achievements.Achievement", on_delete=models.PROTECT, related_name="pending_awards"
    )
    version = models.ForeignKey(
        "achievements.AchievementVersion", on_delete=models.PROTECT, related_name="+"
    )
    recipient_name = models.CharField(max_length=200)
    learner_id = models.CharField(max_length=100, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField()
    evidence_url = models.URLField(blank=True, max_length=2000)
    narrative = models.TextField(blank=True)
    result = models.CharField(max_length=200, blank=True)
    claim_code = models.CharField(max_length=16, unique=True, default=new_claim_code)
    row_key = models.CharField(max_length=64, null=True, blank=True)
    award = models.OneToOneField(
        Award, null=True, blank=True, on_delete=models.SET_NULL, related_name="pending_source"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "row_key"], name="pending_award_row_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name} — {self.version.name} (pending)"
