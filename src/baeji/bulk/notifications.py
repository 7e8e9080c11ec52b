"""E-mails of bulk issuance (one function per e-mail, like baeji.emails.messages)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

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

    Sent to whoever submitted and uploaded the batch and to the institution's address, in the
    language of the batch. Returns the number of messages sent.
    """
    batch = Batch.objects.select_related(
        "organization", "organization__parent", "submitted_by", "uploaded_by", "reviewed_by"
    ).get(pk=batch_id)
    recipients = _recipients(batch)
    if not recipients:
        return 0
    language = batch.language if batch.language in ("ko", "en") else "ko"
    context = {
        "batch": batch,
        "approved": batch.status != Batch.Status.REJECTED,
        "institution_name": batch.organization.name,
        "authority_name": batch.organization.parent.name if batch.organization.parent else "",
        "comment": batch.review_comment,
        "batch_url": links.absolute(reverse("bulk-batch", args=[batch.public_id])),
        "BASE_URL": settings.BASE_URL,
        "LANGUAGE_CODE": language,
    }
    with translation.override(language):
        subject = " ".join(render_to_string("bulk/emails/review-subject.txt", context).split())
        text = render_to_string("bulk/emails/review-body.txt", context)
        html = render_to_string("bulk/emails/review-body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
    message.attach_alternative(html, "text/html")
    return message.send()
