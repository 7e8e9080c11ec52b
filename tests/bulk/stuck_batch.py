"""Prepare a file-based database with a stuck job, for the ``baeji worker`` test (run as a
separate process): ``python -m tests.bulk.stuck_batch ROWS``.

Seeds the world of :mod:`tests.bulk.seed_world`, submits a batch of ROWS rows (one chunk
with the worker settings) as the web page would, then plays a worker that took the chunk's
task and was SIGKILLed: the task stays ``RUNNING`` (django-tasks never runs it again) and the
chunk ``running`` with a lease that is over.
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import timedelta


def main(rows: int) -> None:
    """Seed, submit, and leave the job stuck."""
    from tests.bulk.seed_world import main as seed

    seed()  # also sets Django up
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from baeji.bulk.models import BatchChunk
    from baeji.bulk.services import batch_create, batch_submit, batch_validate
    from baeji.organizations.models import Organization

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "achievement", "issued_on"])
    for n in range(rows):
        writer.writerow([f"학습자{n}", f"learner{n}@example.kr", "reading", "2026-03-02"])
    school = Organization.objects.get(slug="school")
    batch = batch_create(
        organization=school, filename="stuck.csv", data=out.getvalue().encode(), validate=False
    )
    batch = batch_validate(batch_id=batch.pk)
    batch_submit(batch=batch, direct=True)
    chunks = BatchChunk.objects.filter(batch=batch)
    assert chunks.count() == 1, "the worker settings make one chunk of this batch"
    tasks = DBTaskResult.objects.filter(task_path="baeji.bulk.tasks.issue_chunk")
    assert tasks.count() == 1
    now = timezone.now()
    tasks.update(status="RUNNING", started_at=now, worker_ids=["killed"])
    chunks.update(state="running", attempts=1, lease_until=now - timedelta(seconds=1))


if __name__ == "__main__":
    main(int(sys.argv[1]))
