"""Outgoing e-mail: one function per message, and the demo outbox."""

from django.apps import AppConfig


class EmailsConfig(AppConfig):
    """The emails app."""

    name = "baeji.emails"
    label = "emails"
