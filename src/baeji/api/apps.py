"""The issuing API (django-ninja) and its per-organization tokens."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The api app."""

    name = "baeji.api"
    label = "api"
