"""Queuing tasks so that a crash can never separate them from the data they act on."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import transaction


def queued_with_the_data(task) -> bool:
    """Whether ``task`` would be queued inside the caller's open transaction.

    True with the database task queue (the default) while a transaction is open: the task's
    row then commits, or rolls back, with the caller's writes.
    """
    from django_tasks_db.backend import DatabaseBackend

    return (
        isinstance(task.get_backend(), DatabaseBackend)
        and transaction.get_connection().in_atomic_block
    )


def enqueue_with_transaction(task, *args: Any, **kwargs: Any) -> None:
    """Queue ``task(*args, **kwargs)`` as part of the caller's transaction with the database
    task queue (a process that dies just after the commit cannot lose it), else once the
    transaction has committed (other queues, such as the immediate one of the tests, would
    otherwise run it before the data it reads is committed)."""
    run_with_transaction(task, partial(task.enqueue, *args, **kwargs))


def run_with_transaction(task, enqueue: Callable[[], Any]) -> None:
    """Call ``enqueue`` (which queues ``task``, perhaps several times) now when the task is
    queued with the data (see :func:`queued_with_the_data`), else after commit."""
    if queued_with_the_data(task):
        enqueue()
    else:
        transaction.on_commit(enqueue)
