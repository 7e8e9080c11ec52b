"""Absolute public URLs. Everything that leaves the platform (credentials, e-mails) uses these."""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# Ids and slugs that a URL carries as they are (reverse() would not change them either).
_PLAIN = re.compile(r"[A-Za-z0-9_-]+")
_MARK = "0baejiroutearg0"


def absolute(path: str) -> str:
    """``path`` under BAEJI_BASE_URL."""
    return settings.BASE_URL + path


@lru_cache(maxsize=64)
def _pattern(name: str, count: int, urlconf, prefix: str) -> list[str]:
    path = reverse(name, args=[f"{_MARK}{n}" for n in range(count)], urlconf=urlconf)
    return re.split(rf"{_MARK}\d", path)


def _reverse(name: str, *args: str) -> str:
    """``reverse(name, args=args)``, from a cached pattern when every argument is plain.

    Bulk issuing and reports build several addresses per credential; resolving the route
    each time costs more than signing's share of them.
    """
    if not all(_PLAIN.fullmatch(arg) for arg in args):
        return reverse(name, args=list(args))
    try:
        parts = _pattern(name, len(args), get_urlconf(), get_script_prefix())
    except NoReverseMatch:
        # A route whose converter does not take the marker: resolve it the slow way.
        return reverse(name, args=list(args))
    out = [parts[0]]
    for arg, part in zip(args, parts[1:], strict=True):
        out += [arg, part]
    return "".join(out)


def credential_url(award) -> str:
    """The public page (and id) of an issued credential."""
    return absolute(_reverse("credential", award.public_id))


def issuer_url(organization) -> str:
    """An issuer's public profile page."""
    return absolute(_reverse("issuer", organization.slug))


def badge_url(version) -> str:
    """The public page (and Achievement id) of one version of a badge class."""
    return absolute(_reverse("badge", version.public_id))


def badge_image_url(version) -> str:
    """The PNG image of a badge class version."""
    return absolute(_reverse("badge-image", version.public_id))


def status_list_url(status_list) -> str:
    """Where a status list credential is published."""
    return absolute(_reverse("status-list", status_list.organization.slug, status_list.public_id))


def did_document_url(organization) -> str:
    """Where the issuer's did:web document is served (also what did:web resolution asks for)."""
    return absolute(_reverse("did-document", organization.slug))
