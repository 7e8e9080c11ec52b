"""Public pages: credentials, badge classes, issuers, /verify, DID documents, status lists."""

from django.apps import AppConfig


class VerificationConfig(AppConfig):
    """The verification app."""

    name = "baeji.verification"
    label = "verification"
