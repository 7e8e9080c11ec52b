"""A task worker killed with SIGKILL in the middle of a chunk loses nothing and duplicates
nothing: real ``db_worker`` processes on a file-based SQLite database, driven by the real
``baeji issue-bulk`` command (which queues abandoned chunks again once their lease expires).
"""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.platform.conftest import KEK

ROOT = Path(__file__).resolve().parents[2]
ROWS = 400


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "BAEJI_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.bulk.worker_settings",
        BAEJI_DATA_DIR=str(data_dir),
        BAEJI_KEK=KEK,
        BAEJI_BASE_URL="https://badges.example.org",
        BAEJI_SECRET_KEY="test-secret-key-for-the-crash-test-0123456789",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    return env


def _worker(env: dict[str, str], name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "django",
            "db_worker",
            "--interval",
            "0.05",
            "--no-startup-delay",
            "--no-reload",
            "--worker-id",
            name,
            "--verbosity",
            "0",
        ],
        env=env,
        cwd=ROOT,
    )


def _query(db: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(db, timeout=20)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def _wait_for(predicate, timeout: float = 120.0, step: float = 0.005):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not reached in time")


@pytest.mark.django_db(transaction=False)
def test_sigkill_mid_chunk_then_resume_issues_every_row_exactly_once(tmp_path):
    env = _env(tmp_path)
    db = tmp_path / "baeji.sqlite3"
    subprocess.run([sys.executable, "-m", "tests.bulk.seed_world"], env=env, cwd=ROOT, check=True)
    upload = tmp_path / "learners.csv"
    with upload.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "email", "achievement", "issued_on"])
        for n in range(ROWS):
            email = f"learner{n}@example.kr" if n % 5 else ""
            writer.writerow([f"학습자{n}", email, "reading", "2026-03-02"])
    report = tmp_path / "report.csv"
    command = subprocess.Popen(
        [
            *(sys.executable, "-m", "baeji.cli", "issue-bulk", "--issuer", "school"),
            *(str(upload), "--report", str(report), "--language", "en"),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = second = None
    try:
        _wait_for(lambda: db.exists() and _query(db, "select count(*) from bulk_batchchunk")[0][0])
        first = _worker(env, "first")

        def running_after_progress():
            rows = _query(
                db,
                "select c.id from bulk_batchchunk c join bulk_batch b on b.id = c.batch_id "
                "where c.state = 'running' and b.job_done > 0",
            )
            return rows[0][0] if rows else None

        chunk_id = _wait_for(running_after_progress)
        first.send_signal(signal.SIGKILL)
        first.wait()
        # The worker died holding that chunk: it is still marked running, nothing of it stored.
        state = _query(db, f"select state from bulk_batchchunk where id = {chunk_id}")[0][0]
        issued_before = _query(
            db, "select count(*) from bulk_batchrow where outcome in ('issued','pending_claim')"
        )[0][0]
        assert state in ("running", "done")
        if state == "running":
            lines = _query(
                db,
                f"select first_line, last_line from bulk_batchchunk where id = {chunk_id}",
            )[0]
            stored = _query(
                db,
                "select count(*) from bulk_batchrow where outcome != 'valid' "
                f"and line between {lines[0]} and {lines[1]}",
            )[0][0]
            assert stored == 0
        assert issued_before < ROWS
        second = _worker(env, "second")
        _stdout, stderr = command.communicate(timeout=180)
    finally:
        for process in (first, second, command):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    assert command.returncode == 0, stderr
    awards = _query(db, "select count(*), count(distinct row_key) from awards_award")[0]
    pending = _query(db, "select count(*), count(distinct row_key) from awards_pendingaward")[0]
    assert awards == (ROWS - ROWS // 5, ROWS - ROWS // 5)
    assert pending == (ROWS // 5, ROWS // 5)
    indexes = _query(
        db,
        "select count(*), count(distinct status_list_id || ':' || status_index) from awards_award",
    )[0]
    assert indexes[0] == indexes[1]
    outcomes = dict(_query(db, "select outcome, count(*) from bulk_batchrow group by outcome"))
    assert outcomes == {"issued": ROWS - ROWS // 5, "pending_claim": ROWS // 5}
    assert _query(db, "select status, job_done from bulk_batch")[0] == ("done", ROWS)
    lines = report.read_text("utf-8-sig").splitlines()
    assert lines[0] == "row,outcome,url,error"
    assert len(lines) == ROWS + 1
    if state == "running":
        # The abandoned chunk ran twice (once killed, once to completion): counted once.
        attempts = _query(db, f"select attempts from bulk_batchchunk where id = {chunk_id}")[0][0]
        assert attempts >= 2
