"""Bulk issuance: spreadsheet uploads, intake review, issuing jobs."""

from django.apps import AppConfig


class BulkConfig(AppConfig):
    """The bulk app."""

    name = "baeji.bulk"
    label = "bulk"
