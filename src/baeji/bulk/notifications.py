"""E-mails of bulk issuance (one function per e-mail, like baeji.emails.messages).

They are deliveries of the emails app: rendered once, sent by the e-mail worker with retries,
and listed in the institution's e-mail log with each try.
"""

from __future__ import annotations

from django.urls import reverse

from baeji.bulk.models import Batch
from baeji.core import links


def _recipients(batch: Batch) -> list[str]:
    addresses = []
    for user in (batch.submitted_by, batch.uploaded_by):
        if user is not None and user.email and user.email not in addresses:
            addresses.append(user.email)
    if batch.organization.email and batch.organization.email not in addresses:
        addresses.append(batch.organization.email)
    return addresses


def send_review_email(batch_id: int) -> int:
    """Tell the institution that its issuance request was approved or rejected.

    One e-mail to each of whoever submitted and uploaded the batch and the institution's
    address, in the language of the batch, queued as deliveries of kind ``bulk_review`` (sent
    after commit, retried on failure, shown in the institution's e-mail log). Safe to run
    twice: each recipient's e-mail is queued once per batch. Returns how many there are.
    """
    from django.db import transaction

    from baeji.emails.models import Delivery
    from baeji.emails.services import delivery_queue

    batch = Batch.objects.select_related(
        "organization", "organization__parent", "submitted_by", "uploaded_by", "reviewed_by"
    ).get(pk=batch_id)
    recipients = _recipients(batch)
    language = batch.language if batch.language in ("ko", "en") else "ko"
    context = {
        "batch": batch,
        "approved": batch.status != Batch.Status.REJECTED,
        "institution_name": batch.organization.name,
        "authority_name": batch.organization.parent.name if batch.organization.parent else "",
        "comment": batch.review_comment,
        "batch_url": links.absolute(reverse("bulk-batch", args=[batch.public_id])),
    }
    with transaction.atomic():
        for to in recipients:
            delivery_queue(
                template="bulk/emails/review",
                to=to,
                context=context,
                language=language,
                kind=Delivery.Kind.BULK_REVIEW,
                organization=batch.organization,
                target=batch,
                key=f"bulk-review:{batch.pk}:{to.lower()}",
            )
    return len(recipients)
