"""Claiming without collected e-mails: claim codes, printable code sheets, claim campaigns,
and the claim funnel."""

from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    """The claims app."""

    name = "baeji.claims"
    label = "claims"
