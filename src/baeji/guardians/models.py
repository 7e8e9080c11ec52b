"""A learner's birth year, their guardians and the guardians' consent records.

Korean PIPA (개인정보 보호법 §22-2): the personal data of a child under 14 may be processed only
with the consent of a legal guardian. Baeji holds the badges institutions issue either way, but
nothing of a child is shown publicly or shared until a guardian has consented, and sharing stops
again when the consent is withdrawn (see ``selectors.may_share``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baeji.core.ids import new_public_id
from baeji.core.models import PublicModel, TimeStamped


class LearnerAge(PublicModel):
    """What Baeji asks a learner at first sign-in: the birth year (to know who is under 14).

    Its ``public_id`` is the learner's id in guardians' URLs, so no database key leaves.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_age"
    )
    birth_year = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"{self.user} ({self.birth_year})"


def new_consent_token() -> str:
    """A long random token for the link in the consent e-mail."""
    return new_public_id(32)


class Guardianship(PublicModel):
    """A guardian (by e-mail, later by account) of one child, and where their consent stands."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the guardian")
        CONSENTED = "consented", _("Consent given")
        DECLINED = "declined", _("Consent refused")
        WITHDRAWN = "withdrawn", _("Consent withdrawn")

    child = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardianships"
    )
    guardian_email = models.EmailField()
    # Set when the guardian first answers through the e-mailed link (proving the address).
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wards",
    )
    token = models.CharField(max_length=64, unique=True, default=new_consent_token)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # The family's choice: copies of the child's award e-mails go to the guardian.
    award_emails = models.BooleanField(default=False)
    requested_at = models.DateTimeField()
    language = models.CharField(max_length=8, default="ko")

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "guardian_email"], name="guardianship_child_email_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.guardian_email} → {self.child} ({self.status})"


class ConsentRecord(TimeStamped):
    """One answer of a guardian, kept for good: who, when, which text, from which address."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("Consent given")
        DECLINED = "declined", _("Consent refused")
        WITHDRAWN = "withdrawn", _("Consent withdrawn")

    guardianship = models.ForeignKey(Guardianship, on_delete=models.CASCADE, related_name="records")
    action = models.CharField(max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    guardian_email = models.EmailField()
    text_version = models.CharField(max_length=32)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.guardian_email} {self.action} ({self.text_version})"
