"""Signing keys. The private half is stored only as AES-GCM ciphertext under the KEK."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from baeji.core.models import PublicModel


class SigningKey(PublicModel):
    """An Ed25519 key of one organization; its public half stays in the DID document for good."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")
        REVOKED = "revoked", _("Revoked")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="signing_keys"
    )
    fragment = models.CharField(max_length=64)
    algorithm = models.CharField(max_length=16, default="Ed25519")
    public_multibase = models.CharField(max_length=128)
    # nonce (12 bytes) || AES-256-GCM ciphertext of the raw private key, bound to this row.
    private_encrypted = models.BinaryField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    retired_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fragment"], name="key_fragment_unique"
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(status="active"),
                name="one_active_key_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.slug}#{self.fragment} ({self.status})"
