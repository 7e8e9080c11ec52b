"""The checking step of bulk issuance survives a killed worker and never runs twice at once.

A run of the check holds the batch's checking lease (taken with one conditional UPDATE); a
second run meanwhile does nothing, one after the lease ran out takes over, and the periodic
sweep queues again a check whose worker died, up to a limit after which the batch fails with
a message in Korean and English.

A worker "killed" in the middle of a check is played by a progress callback that raises a
``BaseException`` (the check catches only ``Exception``): like SIGKILL, it leaves the lease
held and the rows of the write batches done so far, and nothing else.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.models import Count
from django.utils import timezone

from baeji.audit.models import AuditEvent
from baeji.bulk import services
from baeji.bulk.models import Batch, BatchRow
from baeji.bulk.services import (
    MAX_CHECK_ATTEMPTS,
    batch_cancel,
    batch_create,
    batch_requeue_stale_all,
    batch_requeue_stale_checks,
    batch_set_mapping,
    batch_validate,
    limits,
)
from baeji.schedule.services import duties_tick
from tests.bulk.test_issue_bulk import _cli, csv_bytes

ROWS = [
    ["김민준", "minjun@example.kr", "ai-basics", "2026-03-02"],
    ["이서연", "seoyeon@example.kr", "reading", "2026-03-02"],
    ["박지호", "", "ai-basics", "2026-03-02"],  # no e-mail: a claim code
    ["최유나", "not-an-address", "reading", "2026-03-02"],  # invalid
    ["정하늘", "haneul@example.kr", "no-such-badge", "2026-03-02"],  # invalid
    ["강도윤", "doyun@example.kr", "reading", "2026-03-03"],
    ["윤서아", "", "reading", "2026-03-04"],  # no e-mail: a claim code
]
EXPECTED = {"total": 7, "valid": 5, "invalid": 2, "already": 0, "pending": 2}


class Killed(BaseException):
    """The worker died (SIGKILL): nothing after this point runs."""


@pytest.fixture(autouse=True)
def small_write_batches(monkeypatch):
    """Two rows per write batch, so that a check of ROWS writes four times."""
    monkeypatch.setattr(services, "_WRITE_BATCH", 2)


def _upload(world, rows=ROWS) -> Batch:
    """An upload whose columns are known: ``validating``, its check not started."""
    batch = batch_create(
        organization=world.school, filename="learners.csv", data=csv_bytes(rows), validate=False
    )
    assert batch.status == Batch.Status.VALIDATING
    return batch


def _killed_mid_check(batch: Batch) -> None:
    """Start a check and kill its worker once it stored its first write batch."""

    def die(count: int) -> None:
        raise Killed

    with pytest.raises(Killed):
        batch_validate(batch_id=batch.pk, progress=die)


def _expire_lease(batch: Batch) -> None:
    Batch.objects.filter(pk=batch.pk).update(
        validation_lease_until=timezone.now() - timedelta(seconds=1)
    )


def _after_the_lease() -> datetime:
    return timezone.now() + timedelta(seconds=limits()["lease_seconds"] + 1)


def _assert_checked_once(batch: Batch, *, attempts: int) -> None:
    batch.refresh_from_db()
    assert batch.status == Batch.Status.VALIDATED
    counts = {
        "total": batch.total_rows,
        "valid": batch.valid_rows,
        "invalid": batch.invalid_rows,
        "already": batch.already_rows,
        "pending": batch.pending_rows,
    }
    assert counts == EXPECTED
    assert batch.summary["achievements"] == {"ai-basics": 2, "reading": 3}
    lines = list(BatchRow.objects.filter(batch=batch).values_list("line", flat=True))
    assert sorted(lines) == list(range(2, 2 + len(ROWS)))  # every row once
    outcomes = dict(
        BatchRow.objects.filter(batch=batch)
        .values_list("outcome")
        .annotate(n=Count("id"))
        .values_list("outcome", "n")
    )
    assert outcomes == {"valid": 5, "invalid": 2}
    assert batch.validation_attempts == attempts
    assert batch.validation_holder == "" and batch.validation_lease_until is None


def test_a_killed_check_leaves_its_lease_and_partial_rows(world, badges):
    batch = _upload(world)
    _killed_mid_check(batch)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.VALIDATING
    assert batch.validation_attempts == 1 and batch.validation_holder
    assert batch.validation_lease_until > timezone.now()
    assert BatchRow.objects.filter(batch=batch).count() == 2


def test_the_sweep_duty_requeues_a_check_whose_worker_died_and_it_completes(
    world, badges, django_capture_on_commit_callbacks
):
    batch = _upload(world)
    _killed_mid_check(batch)
    _expire_lease(batch)
    # The duty runs as a task (the immediate backend of the tests runs it, and the check it
    # queues, at once).
    with django_capture_on_commit_callbacks(execute=True):
        assert "bulk-stale-chunks" in duties_tick()
    _assert_checked_once(batch, attempts=2)
    assert AuditEvent.objects.filter(action="bulk.validate").count() == 1


def test_the_sweep_leaves_a_live_check_alone_and_requeues_it_once_its_lease_is_over(
    world, badges, django_capture_on_commit_callbacks
):
    batch = _upload(world)
    _killed_mid_check(batch)
    assert batch_requeue_stale_all() == 0
    batch.refresh_from_db()
    assert batch.validation_attempts == 1 and batch.validation_holder
    later = _after_the_lease()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert batch_requeue_stale_all(now=later) == 1
    assert len(queued) == 1
    _assert_checked_once(batch, attempts=2)
    # Checked: nothing more to sweep.
    assert batch_requeue_stale_all(now=later) == 0


def test_a_second_run_while_the_lease_is_held_does_nothing(world, badges):
    batch = _upload(world)
    _killed_mid_check(batch)
    batch.refresh_from_db()
    holder, lease = batch.validation_holder, batch.validation_lease_until
    again = batch_validate(batch_id=batch.pk)
    assert again.status == Batch.Status.VALIDATING
    batch.refresh_from_db()
    assert (batch.validation_holder, batch.validation_lease_until) == (holder, lease)
    assert batch.validation_attempts == 1
    # Its rows were neither deleted nor written again.
    assert BatchRow.objects.filter(batch=batch).count() == 2


def test_a_run_after_the_lease_ran_out_takes_over(world, badges):
    batch = _upload(world)
    _killed_mid_check(batch)
    _expire_lease(batch)
    assert batch_validate(batch_id=batch.pk).status == Batch.Status.VALIDATED
    _assert_checked_once(batch, attempts=2)


def test_a_run_that_lost_its_lease_stops_and_leaves_the_check_to_the_next(
    world, badges, django_capture_on_commit_callbacks
):
    """The first run stalls past its lease: the sweep queues the check again. The stalled
    run must then neither write another row nor mark the batch checked."""
    batch = _upload(world)
    written: list[int] = []

    def stalled(count: int) -> None:
        written.append(count)
        if len(written) == 1:
            assert batch_requeue_stale_checks(now=_after_the_lease()) == 1

    with django_capture_on_commit_callbacks(execute=True):
        first = batch_validate(batch_id=batch.pk, progress=stalled)
        # Stopped at its next write batch: the rows of its first one only, not checked.
        assert written == [2]
        assert first.status == Batch.Status.VALIDATING
        assert BatchRow.objects.filter(batch=batch).count() == 2
    # The queued check ran on commit and took over.
    _assert_checked_once(batch, attempts=2)


def test_too_many_interrupted_checks_fail_the_batch_with_a_message(world, badges, client):
    batch = _upload(world)
    for attempt in range(1, MAX_CHECK_ATTEMPTS + 1):
        _killed_mid_check(batch)
        batch.refresh_from_db()
        assert batch.validation_attempts == attempt
        # The last time, the limit is reached: the sweep fails the batch instead.
        assert batch_requeue_stale_checks(now=_after_the_lease()) == (
            1 if attempt < MAX_CHECK_ATTEMPTS else 0
        )
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FAILED and batch.finished_at is not None
    korean, english = batch.error.split("\n")
    assert f"{MAX_CHECK_ATTEMPTS}번" in korean and "다시 올려 주세요" in korean
    assert f"started {MAX_CHECK_ATTEMPTS} times" in english and "upload it again" in english
    event = AuditEvent.objects.get(action="bulk.failed")
    assert event.data == {"stage": "checking", "attempts": MAX_CHECK_ATTEMPTS}
    # Nothing runs it again.
    assert batch_validate(batch_id=batch.pk).status == Batch.Status.FAILED
    assert batch_requeue_stale_all(now=_after_the_lease()) == 0
    # The page says why, in both languages, and stops polling.
    client.force_login(world.member)
    page = client.get(f"/bulk/{batch.public_id}/").content.decode()
    assert "다시 올려 주세요" in page and "upload it again" in page
    assert "hx-trigger" not in page


def test_no_run_takes_the_lease_beyond_the_limit(world, badges):
    """Without the sweep (turned off), runs stop at the limit all the same."""
    batch = _upload(world)
    Batch.objects.filter(pk=batch.pk).update(validation_attempts=MAX_CHECK_ATTEMPTS)
    assert batch_validate(batch_id=batch.pk).status == Batch.Status.VALIDATING
    batch.refresh_from_db()
    assert batch.validation_attempts == MAX_CHECK_ATTEMPTS and not batch.validation_holder


def test_a_cancel_during_the_check_holds_and_stops_the_check(world, badges):
    batch = _upload(world)
    written: list[int] = []

    def cancelled_meanwhile(count: int) -> None:
        written.append(count)
        if len(written) == 1:
            batch_cancel(batch=batch)

    assert batch_validate(batch_id=batch.pk, progress=cancelled_meanwhile).status == "cancelled"
    assert written == [2]  # no write batch after the cancel
    batch.refresh_from_db()
    assert batch.status == Batch.Status.CANCELLED and batch.total_rows == 0
    assert batch_requeue_stale_all(now=_after_the_lease()) == 0
    assert batch_validate(batch_id=batch.pk).status == Batch.Status.CANCELLED
    batch.refresh_from_db()
    assert batch.status == Batch.Status.CANCELLED and batch.validation_attempts == 1


def test_a_cancel_while_a_dead_workers_lease_runs_out_holds(world, badges):
    batch = _upload(world)
    _killed_mid_check(batch)
    batch_cancel(batch=batch)
    _expire_lease(batch)
    assert batch_requeue_stale_all() == 0
    assert batch_validate(batch_id=batch.pk).status == Batch.Status.CANCELLED


def test_a_check_whose_task_was_lost_is_queued_again_after_a_lease(
    world, badges, django_capture_on_commit_callbacks
):
    """Queued, but no run ever took it (the worker died between taking the task and the
    lease): the sweep queues it again once a lease has passed since it was queued."""
    batch = _upload(world)
    assert batch_requeue_stale_checks() == 0  # just queued: its task may be waiting
    with django_capture_on_commit_callbacks(execute=True):
        assert batch_requeue_stale_checks(now=_after_the_lease()) == 1
    _assert_checked_once(batch, attempts=1)


def test_a_run_that_raises_frees_the_lease_for_the_next_sweep(
    world, badges, monkeypatch, django_capture_on_commit_callbacks
):
    batch = _upload(world)
    real = services._batch_rows

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_batch_rows", broken)
    with pytest.raises(RuntimeError):
        batch_validate(batch_id=batch.pk)
    monkeypatch.setattr(services, "_batch_rows", real)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.VALIDATING
    assert batch.validation_lease_until <= timezone.now()
    # No need to wait for the lease: the next sweep queues it again.
    with django_capture_on_commit_callbacks(execute=True):
        assert batch_requeue_stale_checks() == 1
    _assert_checked_once(batch, attempts=2)


def test_mapping_the_columns_again_starts_a_new_check_with_its_own_attempts(
    world, badges, django_capture_on_commit_callbacks
):
    batch = _upload(world)
    _killed_mid_check(batch)
    _expire_lease(batch)
    batch = batch_validate(batch_id=batch.pk)
    assert batch.validation_attempts == 2
    with django_capture_on_commit_callbacks(execute=True):
        batch_set_mapping(batch=batch, mapping=batch.mapping)
    _assert_checked_once(batch, attempts=1)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
)
@pytest.mark.django_db(transaction=True)
def test_runs_racing_on_separate_connections_check_once(world, badges):
    """Six runs start at the same moment: one takes the lease and checks, the others return
    at once (the lease is held, or the batch is already checked)."""
    batch = _upload(world)
    barrier = threading.Barrier(6)
    results: list = [None] * 6

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = batch_validate(batch_id=batch.pk).status
        except BaseException as error:  # reported by the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Batch.Status.VALIDATED in results
    assert set(results) <= {Batch.Status.VALIDATED, Batch.Status.VALIDATING}
    _assert_checked_once(batch, attempts=1)
    assert AuditEvent.objects.filter(action="bulk.validate").count() == 1


# --------------------------------------------------------------------------------------------
# The command line checks in its own process, holding the lease like any run.


@pytest.mark.django_db(transaction=True)
def test_the_command_line_checks_under_the_lease(
    tmp_path, world, badges, django_capture_on_commit_callbacks
):
    status, lines = _cli(tmp_path, ROWS, "--dry-run", run=django_capture_on_commit_callbacks)
    assert status == 1 and len(lines) == len(ROWS) + 1
    batch = Batch.objects.get()
    assert batch.status == Batch.Status.VALIDATED and batch.validation_attempts == 1
    assert batch.validation_holder == "" and batch.validation_lease_until is None


@pytest.mark.django_db(transaction=True)
def test_the_command_line_stops_when_the_upload_is_cancelled_while_checked(
    tmp_path, world, badges, monkeypatch, capsys, django_capture_on_commit_callbacks
):
    real = services._batch_rows

    def cancelled_from_the_web_page(batch, *args, **kwargs):
        batch_cancel(batch=batch)
        return real(batch, *args, **kwargs)

    monkeypatch.setattr(services, "_batch_rows", cancelled_from_the_web_page)
    status, _lines = _cli(tmp_path, ROWS, run=django_capture_on_commit_callbacks)
    assert status == 2
    assert "was cancelled while it was checked" in capsys.readouterr().err
    assert Batch.objects.get().status == Batch.Status.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_the_command_line_leaves_a_check_taken_over_by_a_worker_to_it(
    tmp_path, world, badges, monkeypatch, capsys, django_capture_on_commit_callbacks
):
    """The command stalled past its lease (a suspended laptop) and a worker's sweep queued
    the check again: the command stops there, issuing nothing, and the worker's run checks."""
    real = services._batch_rows
    queued: list[tuple] = []
    monkeypatch.setattr(services, "enqueue_with_transaction", lambda *args: queued.append(args))

    def stalled(batch, *args, **kwargs):
        if not queued:
            assert batch_requeue_stale_checks(now=_after_the_lease()) == 1
        return real(batch, *args, **kwargs)

    monkeypatch.setattr(services, "_batch_rows", stalled)
    status, _lines = _cli(tmp_path, ROWS, run=django_capture_on_commit_callbacks)
    assert status == 2
    assert "was taken over by a task worker" in capsys.readouterr().err
    batch = Batch.objects.get()
    assert batch.status == Batch.Status.VALIDATING and not batch.validation_holder
    [(task, batch_id)] = queued
    task.call(batch_id)  # the worker's run
    _assert_checked_once(batch, attempts=2)


# --------------------------------------------------------------------------------------------
# The real thing: a ``db_worker`` killed with SIGKILL in the middle of a check, then
# ``baeji worker`` (whose periodic sweep queues the check again) on a file-based SQLite database.

ROOT = Path(__file__).resolve().parents[2]
BIG = 20_000


@pytest.mark.django_db(transaction=False)
def test_a_worker_killed_mid_check_then_the_sweep_finishes_the_check(tmp_path):
    from tests.bulk.test_job_resume import _env, _query, _wait_for, _worker

    env = _env(tmp_path)
    # The sweep every second (the lease of the worker settings is 2 s).
    env["BAEJI_PERIODIC_SECONDS"] = "bulk-stale-chunks=1"
    db = tmp_path / "baeji.sqlite3"
    subprocess.run(
        [sys.executable, "-m", "tests.bulk.checking_batch", str(BIG)], env=env, cwd=ROOT, check=True
    )
    first = _worker(env, "first")
    sweeper = None
    try:
        _wait_for(lambda: _query(db, "select count(*) from bulk_batchrow")[0][0] > 0)
        first.send_signal(signal.SIGKILL)
        first.wait()
        [(status, attempts, holder)] = _query(
            db, "select status, validation_attempts, validation_holder from bulk_batch"
        )
        stored = _query(db, "select count(*) from bulk_batchrow")[0][0]
        # Killed in the middle: some write batches stored, the lease still held.
        assert (status, attempts) == ("validating", 1) and holder
        assert 0 < stored < BIG
        # django-tasks never runs the dead worker's task again: only the sweep can help.
        assert _query(
            db,
            "select status from django_tasks_database_dbtaskresult "
            "where task_path = 'baeji.bulk.tasks.validate_batch'",
        ) == [("RUNNING",)]
        sweeper = subprocess.Popen(
            [
                *(sys.executable, "-m", "baeji.cli", "worker", "--interval", "0.05"),
                *("--tick-seconds", "0.2", "--worker-id", "sweeper", "--verbosity", "0"),
            ],
            env=env,
            cwd=ROOT,
        )
        _wait_for(lambda: _query(db, "select status from bulk_batch") != [("validating",)])
    finally:
        for process in (first, sweeper):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
    [batch] = _query(
        db,
        "select status, total_rows, valid_rows, invalid_rows, pending_rows, "
        "validation_attempts, validation_holder, validation_lease_until from bulk_batch",
    )
    assert batch == ("validated", BIG, BIG - BIG // 10, BIG // 10, BIG // 5, 2, "", None)
    assert _query(db, "select count(*), count(distinct line) from bulk_batchrow") == [(BIG, BIG)]
    outcomes = dict(_query(db, "select outcome, count(*) from bulk_batchrow group by outcome"))
    assert outcomes == {"valid": BIG - BIG // 10, "invalid": BIG // 10}
    checks = _query(
        db,
        "select status from django_tasks_database_dbtaskresult "
        "where task_path = 'baeji.bulk.tasks.validate_batch' order by enqueued_at",
    )
    assert checks[0] == ("RUNNING",) and ("SUCCESSFUL",) in checks[1:]
