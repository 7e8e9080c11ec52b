"""What the learner decides about their badges, what they bring from elsewhere, and how they
share it. Platform awards stay in the awards app; only the learner's choices live here."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baeji.core.ids import new_public_id
from baeji.core.models import PublicModel, TimeStamped


def _share_id() -> str:
    # Longer than ordinary public ids: a share link is the only secret guarding a collection.
    return new_public_id(24)


class BackpackDecision(TimeStamped):
    """A learner's answer to a platform award: accepted or declined, and public or private.

    No row means the learner has not answered yet (the badge is shown, privately). Issuers read
    ``decision`` through ``backpack.selectors``; declined badges disappear from the learner's
    pages but the credential itself is untouched.
    """

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    award = models.OneToOneField(
        "awards.Award", on_delete=models.CASCADE, related_name="backpack_decision"
    )
    # Kept (without the person) when the account is deleted: the issuer still sees the answer.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="backpack_decisions",
    )
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    is_public = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.award_id}: {self.decision or 'pending'}"


class ImportedBadge(PublicModel):
    """A badge the learner brought from elsewhere, kept exactly as uploaded with the outcome of
    its last verification."""

    class Source(models.TextChoices):
        JSON = "json", "JSON"
        JWT = "jwt", "JWT"
        PNG = "png", "PNG"
        SVG = "svg", "SVG"
        URL = "url", "URL"

    class Outcome(models.TextChoices):
        VERIFIED = "verified", _("Verified")
        REVOKED = "revoked", _("Revoked or suspended")
        UNVERIFIED = "unverified", _("Not verified")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imported_badges"
    )
    source = models.CharField(max_length=8, choices=Source.choices)
    # The upload itself (image bytes, JSON or JWT text, or the assertion URL), re-verified later.
    original = models.BinaryField()
    spec = models.CharField(max_length=8, default="ob3")
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    issuer_name = models.CharField(max_length=300, blank=True)
    issuer_id = models.CharField(max_length=500, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    level = models.CharField(max_length=100, blank=True)
    competencies = models.JSONField(default=list, blank=True)
    # [{"name", "url", "code", "framework"}]: what the growth view counts it under.
    alignments = models.JSONField(default=list, blank=True)
    credential_json = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    report_json = models.JSONField(default=dict)
    verified_at = models.DateTimeField()
    is_public = models.BooleanField(default=False)

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Collection(TimeStamped):
    """A named selection of badges with its own unguessable share link."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_collections"
    )
    share_id = models.CharField(max_length=32, unique=True, default=_share_id, editable=False)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    is_shared = models.BooleanField(default=False)
    on_profile = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class CollectionItem(models.Model):
    """One badge in a collection: a platform award or an imported badge (exactly one)."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    award = models.ForeignKey("awards.Award", null=True, blank=True, on_delete=models.CASCADE)
    imported = models.ForeignKey(ImportedBadge, null=True, blank=True, on_delete=models.CASCADE)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(award__isnull=False) & models.Q(imported__isnull=True))
                | (models.Q(award__isnull=True) & models.Q(imported__isnull=False)),
                name="collection_item_one_badge",
            ),
            models.UniqueConstraint(fields=["collection", "award"], name="collection_award_once"),
            models.UniqueConstraint(
                fields=["collection", "imported"], name="collection_import_once"
            ),
        ]


class LearnerProfile(TimeStamped):
    """The learner's optional public page at /u/<handle>, and their did:key if they made one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_profile"
    )
    handle = models.SlugField(max_length=40, unique=True, null=True, blank=True)
    display_name = models.CharField(max_length=120, blank=True)
    bio = models.TextField(blank=True, max_length=1000)
    enabled = models.BooleanField(default=False)
    # Only the public half is kept: the private key is handed to the learner once.
    did = models.CharField(max_length=200, blank=True)
    did_created_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.handle or f"user {self.user_id}"
