"""The learner's backpack: every badge they hold, imports, collections and sharing."""

from django.apps import AppConfig


class BackpackConfig(AppConfig):
    """The backpack app."""

    name = "baeji.backpack"
    label = "backpack"
