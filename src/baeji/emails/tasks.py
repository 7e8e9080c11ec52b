"""Background tasks of the emails app: they take ids and call services."""

from django_tasks import task

from baeji.emails.services import delivery_attempt, reminders_send


@task()
def deliver_email(delivery_id: int) -> str:
    """Try to send delivery ``delivery_id`` once (retries are scheduled by the service)."""
    delivery = delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery else "missing"


@task()
def send_reminders() -> int:
    """Queue the reminders that are due for every issuer."""
    return reminders_send()
