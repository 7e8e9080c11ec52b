"""Minors and their guardians: birth year, guardian consent (PIPA), guardians' read-only view."""

from django.apps import AppConfig


class GuardiansConfig(AppConfig):
    """The guardians app."""

    name = "baeji.guardians"
    label = "guardians"
