"""Benchmark: bulk issuance of a year's badges (52,722 rows) end to end.

Run as ``.venv/bin/python bench/bulk_issue.py [--rows N] [--backend sqlite|postgres|both]``.

For each database it generates a realistic spreadsheet (Korean names, 10 content areas x 4
levels, 90 % at the basic level, a few learners without e-mail), prepares a fresh database
with one institution and its 40 badges, then times ``baeji issue-bulk --workers 2`` as a
separate process: parse, validate, sign, store, status entries and queued notifications. It
prints wall time, credentials per second and the peak memory (RSS high-water mark) of the
command and of each worker, and finally verifies a random sample of 1,000 stored credentials
through one ``baeji verify --jsonl`` call with the DID document and status lists given with
``--resolve``. PostgreSQL: postgres://postgres@127.0.0.1:5432/baeji_bench (created and
dropped by the script).
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BAEJI = str(Path(sys.executable).parent / "baeji")
BASE_URL = "https://bench.baeji.example"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432/baeji_bench"
ISSUER = "training-centre"
AREAS = [
    ("ai", "인공지능"),
    ("data", "데이터"),
    ("coding", "코딩"),
    ("safety", "디지털 안전"),
    ("media", "미디어 리터러시"),
    ("maker", "메이커"),
    ("science", "과학 탐구"),
    ("math", "수학 사고력"),
    ("reading", "독서"),
    ("career", "진로"),
]
LEVELS = [(1, "기초"), (2, "중급"), (3, "심화"), (4, "전문")]
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = "민서준지현우하은도윤예원수아시호유진채연건승재희영"

SEED = """
import django
django.setup()
from django.core.management import call_command
from baeji.achievements.services import achievement_create
from baeji.organizations.services import organization_create
call_command("migrate", interactive=False, verbosity=0)
authority = organization_create(slug="office", name="교육청", kind="authority")
centre = organization_create(slug="{issuer}", name="미래교육연수원", parent=authority)
for area, area_name in {areas!r}:
    for level, level_name in {levels!r}:
        achievement_create(
            organization=centre, slug=f"{{area}}-{{level}}", name=f"{{area_name}} {{level_name}}",
            description=f"{{area_name}} {{level_name}} 과정을 이수했습니다.",
            criteria_md="- 15시간 이상 이수", family=area_name, level=level,
            level_name=level_name,
        )
"""


def generate(path: Path, rows: int, rng: random.Random) -> None:
    """Write the spreadsheet: Korean headers, UTF-8 with BOM as Excel writes it."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["이름", "이메일", "배지", "발급일", "학습자ID"])
        for n in range(rows):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            area = rng.choice(AREAS)[0]
            level = 1 if rng.random() < 0.9 else rng.choice((2, 3, 4))
            email = f"t{n:06d}@school{n % 400}.example.kr" if rng.random() > 0.02 else ""
            day = f"2026-{1 + n % 10:02d}-{1 + n % 27:02d}"
            writer.writerow([name, email, f"{area}-{level}", day, f"T{n:07d}"])


def _peak_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def run_issue(env: dict[str, str], upload: Path, report: Path) -> tuple[float, dict[str, int], str]:
    """Run the command, sampling the peak RSS of it and its workers; returns (s, peaks, err).

    Its stderr (progress lines, and the log lines of the workers, which inherit it) goes to a
    file: a pipe nobody reads while the command runs would fill up and block the writers."""
    errors = report.with_suffix(".stderr")
    started = time.perf_counter()
    with errors.open("w", encoding="utf-8") as stderr_file:
        process = subprocess.Popen(
            [
                BAEJI,
                "issue-bulk",
                "--issuer",
                ISSUER,
                str(upload),
                "--workers",
                "2",
                "--report",
                str(report),
                "--language",
                "en",
            ],
            env=env,
            stderr=stderr_file,
        )
        peaks: dict[str, int] = {}
        names: dict[int, str] = {process.pid: "command"}
        while process.poll() is None:
            for child in _children(process.pid):
                names.setdefault(child, f"worker {len(names)}")
            for pid, name in names.items():
                peaks[name] = max(peaks.get(name, 0), _peak_kib(pid))
            time.sleep(0.1)
    elapsed = time.perf_counter() - started
    stderr = errors.read_text(encoding="utf-8", errors="replace")
    if process.returncode != 0:
        raise SystemExit(f"issue-bulk failed ({process.returncode}):\n{stderr[-3000:]}")
    return elapsed, peaks, stderr


def _rows(env: dict[str, str], sql: str) -> list[tuple]:
    url = env.get("DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://")) as connection:
            return connection.execute(sql).fetchall()
    connection = sqlite3.connect(Path(env["BAEJI_DATA_DIR"]) / "baeji.sqlite3")
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def verify_sample(env: dict[str, str], work: Path, rng: random.Random, size: int) -> str:
    """Verify ``size`` random stored credentials with one ``baeji verify --jsonl`` call."""
    ids = [row[0] for row in _rows(env, "select id from awards_award")]
    chosen = rng.sample(ids, min(size, len(ids)))
    placeholders = ",".join(str(i) for i in chosen)
    credentials = _rows(
        env, f"select credential_json from awards_award where id in ({placeholders})"
    )
    batch = work / "sample.jsonl"
    batch.write_text("".join(row[0] + "\n" for row in credentials), "utf-8")
    document = subprocess.run(
        [sys.executable, "-c", _DID_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    did_file = work / "did.json"
    did_file.write_text(document, "utf-8")
    resolve = ["--resolve", f"{BASE_URL}/issuers/{ISSUER}/did.json={did_file}"]
    for n, (public_id, body) in enumerate(
        _rows(env, "select public_id, credential_json from awards_statuslist")
    ):
        path = work / f"status-{n}.json"
        path.write_text(body, "utf-8")
        resolve += ["--resolve", f"{BASE_URL}/issuers/{ISSUER}/status/{public_id}={path}"]
    started = time.perf_counter()
    result = subprocess.run(
        [BAEJI, "verify", "--jsonl", "--json", *resolve, str(batch)],
        capture_output=True,
        text=True,
        env=env,
    )
    elapsed = time.perf_counter() - started
    valid = invalid = 0
    for line in result.stdout.splitlines():
        if not line.strip():
            continue
        report = json.loads(line)
        if report.get("valid"):
            valid += 1
        else:
            invalid += 1
            if invalid == 1:
                print("    first failure:", json.dumps(report, ensure_ascii=False)[:1500])
    return (
        f"{valid}/{len(credentials)} valid, {invalid} invalid "
        f"(baeji verify exit {result.returncode}, {elapsed:.1f} s)"
    )


_DID_SCRIPT = f"""
import django, json
django.setup()
from baeji.organizations.models import Organization
from baeji.keystore.selectors import did_document_for_organization
print(json.dumps(did_document_for_organization(Organization.objects.get(slug={ISSUER!r}))))
"""


def bench(backend: str, rows: int, upload: Path, work: Path) -> None:
    """Prepare a fresh database, run the command, print the figures, verify a sample."""
    data_dir = work / backend
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "BAEJI_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="baeji.settings",
        BAEJI_DATA_DIR=str(data_dir),
        BAEJI_KEK=base64.urlsafe_b64encode(bytes(range(32))).decode(),
        BAEJI_SECRET_KEY="bench-secret-key-0123456789-0123456789-0123456789",
        BAEJI_BASE_URL=BASE_URL,
    )
    if backend == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS baeji_bench")
            admin.execute("CREATE DATABASE baeji_bench")
        env["DATABASE_URL"] = PG_URL
    try:
        code = SEED.format(issuer=ISSUER, areas=AREAS, levels=LEVELS)
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        report = work / f"report-{backend}.csv"
        elapsed, peaks, stderr = run_issue(env, upload, report)
        issued = _rows(env, "select count(*) from awards_award")[0][0]
        pending = _rows(env, "select count(*) from awards_pendingaward")[0][0]
        queued = _rows(
            env,
            "select count(*) from django_tasks_database_dbtaskresult "
            "where task_path = 'baeji.bulk.tasks.notify_awards'",
        )[0][0]
        phases = _rows(
            env, "select created_at, started_at, finished_at from bulk_batch order by id desc"
        )[0]
        print(f"\n{backend}: {rows} rows")
        print(f"  wall time (command start to exit): {elapsed:.1f} s")
        print(f"  credentials signed and stored: {issued} (+ {pending} pending claim codes)")
        print(f"  credentials per second (wall): {issued / elapsed:.0f}")
        print(f"  phases: {_phases(phases)}")
        print(f"  notification tasks queued: {queued}")
        for name, kib in sorted(peaks.items()):
            print(f"  peak RSS {name}: {kib / 1024:.0f} MB")
        print(f"  report lines: {sum(1 for _ in report.open(encoding='utf-8-sig')) - 1}")
        progress = [line for line in stderr.splitlines() if line.startswith("Issuing ")]
        print(f"  last progress line: {progress[-1] if progress else 'none'}")
        print("  verify sample:", verify_sample(env, data_dir, random.Random(7), 1000))
    finally:
        if backend == "postgres":
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute("DROP DATABASE IF EXISTS baeji_bench WITH (FORCE)")


def _phases(row: tuple) -> str:
    from datetime import datetime

    def parse(value):
        if isinstance(value, str):
            return datetime.fromisoformat(value)
        return value

    created, started, finished = (parse(v) for v in row)
    if not (created and started and finished):
        return "n/a"
    return (
        f"parse+validate {(started - created).total_seconds():.1f} s, "
        f"issue with 2 workers {(finished - started).total_seconds():.1f} s"
    )


def main() -> None:
    """Parse the arguments and run the benchmark for each chosen database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=52_722)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="baeji-bulk-bench-"))
    try:
        upload = work / "learners.csv"
        generate(upload, args.rows, random.Random(2026))
        print(f"file: {upload.stat().st_size / 1e6:.1f} MB, {args.rows} rows")
        backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
        for backend in backends:
            bench(backend, args.rows, upload, work)
    finally:
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
