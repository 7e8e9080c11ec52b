"""Learner accounts, created on first sign-in through a claim link."""

from __future__ import annotations

import json
import re

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from baeji.audit.services import audit_record
from baeji.core.ids import new_public_id


@transaction.atomic
def user_get_or_create_for_email(*, email: str, name: str = "", verified: bool = True) -> object:
    """The account owning the address ``email``, created if there is none.

    ``verified`` says whether the caller has proved the address (a claim link sent to it);
    sign-in by e-mailed code passes False and allauth verifies the address when the code is
    entered.
    """
    User = get_user_model()
    email = email.strip().lower()
    address = EmailAddress.objects.select_related("user").filter(email__iexact=email).first()
    if address:
        if verified and not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])
        return address.user
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            username=f"u-{new_public_id(12)}", email=email, first_name=name[:150]
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        audit_record(action="user.create", actor=user, target=None, data={"email": email})
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


DELETED_NAME = "[deleted]"
# Where e-mails to a deleted account are recorded as having gone (".invalid" never resolves).
DELETED_ADDRESS = "deleted@deleted.invalid"


@transaction.atomic
def claim_link_answer(*, award, decision: str):
    """A learner follows an award e-mail's link: the account of its address (made if need
    be) gets the award with their answer (``accepted`` or ``declined``), and every other
    award sent to that address joins the account, undecided. All or nothing; returns the
    account."""
    from baeji.awards.models import Award
    from baeji.awards.services import award_claim
    from baeji.backpack.services import decision_set

    user = user_get_or_create_for_email(email=award.recipient_email, name=award.recipient_name)
    award_claim(award=award, user=user)
    decision_set(award=award, user=user, decision=decision)
    for other in Award.objects.filter(recipient_email=award.recipient_email, recipient=None):
        award_claim(award=other, user=user)
    return user


def _deliveries_forget(addresses: set[str], award_ids: list[int]) -> None:
    """E-mails to the person: what is still to be sent is stopped, and every delivery keeps
    only its kind, status and times (the issuer's counts of sent and opened e-mails hold), not
    the address, the message or the mail server's answers (which may quote the address)."""
    from django.db.models import Q

    from baeji.emails.models import Delivery, DeliveryAttempt

    to_them = Q(award_id__in=award_ids)
    for address in addresses:
        to_them |= Q(to__iexact=address)
    deliveries = Delivery.objects.filter(to_them)
    deliveries.filter(
        status__in=[Delivery.Status.QUEUED, Delivery.Status.RETRYING, Delivery.Status.SENDING]
    ).update(status=Delivery.Status.FAILED, next_attempt_at=None)
    DeliveryAttempt.objects.filter(delivery__in=deliveries).update(error="")
    deliveries.update(
        to=DELETED_ADDRESS, subject="", body_text="", body_html="", last_error="", key=None
    )


@transaction.atomic
def account_delete(*, user) -> int:
    """Delete a learner's account and the personal data the platform keeps about them.

    Issued credentials stay as signed — still verifiable, and still revocable by their issuer —
    but their award rows forget the person: name and address are replaced and the link to the
    account is cut. The account's addresses, backpack, imports, collections, profile and
    captured e-mails go; audit events keep what happened, not who. Returns how many awards
    were anonymised.
    """
    from baeji.audit.models import AuditEvent
    from baeji.awards.models import Award
    from baeji.backpack.selectors import learner_awards
    from baeji.emails.models import OutboxMessage

    addresses = {
        e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    if user.email:
        addresses.add(user.email.lower())
    award_ids = list(learner_awards(user).values_list("pk", flat=True))
    public_ids = list(Award.objects.filter(pk__in=award_ids).values_list("public_id", flat=True))
    Award.objects.filter(pk__in=award_ids).update(
        recipient=None, recipient_name=DELETED_NAME, recipient_email=""
    )
    # The audit trail stays readable for issuers, with the address taken out of it.
    events = AuditEvent.objects.filter(actor=user) | AuditEvent.objects.filter(
        target_id__in=public_ids
    )
    for event in events.filter(data__isnull=False).exclude(data={}):
        text = json.dumps(event.data, ensure_ascii=False)
        scrubbed = text
        for address in addresses:
            scrubbed = re.sub(re.escape(address), DELETED_NAME, scrubbed, flags=re.IGNORECASE)
        if scrubbed != text:
            event.data = json.loads(scrubbed)
            event.save(update_fields=["data"])
    AuditEvent.objects.filter(actor=user).update(ip=None)
    for address in addresses:
        OutboxMessage.objects.filter(to__icontains=address).delete()
    _deliveries_forget(addresses, award_ids)
    audit_record(action="account.delete", actor=None, data={"awards": len(award_ids)})
    # Cascades take the e-mail addresses, backpack, imports, collections and profile with it.
    user.delete()
    return len(award_ids)
