"""Background tasks of bulk issuance: they take ids and call services (safe to run twice)."""

from django_tasks import task

from baeji.awards.services import award_notify
from baeji.bulk import services

# Issuing goes before e-mails, so that a large batch is finished (and its progress bar full)
# before the worker spends time on its e-mails.
CHUNK_PRIORITY = 10
NOTIFY_PRIORITY = -10


@task()
def validate_batch(batch_id: int) -> str:
    """Check every row of an uploaded batch (one run at a time: see ``batch_validate``)."""
    return services.batch_validate(batch_id=batch_id).status


@task(priority=CHUNK_PRIORITY)
def issue_chunk(chunk_id: int) -> str:
    """Issue one chunk of a batch (idempotent; see ``batch_issue_chunk``).

    A failure (say, a database lock timeout) queues the chunk again a few times before the
    batch is marked failed.
    """
    try:
        return services.batch_issue_chunk(chunk_id=chunk_id)
    except Exception as error:
        services.batch_chunk_failed(chunk_id=chunk_id, error=error)
        raise


@task()
def review_email(batch_id: int) -> int:
    """Queue the e-mails that tell the institution its request was approved or rejected
    (deliveries: the e-mail worker sends and retries them); returns how many."""
    from baeji.bulk.notifications import send_review_email

    return send_review_email(batch_id)


@task(priority=NOTIFY_PRIORITY)
def notify_awards(award_ids: list[int]) -> int:
    """Send the award e-mails of one chunk; already sent ones are skipped, and so are those
    of API items sent with ``notify: false``."""
    quiet = services.batch_quiet_awards(award_ids)
    return sum(award_notify(award_id=award_id) for award_id in award_ids if award_id not in quiet)
