"""The periodic duties of the platform and their default intervals.

Each duty is a background task taking no arguments and safe to run twice or concurrently;
a worker that ticks queues it when it is due (see :mod:`baeji.schedule.services`).
``BAEJI_PERIODIC_SECONDS`` changes an interval or, with 0, turns a duty off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Duty:
    """A periodic duty: its name in settings and in the database, its task, its interval."""

    name: str
    task_path: str
    seconds: int
    summary: str

    def task(self) -> Any:
        """The django-tasks ``Task`` that does the work."""
        return import_string(self.task_path)


DUTIES: tuple[Duty, ...] = (
    Duty(
        "bulk-stale-chunks",
        "baeji.schedule.tasks.requeue_stale_chunks",
        60,
        "queue again the bulk checks and issuing chunks whose worker died, finish batches "
        "left unfinished",
    ),
    Duty(
        "email-retries",
        "baeji.schedule.tasks.retry_due_emails",
        300,
        "send the e-mails whose retry time has come (and any whose task was lost)",
    ),
    Duty(
        "reminders",
        "baeji.emails.tasks.send_reminders",
        3600,
        "queue the reminders for unclaimed badges that each issuer's settings make due",
    ),
    Duty(
        "ratelimit-purge",
        "baeji.schedule.tasks.purge_rate_counters",
        3600,
        "delete the claim rate-limit counters of windows that are over",
    ),
    Duty(
        "duty-results-prune",
        "baeji.schedule.tasks.prune_duty_results",
        86400,
        "delete the stored results of these duties' own runs after a week",
    ),
)

BY_NAME: dict[str, Duty] = {duty.name: duty for duty in DUTIES}
