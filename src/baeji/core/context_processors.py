"""Template context shared by every page."""

from django.conf import settings


def site(request):
    """Site-wide values: the public base URL and whether the demo outbox is on."""
    return {"BASE_URL": settings.BASE_URL, "DEV_OUTBOX": settings.DEV_OUTBOX}
