"""API tokens: per organization, scoped, stored only as a hash, revocable."""

from django.conf import settings
from django.db import models

from baeji.core.models import PublicModel


class ApiToken(PublicModel):
    """A bearer token acting for one organization.

    Only the SHA-256 of the secret is stored (the secret has 256 bits of entropy, so a slow
    hash would add nothing); ``prefix`` (the token's first characters) is shown in lists so
    people can tell tokens apart.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    can_award = models.BooleanField(default=False)
    can_read = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scopes(self) -> list[str]:
        """The token's scopes by name."""
        return [s for s, on in (("award", self.can_award), ("read", self.can_read)) if on]
