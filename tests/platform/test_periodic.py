"""Periodic duties: each run is claimed by one process through the database, queued as a task,
and not claimed again before its interval; ``baeji worker`` ticks, ``baeji tick`` does once."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.db import connection, connections
from django.utils import timezone
from django_tasks import default_task_backend

from baeji import cli
from baeji.schedule.duties import DUTIES
from baeji.schedule.models import PeriodicDuty
from baeji.schedule.services import duties_tick, duty_results_prune, intervals
from baeji.schedule.worker import Ticker

ALL = [duty.name for duty in DUTIES]
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def dummy_tasks(settings):
    """Tasks are recorded, not run: what a tick queued is in ``default_task_backend.results``."""
    settings.TASKS = DUMMY
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


def _queued(backend) -> list[str]:
    return [result.task.module_path for result in backend.results]


@pytest.mark.django_db
def test_a_due_duty_is_claimed_once_and_not_again_before_its_interval(
    dummy_tasks, django_capture_on_commit_callbacks
):
    def tick(now, by):
        # A backend outside the database gets the task once the claim is committed.
        with django_capture_on_commit_callbacks(execute=True):
            return duties_tick(now=now, by=by)

    now = timezone.now()
    assert tick(now, "a") == ALL  # new duties are due at once
    assert sorted(_queued(dummy_tasks)) == sorted(d.task_path for d in DUTIES)
    assert tick(now, "b") == []  # a second process at the same moment
    assert tick(now + timedelta(seconds=59), "b") == []
    assert tick(now + timedelta(seconds=60), "b") == ["bulk-stale-chunks"]
    assert tick(now + timedelta(seconds=61), "a") == []
    assert tick(now + timedelta(seconds=300), "a") == ["bulk-stale-chunks", "email-retries"]
    assert len(dummy_tasks.results) == len(ALL) + 3
    row = PeriodicDuty.objects.get(name="email-retries")
    assert row.claimed_by == "a" and row.last_claimed_at == now + timedelta(seconds=300)
    assert row.next_run_at == now + timedelta(seconds=600)
    assert row.last_task_id == dummy_tasks.results[-1].id


@pytest.mark.django_db
def test_intervals_come_from_settings_and_zero_turns_a_duty_off(dummy_tasks, settings):
    settings.BAEJI_PERIODIC_SECONDS = "reminders=0, bulk-stale-chunks=10"
    assert intervals()["reminders"] == 0 and intervals()["bulk-stale-chunks"] == 10
    now = timezone.now()
    assert "reminders" not in duties_tick(now=now)
    assert duties_tick(now=now + timedelta(seconds=10)) == ["bulk-stale-chunks"]
    assert "reminders" not in duties_tick(now=now + timedelta(days=2))


@pytest.mark.django_db
def test_a_shortened_interval_takes_effect_at_once(dummy_tasks, settings):
    now = timezone.now()
    duties_tick(now=now)
    later = now + timedelta(seconds=120)
    assert "reminders" not in duties_tick(now=later)  # due only an hour after the last run
    settings.BAEJI_PERIODIC_SECONDS = {"reminders": 30}
    assert "reminders" in duties_tick(now=later)
    assert "reminders" not in duties_tick(now=later + timedelta(seconds=29))
    assert "reminders" in duties_tick(now=later + timedelta(seconds=30))


@pytest.mark.parametrize(
    "value",
    ["nightly=60", "reminders", "reminders=soon", "reminders=-5", {"reminders": "x"}],
)
def test_bad_interval_settings_fail_the_system_check(settings, value):
    settings.BAEJI_PERIODIC_SECONDS = value
    errors = [e for e in run_checks() if e.id == "baeji.schedule.E001"]
    assert len(errors) == 1
    assert "BAEJI_PERIODIC_SECONDS" in errors[0].msg


def test_good_interval_settings_pass_the_system_check(settings):
    settings.BAEJI_PERIODIC_SECONDS = "reminders=1800,email-retries=0"
    assert not [e for e in run_checks() if e.id.startswith("baeji.schedule")]


@pytest.mark.django_db
def test_a_run_still_waiting_in_the_queue_is_not_queued_twice(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE
    path = "baeji.schedule.tasks.requeue_stale_chunks"
    now = timezone.now()
    assert "bulk-stale-chunks" in duties_tick(now=now)
    first = DBTaskResult.objects.get(task_path=path)
    assert PeriodicDuty.objects.get(name="bulk-stale-chunks").last_task_id == str(first.id)
    # No worker took it yet: the next period is claimed, but no second copy is queued.
    assert "bulk-stale-chunks" in duties_tick(now=now + timedelta(seconds=60))
    assert DBTaskResult.objects.filter(task_path=path).count() == 1
    DBTaskResult.objects.filter(pk=first.pk).update(
        status="SUCCESSFUL", started_at=now, finished_at=now
    )
    assert "bulk-stale-chunks" in duties_tick(now=now + timedelta(seconds=120))
    assert DBTaskResult.objects.filter(task_path=path).count() == 2
    # A week later the finished result of the duty is pruned; the queued one stays.
    assert duty_results_prune(now=now + timedelta(days=8)) == 1
    assert DBTaskResult.objects.filter(task_path=path).get().status == "READY"


@pytest.mark.django_db
def test_claim_and_task_are_written_together(settings, monkeypatch):
    """With the database backend, a claim whose task could not be queued is undone."""
    from django_tasks_db.backend import DatabaseBackend

    settings.TASKS = DATABASE

    def broken(self, task, args, kwargs):
        raise RuntimeError("queue unavailable")

    monkeypatch.setattr(DatabaseBackend, "enqueue", broken)
    now = timezone.now()
    with pytest.raises(RuntimeError):
        duties_tick(now=now)
    monkeypatch.undo()
    assert duties_tick(now=now) == ALL  # nothing was claimed by the failed tick


@pytest.mark.django_db
def test_tick_command_queues_due_duties_and_lists_the_schedule(dummy_tasks, capsys):
    assert cli.main(["tick"]) == 0
    assert capsys.readouterr().out.split() == ALL
    assert cli.main(["tick"]) == 0
    assert capsys.readouterr().out == ""
    assert cli.main(["tick", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ALL
    assert "every 3600 s" in lines[ALL.index("reminders")]
    assert "by tick@" in lines[0]


@pytest.mark.django_db(transaction=True)
def test_the_ticker_thread_claims_due_duties(dummy_tasks):
    ticker = Ticker(every=3600, by="thread")
    ticker.start()
    deadline = time.monotonic() + 60
    while not ticker.ticks and time.monotonic() < deadline:
        time.sleep(0.01)
    ticker.stop(timeout=60)
    assert ticker.ticks == 1  # the first tick comes soon; the next not before an hour
    assert set(PeriodicDuty.objects.values_list("name", "claimed_by")) == {
        (name, "thread") for name in ALL
    }


def test_worker_command_refuses_a_bad_tick(capsys):
    assert cli.main(["worker", "--tick-seconds", "0"]) == 2
    assert "--tick-seconds" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# Racing processes: separate connections on PostgreSQL (SQLite has one writer at a time, so
# there the ticks above are the sequential case).

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
)


def _in_thread(function, results, index, *args):
    try:
        results[index] = function(*args)
    except BaseException as error:  # reported by the test
        results[index] = error
    finally:
        connections.close_all()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_many_ticks_racing_claim_each_run_exactly_once(settings):
    settings.TASKS = DUMMY
    now = timezone.now()
    duties_tick(now=now - timedelta(days=1))  # the rows exist; all are due again at ``now``
    barrier = threading.Barrier(8)

    def tick(number):
        barrier.wait()
        return duties_tick(now=now, by=f"process-{number}")

    results: list = [None] * 8
    threads = [threading.Thread(target=_in_thread, args=(tick, results, n, n)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [r for r in results if isinstance(r, BaseException)], results
    claimed = [name for names in results for name in names]
    assert sorted(claimed) == sorted(ALL)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_tick_waiting_on_another_sees_the_run_claimed(settings):
    """Process A claims inside a transaction it keeps open; B's update waits for A's row
    lock, and once A commits, B re-checks the condition against A's row and claims nothing."""
    from django.db import transaction

    settings.TASKS = DUMMY
    now = timezone.now()
    duties_tick(now=now - timedelta(days=1))  # the rows exist; all are due again at ``now``
    claimed, release = threading.Event(), threading.Event()
    results: list = [None, None]

    def first():
        with transaction.atomic():
            names = duties_tick(now=now, by="A")
            claimed.set()
            release.wait(60)
        return names

    def second():
        return duties_tick(now=now, by="B")

    a = threading.Thread(target=_in_thread, args=(first, results, 0))
    b = threading.Thread(target=_in_thread, args=(second, results, 1))
    a.start()
    assert claimed.wait(60)
    b.start()

    def waiting_on_a_lock() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "select count(*) from pg_stat_activity where datname = current_database() "
                "and wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0]

    deadline = time.monotonic() + 60
    while not waiting_on_a_lock() and b.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert waiting_on_a_lock() == 1  # B is blocked by A, not finished
    release.set()
    a.join()
    b.join()
    assert results[0] == ALL
    assert results[1] == []
    assert set(PeriodicDuty.objects.values_list("claimed_by", flat=True)) == {"A"}


# --------------------------------------------------------------------------------------------
# The duties do their work (the tests' immediate task backend runs a queued task at once).


@pytest.mark.django_db
def test_the_reminders_and_retries_duties_send_what_is_due(
    world, swim_badge, django_capture_on_commit_callbacks
):
    from django.core import mail

    from baeji.awards.services import award_issue
    from baeji.emails.models import Delivery
    from baeji.emails.services import email_settings_update

    with django_capture_on_commit_callbacks(execute=True):
        award = award_issue(
            achievement=swim_badge,
            recipient_email="minjun@learners.example",
            recipient_name="김민준",
            issued_by=world.owner,
        )
        waiting = award_issue(
            achievement=swim_badge,
            recipient_email="seoyeon@learners.example",
            recipient_name="이서연",
            issued_by=world.owner,
        )
    email_settings_update(organization=world.school, reminder_after_days=3, reminder_max=1, by=None)
    Delivery.objects.filter(award=award).update(sent_at=timezone.now() - timedelta(days=4))
    # The other learner's e-mail failed once and its retry time has come.
    Delivery.objects.filter(award=waiting).update(
        status="retrying", sent_at=None, attempts=1, next_attempt_at=timezone.now()
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert {"reminders", "email-retries"} <= set(duties_tick())
    reminder = Delivery.objects.get(award=award, kind="reminder")
    assert reminder.status == "sent"
    assert Delivery.objects.get(award=waiting).status == "sent"
    assert sorted(m.to[0] for m in mail.outbox) == [
        "minjun@learners.example",
        "seoyeon@learners.example",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert duties_tick(now=timezone.now() + timedelta(hours=1, seconds=1)) != []
    assert Delivery.objects.filter(award=award, kind="reminder").count() == 1  # at most one
