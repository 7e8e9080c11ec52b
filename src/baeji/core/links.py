"""Absolute public URLs. Everything that leaves the platform (credentials, e-mails) uses these."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def absolute(path: str) -> str:
    """``path`` under BAEJI_BASE_URL."""
    return settings.BASE_URL + path


def credential_url(award) -> str:
    """The public page (and id) of an issued credential."""
    return absolute(reverse("credential", args=[award.public_id]))


def issuer_url(organization) -> str:
    """An issuer's public profile page."""
    return absolute(reverse("issuer", args=[organization.slug]))


def badge_url(version) -> str:
    """The public page (and Achievement id) of one version of a badge class."""
    return absolute(reverse("badge", args=[version.public_id]))


def badge_image_url(version) -> str:
    """The PNG image of a badge class version."""
    return absolute(reverse("badge-image", args=[version.public_id]))


def status_list_url(status_list) -> str:
    """Where a status list credential is published."""
    return absolute(
        reverse("status-list", args=[status_list.organization.slug, status_list.public_id])
    )


def did_document_url(organization) -> str:
    """Where the issuer's did:web document is served (also what did:web resolution asks for)."""
    return absolute(reverse("did-document", args=[organization.slug]))
