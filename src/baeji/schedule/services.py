"""Claiming and queuing the periodic duties.

Any number of processes on any number of machines call :func:`duties_tick` every so often
(``baeji worker`` does it from a thread every ``BAEJI_PERIODIC_TICK_SECONDS``; ``baeji tick``
does it once, for cron). A due duty is claimed with one conditional ``UPDATE`` that moves its
``next_run_at`` one interval ahead::

    UPDATE schedule_periodicduty SET next_run_at = now + interval, ...
     WHERE name = 'reminders' AND (next_run_at <= now OR next_run_at > now + 2 * interval)

The database applies the updates to one row one at a time (PostgreSQL re-checks the condition
of a waiting update against the committed row; SQLite has one writer), so among processes that
tick at once exactly one claims the run; the others update nothing. The second half of the
condition lets a shortened interval take effect at once instead of after the old one.

The claimer then queues the duty's task. With the database task backend the task row is written
in the claim's own transaction: a process that dies in between leaves neither. When the task of
the previous run has not even started yet (no worker free, or none running), no second copy is
queued, so a backlog never piles up copies of the same duty. Ticks read the clock of the
process; clocks of different machines a few seconds apart only move a run by as much.

Writes here are scheduling bookkeeping, not actions of people: they are logged, not audited.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from baeji.core.queue import queued_with_the_data
from baeji.schedule.duties import BY_NAME, DUTIES, Duty
from baeji.schedule.models import PeriodicDuty

logger = logging.getLogger(__name__)

DEFAULT_TICK_SECONDS = 30.0
RESULTS_KEPT_DAYS = 7


def _configured() -> dict[str, int]:
    """``BAEJI_PERIODIC_SECONDS`` as {duty: seconds}: a dict, or ``"name=seconds,..."``."""
    raw: Any = getattr(settings, "BAEJI_PERIODIC_SECONDS", None) or {}
    if isinstance(raw, str):
        pairs: dict[str, str] = {}
        for item in raw.split(","):
            if not item.strip():
                continue
            name, sep, value = item.partition("=")
            if not sep:
                raise ImproperlyConfigured(
                    f"BAEJI_PERIODIC_SECONDS: {item.strip()!r} is not name=seconds"
                )
            pairs[name.strip()] = value.strip()
        raw = pairs
    result = {}
    for name, value in raw.items():
        if name not in BY_NAME:
            raise ImproperlyConfigured(
                f"BAEJI_PERIODIC_SECONDS: there is no periodic duty {name!r} "
                f"(the duties: {', '.join(BY_NAME)})"
            )
        try:
            seconds = int(value)
        except (TypeError, ValueError):
            raise ImproperlyConfigured(
                f"BAEJI_PERIODIC_SECONDS: {name}={value!r} is not a whole number of seconds"
            ) from None
        if seconds < 0:
            raise ImproperlyConfigured(f"BAEJI_PERIODIC_SECONDS: {name}={seconds} is negative")
        result[name] = seconds
    return result


def intervals() -> dict[str, int]:
    """Seconds between two runs of each duty (0: the duty is off)."""
    configured = _configured()
    return {duty.name: configured.get(duty.name, duty.seconds) for duty in DUTIES}


def tick_seconds() -> float:
    """How often ``baeji worker`` ticks (``BAEJI_PERIODIC_TICK_SECONDS``, default 30)."""
    value = float(getattr(settings, "BAEJI_PERIODIC_TICK_SECONDS", DEFAULT_TICK_SECONDS))
    if not value > 0:
        raise ImproperlyConfigured("BAEJI_PERIODIC_TICK_SECONDS must be more than 0")
    return value


def _ensure_rows(names: list[str], now: datetime) -> None:
    """Create the rows of duties met for the first time, due at once."""
    existing = set(PeriodicDuty.objects.filter(name__in=names).values_list("name", flat=True))
    missing = [name for name in names if name not in existing]
    if missing:
        PeriodicDuty.objects.bulk_create(
            [PeriodicDuty(name=name, next_run_at=now) for name in missing],
            ignore_conflicts=True,
        )


def _due(name: str, interval: timedelta, now: datetime) -> Q:
    return Q(name=name) & (Q(next_run_at__lte=now) | Q(next_run_at__gt=now + 2 * interval))


def _still_waiting(task, task_id: str) -> bool:
    """Whether the task result ``task_id`` is queued and not started yet."""
    if not task_id:
        return False
    try:
        result = task.get_backend().get_result(task_id)
    except TaskResultDoesNotExist:
        return False
    return result.status == TaskResultStatus.READY


def _queue_after_commit(duty: Duty) -> None:
    result = duty.task().enqueue()
    PeriodicDuty.objects.filter(name=duty.name).update(last_task_id=str(result.id)[:64])


def _claim(duty: Duty, interval: timedelta, now: datetime, by: str) -> bool:
    """Claim one run of ``duty`` if it is due, and queue its task; whether it was claimed."""
    task = duty.task()
    with transaction.atomic():
        claimed = PeriodicDuty.objects.filter(_due(duty.name, interval, now)).update(
            next_run_at=now + interval, last_claimed_at=now, claimed_by=by[:200]
        )
        if not claimed:
            return False
        if not queued_with_the_data(task):
            # A backend outside the database (the immediate one runs the task right away):
            # after the claim is committed, so the duty never runs inside the claim.
            transaction.on_commit(partial(_queue_after_commit, duty))
            return True
        previous = (
            PeriodicDuty.objects.filter(name=duty.name).values_list("last_task_id", flat=True).get()
        )
        if _still_waiting(task, previous):
            logger.info("periodic duty %s: its last run is still queued", duty.name)
            return True
        result = task.enqueue()
        PeriodicDuty.objects.filter(name=duty.name).update(last_task_id=str(result.id)[:64])
    return True


def duties_tick(*, now: datetime | None = None, by: str = "") -> list[str]:
    """Claim every due duty and queue its task; returns the names of the duties claimed.

    Safe to call from any number of processes at once: each run is claimed by one of them.
    ``by`` names the caller in the schedule (e.g. ``host:pid``).
    """
    now = now or timezone.now()
    every = {name: seconds for name, seconds in intervals().items() if seconds > 0}
    if not every:
        return []
    _ensure_rows(list(every), now)
    # A plain read first: on SQLite every write transaction takes the database's write lock,
    # so only the duties that look due are tried.
    candidates = [
        name
        for name, next_run_at in PeriodicDuty.objects.filter(name__in=list(every)).values_list(
            "name", "next_run_at"
        )
        if next_run_at <= now or next_run_at > now + 2 * timedelta(seconds=every[name])
    ]
    claimed = []
    for duty in DUTIES:
        if duty.name in candidates and _claim(duty, timedelta(seconds=every[duty.name]), now, by):
            claimed.append(duty.name)
    if claimed:
        logger.info("periodic duties queued: %s", ", ".join(claimed))
    return claimed


def duty_results_prune(*, now: datetime | None = None, days: int = RESULTS_KEPT_DAYS) -> int:
    """Delete the finished task results of the periodic duties older than ``days``.

    A duty that runs every minute leaves 1,440 results a day; other tasks' results are kept
    as they are (``baeji manage prune_db_task_results`` prunes those). Returns how many were
    deleted; 0 with a task backend that keeps no results in the database.
    """
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backends = {duty.task().get_backend() for duty in DUTIES}
    aliases = [b.alias for b in backends if isinstance(b, DatabaseBackend)]
    if not aliases:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = (
        DBTaskResult.objects.finished()
        .filter(
            backend_name__in=aliases,
            task_path__in=[duty.task().module_path for duty in DUTIES],
            finished_at__lte=cutoff,
        )
        .delete()
    )
    return deleted
