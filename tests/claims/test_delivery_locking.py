"""Sending an e-mail holds no database lock: the delivery is claimed in one short
transaction, sent with none open, and its outcome recorded in another. Two workers never send
one try twice; a worker that dies after the send leaves the delivery to the retry sweep once
its lease is over (at least once); failures are recorded with backoff and retried, the bulk
review e-mail included."""

from __future__ import annotations

import os
import select
import socket
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django.utils import timezone

from baeji.emails.models import Delivery
from baeji.emails.services import (
    LOST_TRY,
    _delivery_claim,
    _delivery_record,
    deliveries_retry_due,
    delivery_attempt,
)
from tests.bulk.conftest import badges  # noqa: F401 - the fixture of the review test
from tests.claims import flaky_backend
from tests.claims.gate_backend import GATE, PORT_VARIABLE, Killed
from tests.platform.conftest import KEK

ROOT = Path(__file__).resolve().parents[2]
GATED = "tests.claims.gate_backend.GateBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
)


@pytest.fixture
def gate(settings):
    """The gated mail server for worker threads: closed, nothing sent yet."""
    settings.EMAIL_BACKEND = GATED
    GATE.reset()
    mail.outbox = []
    yield GATE
    GATE.release.set()  # never leave a worker thread waiting


def _delivery(to: str = "minjun@learners.example") -> Delivery:
    return Delivery.objects.create(to=to, subject="배지가 도착했습니다", body_text="축하합니다.")


def _in_thread(function, results, index, *args):
    try:
        results[index] = function(*args)
    except BaseException as error:  # reported by the test
        results[index] = error
    finally:
        connections.close_all()


def _tries(delivery: Delivery) -> list[tuple[int, bool, str]]:
    return [(a.number, a.ok, a.error) for a in delivery.attempt_log.order_by("number", "pk")]


# --------------------------------------------------------------------------------------------
# Worker processes on a file-based SQLite database (the embedded default, IMMEDIATE
# transactions): while one sends, the database takes writes and a second worker skips it.


def _env(data_dir: Path, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "BAEJI_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.claims.sender_settings",
        BAEJI_DATA_DIR=str(data_dir),
        BAEJI_KEK=KEK,
        BAEJI_BASE_URL="https://badges.example.org",
        BAEJI_SECRET_KEY="test-secret-key-for-the-locking-test-0123456789",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    env[PORT_VARIABLE] = str(port)
    return env


def _sender(env, *args) -> list[str]:
    return [sys.executable, "-m", "tests.claims.locking_sender", *args]


@pytest.mark.django_db
def test_on_sqlite_the_database_takes_writes_while_a_worker_waits_for_the_mail_server(
    tmp_path,
):
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(120)
    env = _env(tmp_path, server.getsockname()[1])
    db = tmp_path / "baeji.sqlite3"
    seeded = subprocess.run(
        _sender(env, "seed"), env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    delivery_id = seeded.stdout.split()[-1]
    first = subprocess.Popen(
        _sender(env, "attempt", delivery_id),
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        gate, _address = server.accept()  # the first worker is talking to the mail server
        with gate:
            report = gate.makefile("r", encoding="utf-8").readline().split()
            # Another connection writes meanwhile (IMMEDIATE takes the write lock at BEGIN; it
            # would wait out its busy timeout and fail if the worker held the lock).
            other = sqlite3.connect(db, timeout=5, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute(
                    "update emails_delivery set opened_at = '2026-03-02 09:00:00' where id = ?",
                    (delivery_id,),
                )
                other.execute("COMMIT")
                state = other.execute(
                    "select status, attempts from emails_delivery where id = ?", (delivery_id,)
                ).fetchone()
            finally:
                other.close()
            assert state == ("sending", 1)
            assert report == ["sending", "minjun@learners.example", "0"]  # no transaction open
            # A second worker trying the same delivery now leaves it to the first.
            second = subprocess.run(
                _sender(env, "attempt", delivery_id),
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert second.returncode == 0, second.stderr
            assert second.stdout.split()[-1] == "sending"
            assert select.select([server], [], [], 0)[0] == []  # it never reached the server
            gate.sendall(b"go\n")
            out, err = first.communicate(timeout=120)
    finally:
        server.close()
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, err
    assert out.split()[-1] == "sent"
    check = sqlite3.connect(db)
    try:
        assert check.execute("select count(*) from emails_outboxmessage").fetchone() == (1,)
        assert check.execute(
            "select status, attempts, opened_at is not null from emails_delivery where id = ?",
            (delivery_id,),
        ).fetchone() == ("sent", 1, 1)
        assert check.execute(
            "select number, ok from emails_deliveryattempt where delivery_id = ?", (delivery_id,)
        ).fetchall() == [(1, 1)]
    finally:
        check.close()


# --------------------------------------------------------------------------------------------
# Worker threads on the test database


@pytest.mark.django_db(transaction=True)
def test_the_mail_server_is_talked_to_outside_any_transaction(gate):
    delivery = _delivery()
    gate.release.set()
    assert delivery_attempt(delivery_id=delivery.pk).status == "sent"
    assert gate.in_transaction == [False]
    assert [m.to for m in mail.outbox] == [["minjun@learners.example"]]


@pytest.mark.django_db(transaction=True)
def test_while_a_worker_sends_its_row_takes_writes_and_a_second_worker_skips_it(gate):
    delivery = _delivery()
    results: list = [None]
    first = threading.Thread(
        target=_in_thread,
        args=(lambda: delivery_attempt(delivery_id=delivery.pk), results, 0),
    )
    first.start()
    try:
        assert gate.entered.wait(120)
        # NOWAIT fails at once if the row is locked (PostgreSQL; SQLite has no row locks, and
        # the write would wait for the database's write lock, then fail).
        with transaction.atomic():
            row = Delivery.objects.select_for_update(nowait=True).get(pk=delivery.pk)
            assert (row.status, row.attempts) == ("sending", 1)
            Delivery.objects.filter(pk=delivery.pk).update(opened_at=timezone.now())
        second = delivery_attempt(delivery_id=delivery.pk)
        assert (second.status, second.attempts) == ("sending", 1)
        assert gate.in_transaction == [False]  # only the first worker reached the server
    finally:
        gate.release.set()
        first.join()
    assert not isinstance(results[0], BaseException), results[0]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert delivery.opened_at is not None
    assert len(mail.outbox) == 1 and _tries(delivery) == [(1, True, "")]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_many_workers_racing_for_one_delivery_send_it_once(gate):
    delivery = _delivery()
    gate.release.set()
    barrier = threading.Barrier(8)

    def attempt():
        barrier.wait()
        return delivery_attempt(delivery_id=delivery.pk).status

    results: list = [None] * 8
    threads = [threading.Thread(target=_in_thread, args=(attempt, results, n)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert set(results) <= {"sending", "sent"} and "sent" in results
    assert len(mail.outbox) == 1 and len(gate.in_transaction) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and _tries(delivery) == [(1, True, "")]


# --------------------------------------------------------------------------------------------
# Failures, backoff and leases


@pytest.mark.django_db(transaction=True)
def test_a_failure_is_recorded_with_backoff_and_retried_by_the_sweep(gate, settings):
    settings.BAEJI_EMAIL_RETRY_BASE_SECONDS = 60
    delivery = _delivery()
    gate.fail = True
    gate.release.set()
    now = timezone.now()
    failed = delivery_attempt(delivery_id=delivery.pk, now=now)
    assert (failed.status, failed.attempts) == ("retrying", 1)
    assert failed.next_attempt_at == now + timedelta(seconds=60)
    assert failed.last_error == "ConnectionResetError: mail server hung up"
    assert mail.outbox == []
    assert deliveries_retry_due(now=now + timedelta(seconds=59)) == 0
    gate.fail = False
    assert deliveries_retry_due(now=now + timedelta(seconds=60)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("sent", 2, None)
    assert _tries(delivery) == [
        (1, False, "ConnectionResetError: mail server hung up"),
        (2, True, ""),
    ]
    assert gate.in_transaction == [False, False]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_worker_killed_after_the_send_leaves_it_to_the_sweep_once_its_lease_is_over(settings):
    """At least once: the mail server had the message, the worker died before recording it;
    after the lease the sweep sends it again (a duplicate beats a lost e-mail)."""
    settings.BAEJI_EMAIL_LEASE_SECONDS = 600
    settings.EMAIL_BACKEND = "tests.claims.gate_backend.KilledAfterSendBackend"
    mail.outbox = []
    delivery = _delivery()
    now = timezone.now()
    with pytest.raises(Killed):
        delivery_attempt(delivery_id=delivery.pk, now=now)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sending", 1)
    assert delivery.next_attempt_at == now + timedelta(seconds=600)
    assert _tries(delivery) == [] and len(mail.outbox) == 1
    settings.EMAIL_BACKEND = LOCMEM
    # Still within the lease: the worker may only be slow.
    deliveries_retry_due(now=now + timedelta(seconds=599))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sending", 1)
    deliveries_retry_due(now=now + timedelta(seconds=600))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert _tries(delivery) == [(1, False, LOST_TRY), (2, True, "")]
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_lost_last_try_fails_the_delivery_without_sending_again(settings):
    settings.BAEJI_EMAIL_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = "tests.claims.gate_backend.KilledAfterSendBackend"
    mail.outbox = []
    delivery = _delivery()
    now = timezone.now()
    with pytest.raises(Killed):
        delivery_attempt(delivery_id=delivery.pk, now=now)
    settings.EMAIL_BACKEND = LOCMEM
    deliveries_retry_due(now=now + timedelta(days=1))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 1, None)
    assert delivery.last_error == LOST_TRY and _tries(delivery) == [(1, False, LOST_TRY)]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_late_report_cannot_undo_a_later_try_but_a_late_success_counts(settings):
    settings.BAEJI_EMAIL_LEASE_SECONDS = 600
    delivery = _delivery()
    now = timezone.now()
    assert _delivery_claim(delivery_id=delivery.pk, now=now) == 1
    assert _delivery_claim(delivery_id=delivery.pk, now=now) is None  # held by the first
    later = now + timedelta(seconds=600)
    assert _delivery_claim(delivery_id=delivery.pk, now=later) == 2  # the first's lease is over
    _delivery_record(delivery_id=delivery.pk, number=2, at=later, error="SMTPError: busy")
    delivery.refresh_from_db()
    retry_at = delivery.next_attempt_at
    assert (delivery.status, delivery.last_error) == ("retrying", "SMTPError: busy")
    # The first worker finally reports its failure: logged, the delivery left as it is.
    _delivery_record(delivery_id=delivery.pk, number=1, at=later, error="TimeoutError: slow")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        "retrying",
        2,
        retry_at,
    )
    assert delivery.last_error == "SMTPError: busy"
    # Had it reported success instead, the e-mail did go out: the delivery is sent.
    _delivery_record(delivery_id=delivery.pk, number=1, at=later, error="")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.next_attempt_at) == ("sent", None)
    assert [(n, ok) for n, ok, _e in _tries(delivery)] == [
        (1, False),
        (1, False),
        (1, True),
        (2, False),
    ]


# --------------------------------------------------------------------------------------------
# The bulk review e-mail is a delivery too


@pytest.mark.django_db
@pytest.mark.usefixtures("badges")
def test_a_failed_review_email_is_logged_and_retried(
    client, world, settings, django_capture_on_commit_callbacks
):
    from baeji.bulk.services import batch_review, batch_submit
    from baeji.bulk.tasks import review_email
    from tests.bulk.test_second_reading import LEARNERS, _checked

    settings.EMAIL_BACKEND = "tests.claims.flaky_backend.FailTwiceBackend"
    settings.BAEJI_EMAIL_RETRY_BASE_SECONDS = 60
    flaky_backend.FAILURES["left"] = 1
    mail.outbox = []
    batch = _checked(world, LEARNERS)
    batch_submit(batch=batch, by=world.member)
    with django_capture_on_commit_callbacks(execute=True):
        batch_review(batch=batch, by=world.authority_admin, approve=False, comment="날짜 확인")
    review = Delivery.objects.get(kind="bulk_review")
    assert review.to == "member@school.example" and review.organization == world.school
    assert (review.status, review.attempts) == ("retrying", 1)
    assert "날짜 확인" in review.body_text and "날짜 확인" in review.body_html
    assert mail.outbox == []
    # Shown with its failure in the institution's e-mail log.
    client.force_login(world.member)
    page = client.get("/orgs/school/emails").content.decode()
    assert "member@school.example" in page and "mail server unavailable" in page
    # The task run again (say, by a second worker) queues nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        review_email.call(batch.pk)
    assert Delivery.objects.filter(kind="bulk_review").count() == 1
    deliveries_retry_due(now=review.next_attempt_at)
    review.refresh_from_db()
    assert (review.status, review.attempts) == ("sent", 2)
    assert [m.to for m in mail.outbox] == [["member@school.example"]]
    assert "날짜 확인" in mail.outbox[0].body
