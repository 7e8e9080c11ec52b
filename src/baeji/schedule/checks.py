"""A system check: the periodic-duty settings name known duties and sensible numbers."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register()
def periodic_settings(app_configs=None, **kwargs):
    """``BAEJI_PERIODIC_SECONDS`` and ``BAEJI_PERIODIC_TICK_SECONDS`` can be read."""
    from baeji.schedule.services import intervals, tick_seconds

    errors = []
    for read in (intervals, tick_seconds):
        try:
            read()
        except (ImproperlyConfigured, TypeError, ValueError) as error:
            errors.append(checks.Error(str(error), id="baeji.schedule.E001"))
    return errors
