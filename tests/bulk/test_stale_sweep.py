"""The periodic sweep finishes jobs that nothing else would touch: a chunk whose worker died
(lease expired) is queued again, and a batch whose chunks are all done is marked done."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from baeji.awards.models import Award, PendingAward
from baeji.bulk.models import Batch, BatchChunk
from baeji.bulk.services import (
    batch_create,
    batch_requeue_stale_all,
    batch_submit,
    batch_validate,
)
from baeji.schedule.services import duties_tick

ROWS = [
    ["김민준", "minjun@example.kr", "reading", "2026-03-02"],
    ["이서연", "seoyeon@example.kr", "reading", "2026-03-02"],
    ["박지호", "", "reading", "2026-03-02"],
]


def _issuing_batch(world) -> Batch:
    """A web-started job: submitted, its chunk tasks never run (no on-commit here)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "achievement", "issued_on"])
    writer.writerows(ROWS)
    batch = batch_create(
        organization=world.school,
        filename="learners.csv",
        data=out.getvalue().encode(),
        validate=False,
    )
    batch = batch_validate(batch_id=batch.pk)
    assert batch.valid_rows == len(ROWS)
    batch_submit(batch=batch, direct=True)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.ISSUING
    return batch


def _worker_died(batch: Batch, *, lease_left: timedelta) -> BatchChunk:
    """The batch's only (and so last) chunk, taken by a worker that was then SIGKILLed."""
    chunk = BatchChunk.objects.get(batch=batch)
    BatchChunk.objects.filter(pk=chunk.pk).update(
        state=BatchChunk.State.RUNNING, attempts=1, lease_until=timezone.now() + lease_left
    )
    return chunk


@pytest.mark.django_db
def test_the_sweep_duty_requeues_a_dead_workers_last_chunk_and_the_batch_completes(
    world, badges, django_capture_on_commit_callbacks
):
    batch = _issuing_batch(world)
    chunk = _worker_died(batch, lease_left=timedelta(seconds=-1))
    # The duty runs as a task (the immediate backend of the tests runs it at once).
    with django_capture_on_commit_callbacks(execute=True):
        assert "bulk-stale-chunks" in duties_tick()
    chunk.refresh_from_db()
    batch.refresh_from_db()
    assert chunk.state == BatchChunk.State.DONE and chunk.attempts == 2
    assert batch.status == Batch.Status.DONE and batch.job_done == len(ROWS)
    assert Award.objects.filter(organization=world.school).count() == 2
    assert PendingAward.objects.count() == 1


@pytest.mark.django_db
def test_a_chunk_whose_worker_is_alive_is_left_alone(
    world, badges, django_capture_on_commit_callbacks
):
    batch = _issuing_batch(world)
    chunk = _worker_died(batch, lease_left=timedelta(minutes=5))
    assert batch_requeue_stale_all() == 0
    chunk.refresh_from_db()
    assert chunk.state == BatchChunk.State.RUNNING and chunk.attempts == 1
    # Once its lease is over, it is queued again (and run by the tests' backend on commit).
    with django_capture_on_commit_callbacks(execute=True):
        assert batch_requeue_stale_all(now=timezone.now() + timedelta(minutes=6)) == 1
    chunk.refresh_from_db()
    assert chunk.state == BatchChunk.State.DONE and chunk.attempts == 2


@pytest.mark.django_db
def test_a_cancelled_batch_is_not_swept(world, badges):
    batch = _issuing_batch(world)
    chunk = _worker_died(batch, lease_left=timedelta(seconds=-1))
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.CANCELLED)
    assert batch_requeue_stale_all() == 0
    chunk.refresh_from_db()
    assert chunk.state == BatchChunk.State.RUNNING


@pytest.mark.django_db
def test_a_batch_whose_chunks_are_all_done_is_finished(world, badges):
    """The worker died after its last chunk committed and before it marked the batch done."""
    batch = _issuing_batch(world)
    BatchChunk.objects.filter(batch=batch).update(
        state=BatchChunk.State.DONE, finished_at=timezone.now()
    )
    assert batch_requeue_stale_all() == 0
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE and batch.finished_at is not None


# --------------------------------------------------------------------------------------------
# The real thing: ``baeji worker`` processes on a file-based SQLite database.

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=False)
def test_baeji_worker_finishes_a_job_whose_last_chunk_lost_its_worker(tmp_path):
    """The job was started from the web page; the worker that took its only chunk was killed.
    No other chunk, page or command will touch it: only the worker's periodic sweep does."""
    from tests.bulk.test_job_resume import _env, _query, _wait_for

    env = _env(tmp_path)
    db = tmp_path / "baeji.sqlite3"
    subprocess.run(
        [sys.executable, "-m", "tests.bulk.stuck_batch", "12"], env=env, cwd=ROOT, check=True
    )
    assert _query(db, "select status from bulk_batch") == [("issuing",)]
    assert _query(db, "select state from bulk_batchchunk") == [("running",)]
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "baeji.cli", "worker", "--interval", "0.05"),
            *("--tick-seconds", "0.2", "--worker-id", "sweeper", "--verbosity", "0"),
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        _wait_for(lambda: _query(db, "select status from bulk_batch") == [("done",)])
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert worker.returncode == 0  # SIGTERM: finishes its task, then exits cleanly
    assert _query(db, "select count(*), count(distinct row_key) from awards_award") == [(12, 12)]
    assert _query(db, "select state, attempts from bulk_batchchunk") == [("done", 2)]
    claimed = dict(_query(db, "select name, claimed_by from schedule_periodicduty"))
    assert claimed.keys() >= {"bulk-stale-chunks", "reminders", "email-retries"}
    assert all(by.endswith(":" + str(worker.pid)) for by in claimed.values())


@pytest.mark.django_db
@pytest.mark.parametrize("commit", [False, True])
def test_chunks_and_their_tasks_are_written_in_one_transaction(world, badges, settings, commit):
    """With the database task queue, a process that dies while starting a job leaves both
    the chunks and their tasks, or neither: never a queued chunk that no task will run."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    class Died(Exception):
        pass

    out = io.StringIO()
    csv.writer(out).writerows([["name", "email", "achievement", "issued_on"], *ROWS])
    batch = batch_create(
        organization=world.school, filename="a.csv", data=out.getvalue().encode(), validate=False
    )
    batch = batch_validate(batch_id=batch.pk)
    chunk_tasks = DBTaskResult.objects.filter(task_path="baeji.bulk.tasks.issue_chunk")
    try:
        with transaction.atomic():
            batch_submit(batch=batch, direct=True)
            # Before any commit, the task rows are there beside the chunks.
            assert chunk_tasks.count() == BatchChunk.objects.filter(batch=batch).count() == 1
            if not commit:
                raise Died
    except Died:
        pass
    expected = 1 if commit else 0
    assert chunk_tasks.count() == BatchChunk.objects.filter(batch=batch).count() == expected


@pytest.mark.django_db
def test_a_chunk_that_stopped_its_worker_five_times_fails_the_batch(
    world, badges, django_capture_on_commit_callbacks
):
    """A chunk whose every run killed its worker (out of memory, say) is not run for ever:
    after the fifth, the sweep fails the batch with a message in both languages."""
    from baeji.audit.models import AuditEvent
    from baeji.bulk.services import MAX_CHUNK_ATTEMPTS

    batch = _issuing_batch(world)
    chunk = _worker_died(batch, lease_left=timedelta(seconds=-1))
    BatchChunk.objects.filter(pk=chunk.pk).update(attempts=MAX_CHUNK_ATTEMPTS)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert batch_requeue_stale_all() == 0
    assert not queued
    chunk.refresh_from_db()
    batch.refresh_from_db()
    assert chunk.state == BatchChunk.State.CANCELLED
    assert batch.status == Batch.Status.FAILED
    assert "1번째 묶음" in batch.error and "Issuing chunk 1 was started 5 times" in batch.error
    assert AuditEvent.objects.filter(action="bulk.failed").count() == 1
    assert not Award.objects.exists()
    # A run that still finds the chunk (a task queued before) refuses it.
    BatchChunk.objects.filter(pk=chunk.pk).update(state=BatchChunk.State.QUEUED)
    from baeji.bulk.services import batch_issue_chunk

    assert batch_issue_chunk(chunk_id=chunk.pk) == "skipped"
