"""The learner's choices about their growth view."""

from django.conf import settings
from django.db import models

from baeji.core.models import TimeStamped


class GrowthPreference(TimeStamped):
    """Whether a summary of the learner's growth appears on their public profile (off by
    default; it appears only while ``guardians.selectors.may_share`` allows sharing too)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="growth_preference"
    )
    show_on_profile = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.user}: {'shown' if self.show_on_profile else 'hidden'}"
