"""``baeji worker``: django-tasks' database worker with a thread that ticks the schedule.

The worker runs ``db_worker`` in the main thread (it owns the signals: SIGTERM finishes the
current task, then exits) and a daemon thread that calls
:func:`baeji.schedule.services.duties_tick` every ``tick_seconds`` (±20 %, so that many
workers started together do not tick in step). The thread has its own database connection;
a tick that fails (say, the database is briefly unreachable) is logged and tried again at the
next tick.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading

from django.core.management import call_command
from django.db import close_old_connections

from baeji.schedule.services import duties_tick

logger = logging.getLogger(__name__)


def process_name() -> str:
    """``host:pid``, how a process names itself in the schedule."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Ticker:
    """Ticks the schedule from a daemon thread until :meth:`stop`."""

    def __init__(self, *, every: float, by: str | None = None) -> None:
        self.every = every
        self.by = by or process_name()
        self.ticks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="baeji-periodic", daemon=True)

    def start(self) -> None:
        """Start ticking: the first tick comes within a second or two."""
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the tick under way, if any."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def tick(self) -> list[str]:
        """Tick once; the duties claimed (none when the tick failed)."""
        close_old_connections()
        try:
            return duties_tick(by=self.by)
        except Exception:  # the thread must live on: the next tick tries again
            logger.exception("periodic duties: tick failed; trying again at the next tick")
            return []
        finally:
            self.ticks += 1
            close_old_connections()

    def _run(self) -> None:
        delay = random.uniform(0.1, min(self.every, 2.0))  # noqa: S311 - not for security
        while not self._stop.wait(delay):
            self.tick()
            delay = self.every * random.uniform(0.8, 1.2)  # noqa: S311 - not for security


def run_worker(
    *,
    tick_seconds: float | None,
    interval: float = 1.0,
    queue_name: str = "default",
    worker_id: str | None = None,
    verbosity: int = 1,
) -> None:
    """Run a task worker until it is stopped; tick the schedule unless ``tick_seconds`` is
    None."""
    ticker = None
    if tick_seconds is not None:
        ticker = Ticker(every=tick_seconds)
        ticker.start()
        logger.info("periodic duties: ticking every %.0f s as %s", tick_seconds, ticker.by)
    options = {
        "interval": interval,
        "queue_name": queue_name,
        "reload": False,
        "verbosity": verbosity,
    }
    if worker_id:
        options["worker_id"] = worker_id
    try:
        call_command("db_worker", **options)
    finally:
        if ticker is not None:
            ticker.stop(timeout=10)
