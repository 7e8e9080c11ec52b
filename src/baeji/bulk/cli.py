"""``baeji issue-bulk``: issue a spreadsheet of badges from the command line.

Registered by :mod:`baeji.platform_cli`. The command stores the file as a batch, checks every
row, and (unless ``--dry-run`` or rows are invalid without ``--skip-invalid``) queues the
issuing job and waits for it with a progress bar. ``--workers N`` starts N local task workers
for the job so that it also runs where no server (and no ``db_worker``) is running.

Exit status: 0 when no row is invalid, 1 when some row is invalid (whatever was issued), 2
when the command could not run (unknown issuer, unreadable file, columns to map...) or the job
did not finish (it failed, or was cancelled from the web pages).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

POLL_SECONDS = 0.5
REQUEUE_EVERY_SECONDS = 5.0


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def format_duration(seconds: float | None) -> str:
    """``1m05s`` style, or ``--`` when unknown."""
    if seconds is None:
        return "--"
    seconds = round(seconds)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


class ProgressBar:
    """done / total / rate / ETA / errors on one terminal line (a line every few seconds if not
    a tty)."""

    def __init__(self, label: str, stream=None, width: int = 30) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = self.stream.isatty()
        self.last_line = 0.0

    def update(
        self,
        done: int,
        total: int,
        rate: float,
        eta: float | None,
        *,
        errors: int = 0,
        final: bool = False,
    ) -> None:
        """Redraw the bar (throttled when the output is not a terminal)."""
        now = time.monotonic()
        if not self.tty and not final and now - self.last_line < 5:
            return
        self.last_line = now
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        percent = 100 * done / total if total else 100.0
        text = (
            f"{self.label} [{bar}] {done}/{total} {percent:5.1f}% "
            f"{rate:7.1f}/s ETA {format_duration(eta)}"
        )
        if errors:
            text += f" {errors} error{'s' if errors != 1 else ''}"
        if self.tty:
            self.stream.write("\r" + text + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def start_workers(count: int) -> list[subprocess.Popen]:
    """Start ``count`` ``db_worker`` processes with this process's settings."""
    workers = []
    for number in range(count):
        workers.append(
            subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
                [
                    sys.executable,
                    "-m",
                    "django",
                    "db_worker",
                    "--interval",
                    "0.2",
                    "--no-startup-delay",
                    "--no-reload",
                    "--worker-id",
                    f"issue-bulk-{os.getpid()}-{number}",
                    "--verbosity",
                    "0",
                ]
            )
        )
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    """Ask the workers to stop after their current task, then wait (kill after 30 s)."""
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _write_report(batch, path: str | None, language: str) -> None:
    if not path:
        return
    from baeji.bulk.services import report_rows
    from baeji.bulk.spreadsheet import write_report

    with open(path, "wb") as out:
        count = write_report(report_rows(batch, language=language), out)
    _say(f"Report: {path} ({count} rows)")


def _summary(batch) -> str:
    return (
        f"{batch.total_rows} rows: {batch.valid_rows} ready "
        f"({batch.pending_rows} without e-mail, issued as claim codes), "
        f"{batch.already_rows} already issued, {batch.invalid_rows} invalid."
    )


def _print_invalid(batch, language: str, limit: int = 20) -> None:
    from baeji.bulk.selectors import invalid_rows

    key = "ko" if language == "ko" else "en"
    for row in invalid_rows(batch, limit=limit):
        _say(f"  row {row.line}: " + " / ".join(item[key] for item in row.errors))
    if batch.invalid_rows > limit:
        _say(f"  ... and {batch.invalid_rows - limit} more (see --report).")


def run(args: argparse.Namespace, django_setup) -> int:
    """The ``issue-bulk`` command; ``django_setup(data_dir)`` configures Django."""
    django_setup(args.data_dir)
    from baeji.bulk.services import issuable_achievements, limits
    from baeji.organizations.models import Organization

    organization = Organization.objects.select_related("parent").filter(slug=args.issuer).first()
    if organization is None:
        _say(f"No issuer with the slug {args.issuer!r}.")
        return 2
    path = Path(args.file)
    if not path.is_file():
        _say(f"No file {args.file!r}.")
        return 2
    max_bytes = limits()["max_bytes"]
    if path.stat().st_size > max_bytes:
        _say(
            f"{path.name} is {path.stat().st_size:,} bytes; the limit is {max_bytes:,} bytes "
            "(BAEJI_BULK_MAX_BYTES). Split the file into smaller ones."
        )
        return 2
    achievement = None
    if args.achievement:
        achievement = issuable_achievements(organization).get(args.achievement)
        if achievement is None:
            _say(f"{args.issuer!r} cannot issue a badge {args.achievement!r}.")
            return 2
    # The workers start while the file is checked: their start-up overlaps the checking.
    workers = start_workers(args.workers) if args.workers and not args.dry_run else []
    try:
        return _check_and_issue(args, organization, path, achievement, workers)
    finally:
        stop_workers(workers)


def _check_and_issue(args, organization, path: Path, achievement, workers) -> int:
    from baeji.bulk.models import Batch, BatchRow
    from baeji.bulk.selectors import outcome_counts, progress
    from baeji.bulk.services import (
        BulkError,
        batch_create,
        batch_requeue_stale,
        batch_submit,
        batch_validate,
    )
    from baeji.bulk.spreadsheet import SpreadsheetError

    language = args.language
    try:
        batch = batch_create(
            organization=organization,
            filename=path.name,
            data=path.read_bytes(),
            default_achievement=achievement,
            language=language,
            validate=False,
        )
    except SpreadsheetError as error:
        _say(error.message(language))
        return 2
    except BulkError as error:
        _say(str(error))
        return 2
    if batch.status == Batch.Status.MAPPING:
        known = set(batch.mapping)
        unknown = [h for h in batch.headers if h.strip() and h.strip() not in known]
        _say(
            "Some columns are not template columns: "
            + ", ".join(repr(h) for h in unknown)
            + ". Rename them to the template's headers (see the downloadable template) "
            "or map them once in the web interface; the choice is remembered."
        )
        return 2
    checking = ProgressBar("Checking")

    def checked(count: int) -> None:
        checking.update(count, count, 0.0, None)

    batch = batch_validate(batch_id=batch.pk, progress=checked)
    if batch.status == Batch.Status.FAILED:
        _say(batch.error)
        return 2
    if batch.status == Batch.Status.VALIDATING:
        # This process stalled past its checking lease and a worker's sweep queued the check
        # again: the worker finishes it.
        _say(f"The check of {batch.public_id} was taken over by a task worker; see its page.")
        return 2
    if batch.status != Batch.Status.VALIDATED:
        _say(f"The upload was {batch.status} while it was checked; nothing was issued.")
        return 2
    _say(_summary(batch))
    if batch.invalid_rows:
        _print_invalid(batch, language)
    status = 1 if batch.invalid_rows else 0
    if args.dry_run:
        _say("Dry run: nothing was issued.")
        _write_report(batch, args.report, language)
        return status
    if batch.invalid_rows and not args.skip_invalid:
        _say(
            "Nothing was issued because some rows are invalid "
            "(use --skip-invalid to issue the rest)."
        )
        _write_report(batch, args.report, language)
        return status
    if not batch.valid_rows:
        _say("Nothing to issue.")
        _write_report(batch, args.report, language)
        return status
    batch = batch_submit(batch=batch, skip_invalid=args.skip_invalid, direct=True)
    bar = ProgressBar("Issuing")
    last_requeue = time.monotonic()
    try:
        while True:
            batch = Batch.objects.defer("content").get(pk=batch.pk)
            info = progress(batch)
            numbers = (info["done"], info["total"], info["rate"], info["eta"])
            bar.update(*numbers, errors=info["errors"])
            if info["finished"]:
                bar.update(*numbers, errors=info["errors"], final=True)
                break
            if time.monotonic() - last_requeue > REQUEUE_EVERY_SECONDS:
                last_requeue = time.monotonic()
                if batch_requeue_stale(batch=batch):
                    _say("A worker stopped in the middle of a chunk; it was queued again.")
            if workers and all(worker.poll() is not None for worker in workers):
                _say("All workers stopped before the job finished.")
                return 2
            time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        _say(
            f"\nInterrupted. The job {batch.public_id} stays queued; "
            "a running db_worker finishes it."
        )
        return 2
    counts = outcome_counts(batch)
    issued = counts.get(BatchRow.Outcome.ISSUED, 0)
    pending = counts.get(BatchRow.Outcome.PENDING, 0)
    _say(
        f"Issued {issued} credentials and {pending} claim codes ({batch.status})."
        + (f" {batch.job_errors} rows were not issued." if batch.job_errors else "")
    )
    _write_report(batch, args.report, language)
    if batch.status != Batch.Status.DONE:
        # Failed, or cancelled from the web pages: the job did not do what was asked.
        _say(batch.error or f"The job was {batch.status}; what was issued stays issued.")
        return 2
    if batch.job_errors:
        return 1
    return status


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``issue-bulk``."""
    parser.add_argument("file", help="a CSV (UTF-8, UTF-8 with BOM or CP949) or XLSX file")
    parser.add_argument("--issuer", required=True, help="the issuing organization's slug")
    parser.add_argument(
        "--achievement", help="the badge's slug for rows without an achievement column"
    )
    parser.add_argument("--dry-run", action="store_true", help="check every row, issue nothing")
    parser.add_argument(
        "--skip-invalid", action="store_true", help="issue the valid rows even if some are invalid"
    )
    parser.add_argument("--report", help="write row,outcome,url,error for every row to this CSV")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="start N local task workers for the job (default: rely on a running db_worker)",
    )
    parser.add_argument("--language", choices=["ko", "en"], default="ko", help="of messages")
    parser.add_argument("--data-dir")
