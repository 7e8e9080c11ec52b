"""Awards: issuing, revoking, suspending credentials, and their status lists."""

from django.apps import AppConfig


class AwardsConfig(AppConfig):
    """The awards app."""

    name = "baeji.awards"
    label = "awards"
