"""The schedule app: periodic duties claimed through the database and run as tasks."""

from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    """Registers the check of the ``BAEJI_PERIODIC_*`` settings."""

    name = "baeji.schedule"
    label = "schedule"

    def ready(self) -> None:
        """Register the settings check."""
        from baeji.schedule import checks  # noqa: F401 - registers the check
