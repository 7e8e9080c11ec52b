"""Issuing organizations: an authority with member institutions, and who works in them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baeji.core.ids import new_public_id
from baeji.core.models import PublicModel, TimeStamped


class Organization(PublicModel):
    """An issuer. An authority may have member institutions (``parent``)."""

    class Kind(models.TextChoices):
        AUTHORITY = "authority", _("Authority")
        INSTITUTION = "institution", _("Institution")

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.INSTITUTION)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=8, default="ko")
    # A sanitised upload (baeji.badgeart.upload.clean_upload): PNG bytes or SVG text.
    logo = models.BinaryField(blank=True, default=b"")
    logo_type = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list["Organization"]:
        """This organization's parents, nearest first (hierarchies are shallow)."""
        chain, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain


class Role(models.TextChoices):
    """Roles, weakest first."""

    VIEWER = "viewer", _("Viewer")
    ISSUER = "issuer", _("Issuer")
    ADMIN = "admin", _("Admin")
    OWNER = "owner", _("Owner")


ROLE_RANK = {Role.VIEWER: 1, Role.ISSUER: 2, Role.ADMIN: 3, Role.OWNER: 4}


class Membership(TimeStamped):
    """A user's role in one organization (and, through the hierarchy, its members)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


def new_invitation_token() -> str:
    """A long random token for an invitation link."""
    return new_public_id(32)


class Invitation(PublicModel):
    """An e-mailed invitation to join an organization with a role."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ISSUER)
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"
