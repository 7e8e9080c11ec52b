"""Prepare a file-based database with an upload waiting to be checked, for the crash test of
the checking step (run as a separate process): ``python -m tests.bulk.checking_batch ROWS``.

Seeds the world of :mod:`tests.bulk.seed_world` and uploads a file of ROWS rows as the web
page does: the batch is ``validating`` and its ``validate_batch`` task is queued in the
database for a worker to take.
"""

from __future__ import annotations

import csv
import io
import sys


def main(rows: int) -> None:
    """Seed and upload."""
    from tests.bulk.seed_world import main as seed

    seed()  # also sets Django up
    from django_tasks_db.models import DBTaskResult

    from baeji.bulk.models import Batch
    from baeji.bulk.services import batch_create
    from baeji.organizations.models import Organization

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "achievement", "issued_on"])
    for n in range(rows):
        # Every tenth row is invalid, every fifth has no e-mail (a claim code).
        email = "not-an-address" if n % 10 == 9 else (f"learner{n}@example.kr" if n % 5 else "")
        writer.writerow([f"학습자{n}", email, "reading", "2026-03-02"])
    school = Organization.objects.get(slug="school")
    batch = batch_create(organization=school, filename="big.csv", data=out.getvalue().encode())
    assert batch.status == Batch.Status.VALIDATING
    tasks = DBTaskResult.objects.filter(task_path="baeji.bulk.tasks.validate_batch")
    assert tasks.count() == 1, "the upload queued its check in the database"


if __name__ == "__main__":
    main(int(sys.argv[1]))
