"""The tasks of the periodic duties (see :mod:`baeji.schedule.duties`): each calls a service
and is safe to run twice or at the same time as another copy of itself."""

from django_tasks import task

from baeji.bulk.tasks import CHUNK_PRIORITY

# The stale-chunk sweep goes before the chunks themselves: it is what unblocks a job.
SWEEP_PRIORITY = CHUNK_PRIORITY + 1


@task(priority=SWEEP_PRIORITY)
def requeue_stale_chunks() -> int:
    """Queue again the bulk checks and chunks whose worker died; finish batches left
    unfinished."""
    from baeji.bulk.services import batch_requeue_stale_all

    return batch_requeue_stale_all()


@task()
def retry_due_emails() -> int:
    """Send the e-mails that are queued or whose retry time has come."""
    from baeji.emails.services import deliveries_retry_due

    return deliveries_retry_due()


@task()
def purge_rate_counters() -> int:
    """Delete the claim rate-limit counters whose window is over."""
    from baeji.claims.services import rate_counters_purge

    return rate_counters_purge()


@task()
def prune_duty_results() -> int:
    """Delete the periodic duties' own task results after a week."""
    from baeji.schedule.services import duty_results_prune

    return duty_results_prune()
