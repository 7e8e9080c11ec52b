"""The learner's growth view and the portable record (CLR 2.0 export)."""

from django.apps import AppConfig


class GrowthConfig(AppConfig):
    """The growth app."""

    name = "baeji.growth"
    label = "growth"

    def ready(self) -> None:
        """Add the growth summary to the backpack's public profile page (its documented hook)."""
        from baeji.backpack.selectors import register_profile_section
        from baeji.growth.selectors import profile_section

        register_profile_section(profile_section)
