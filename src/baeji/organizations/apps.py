"""Organizations, their hierarchy, memberships and invitations."""

from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    """The organizations app."""

    name = "baeji.organizations"
    label = "organizations"
