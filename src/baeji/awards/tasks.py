"""Background tasks of the awards app: they take ids and call services."""

from django_tasks import task

from baeji.awards.services import award_notify


@task()
def send_award_email(award_id: int) -> bool:
    """Send the award e-mail for ``award_id`` (skipped if already sent)."""
    return award_notify(award_id=award_id)
