"""Audit events written by every mutating service."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit app."""

    name = "baeji.audit"
    label = "audit"
