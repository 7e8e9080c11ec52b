"""Badge classes (achievements), their versions, competencies and images."""

from django.apps import AppConfig


class AchievementsConfig(AppConfig):
    """The achievements app."""

    name = "baeji.achievements"
    label = "achievements"
