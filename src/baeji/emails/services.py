"""Queuing, sending and retrying e-mails, reminders and resends.

Every e-mail the platform sends to a learner is a :class:`~baeji.emails.models.Delivery`:
rendered once when queued, then sent by a queued task. A failed try is recorded and retried
with exponential backoff (``BAEJI_EMAIL_RETRY_BASE_SECONDS`` × 2^(n-1)) up to
``BAEJI_EMAIL_MAX_ATTEMPTS`` tries. Task backends that can defer (the database worker) get the
retry enqueued for its time; ``deliveries_retry_due`` (the ``email-retries`` periodic duty of
``baeji worker``, and ``baeji send-reminders``) picks up whatever is due in any case, so a lost
task never loses an e-mail.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from baeji.audit.services import audit_record
from baeji.core import links
from baeji.emails.models import Delivery, DeliveryAttempt, EmailSettings

OPEN_SALT = "baeji.emails.open"


class EmailError(ValueError):
    """An e-mail action that cannot be done (message for people)."""


def max_attempts() -> int:
    """How many times a delivery is tried before it is marked failed."""
    return int(getattr(settings, "BAEJI_EMAIL_MAX_ATTEMPTS", 5))


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: base, 2×base, 4×base …"""
    base = int(getattr(settings, "BAEJI_EMAIL_RETRY_BASE_SECONDS", 60))
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def open_url(delivery: Delivery, target: str) -> str:
    """A link in ``delivery`` that records the open, then leads to ``target`` (a site path)."""
    token = signing.dumps({"d": delivery.pk, "t": target}, salt=OPEN_SALT, compress=True)
    return links.absolute(reverse("email-open", args=[token]))


def read_open_token(token: str) -> tuple[int, str]:
    """The delivery id and target path of an open link; raises ``signing.BadSignature``."""
    payload = signing.loads(token, salt=OPEN_SALT)
    target = str(payload["t"])
    if not target.startswith("/") or target.startswith("//"):
        raise signing.BadSignature("open links lead only to this site")
    return int(payload["d"]), target


def _render(name: str, context: dict, language: str) -> tuple[str, str, str]:
    with translation.override(language):
        context = {**context, "BASE_URL": settings.BASE_URL, "LANGUAGE_CODE": language}
        subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    return subject, text, html


def _enqueue(delivery_id: int, run_after: datetime | None = None) -> None:
    from baeji.emails.tasks import deliver_email

    if run_after is None:
        deliver_email.enqueue(delivery_id)
    elif deliver_email.get_backend().supports_defer:
        deliver_email.using(run_after=run_after).enqueue(delivery_id)
    # Otherwise deliveries_retry_due picks it up when it is due.


@transaction.atomic
def delivery_queue(
    *,
    template: str,
    to: str,
    context: dict,
    language: str,
    kind: str = Delivery.Kind.AWARD,
    award=None,
    organization=None,
    by=None,
) -> Delivery:
    """Render e-mail ``template`` for ``to`` and queue it (sent after commit).

    ``context`` may hold callables taking the new delivery (for tracked links): they are
    called before rendering.
    """
    delivery = Delivery.objects.create(
        organization=organization or getattr(award, "organization", None),
        award=award,
        kind=kind,
        to=to,
        subject="",
        body_text="",
    )
    context = {k: (v(delivery) if callable(v) else v) for k, v in context.items()}
    delivery.subject, delivery.body_text, delivery.body_html = _render(template, context, language)
    delivery.save(update_fields=["subject", "body_text", "body_html"])
    audit_record(
        action=f"email.{kind}",
        actor=by,
        organization=delivery.organization,
        target=award,
        data={"to": to, "delivery": delivery.pk},
    )
    transaction.on_commit(partial(_enqueue, delivery.pk))
    return delivery


@transaction.atomic
def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> Delivery | None:
    """Try to send a queued or due delivery once; record the try. Safe to run twice: a sent,
    failed or not-yet-due delivery is left alone."""
    now = now or timezone.now()
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (Delivery.Status.SENT, Delivery.Status.FAILED):
        return delivery
    if delivery.next_attempt_at and delivery.next_attempt_at > now:
        return delivery
    message = EmailMultiAlternatives(
        delivery.subject, delivery.body_text, settings.DEFAULT_FROM_EMAIL, [delivery.to]
    )
    if delivery.body_html:
        message.attach_alternative(delivery.body_html, "text/html")
    delivery.attempts += 1
    try:
        message.send()
    except Exception as error:  # any transport failure is retried, and recorded
        reason = f"{type(error).__name__}: {error}"[:2000]
        DeliveryAttempt.objects.create(
            delivery=delivery, number=delivery.attempts, at=now, ok=False, error=reason
        )
        delivery.last_error = reason
        if delivery.attempts >= max_attempts():
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.status = Delivery.Status.RETRYING
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
            transaction.on_commit(partial(_enqueue, delivery.pk, delivery.next_attempt_at))
    else:
        DeliveryAttempt.objects.create(delivery=delivery, number=delivery.attempts, at=now, ok=True)
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = now
        delivery.next_attempt_at = None
    delivery.save()
    return delivery


def deliveries_retry_due(*, now: datetime | None = None) -> int:
    """Send every delivery that is queued, or waiting to retry and due; returns how many tries."""
    now = now or timezone.now()
    due = Delivery.objects.filter(
        Q(status=Delivery.Status.QUEUED)
        | Q(status=Delivery.Status.RETRYING, next_attempt_at__lte=now)
    ).values_list("pk", flat=True)
    ids = list(due[:1000])
    for pk in ids:
        delivery_attempt(delivery_id=pk, now=now)
    return len(ids)


@transaction.atomic
def delivery_mark_opened(*, delivery_id: int) -> None:
    """Record that the recipient followed a tracked link (the first time only)."""
    Delivery.objects.filter(pk=delivery_id, opened_at=None).update(opened_at=timezone.now())


def award_email_context(award) -> dict:
    """What the award, resend and reminder e-mails show; tracked links are per delivery."""
    from baeji.accounts.claims import claim_url

    credential_path = reverse("credential", args=[award.public_id])
    return {
        "award": award,
        "badge_name": award.version.name,
        "issuer_name": award.organization.name,
        "credential_url": links.credential_url(award),
        "open_url": lambda delivery: open_url(delivery, credential_path),
        "image_url": links.badge_image_url(award.version),
        "claim_url": claim_url(award),
    }


def _language(award) -> str:
    return award.language if award.language in ("ko", "en") else "ko"


def award_delivery_queue(*, award, kind: str = Delivery.Kind.AWARD, by=None) -> Delivery:
    """Queue the award e-mail (or its resend / reminder) to the award's recipient."""
    template = "reminder" if kind == Delivery.Kind.REMINDER else "award"
    return delivery_queue(
        template=template,
        to=award.recipient_email,
        context=award_email_context(award),
        language=_language(award),
        kind=kind,
        award=award,
        by=by,
    )


def delivery_resend(*, award, by) -> Delivery:
    """Send the award e-mail again (an issuer pressed "resend"); refused once claimed or revoked."""
    from baeji.awards.models import Award

    if award.status == Award.Status.REVOKED:
        raise EmailError(_t("A revoked badge is not sent again."))
    if award.claimed_at:
        raise EmailError(_t("This badge has already been claimed."))
    return award_delivery_queue(award=award, kind=Delivery.Kind.RESEND, by=by)


def _t(text: str) -> str:
    from django.utils.translation import gettext

    return gettext(text)


def settings_for(organization) -> EmailSettings:
    """The organization's reminder settings (defaults when never saved)."""
    found = EmailSettings.objects.filter(organization=organization).first()
    return found or EmailSettings(organization=organization)


@transaction.atomic
def email_settings_update(
    *, organization, reminder_after_days: int, reminder_max: int, by
) -> EmailSettings:
    """Change an issuer's reminder policy (0 days turns reminders off)."""
    if not (0 <= reminder_after_days <= 365) or not (0 <= reminder_max <= 10):
        raise EmailError(_t("Use 0–365 days and at most 10 reminders."))
    found, _created = EmailSettings.objects.update_or_create(
        organization=organization,
        defaults={"reminder_after_days": reminder_after_days, "reminder_max": reminder_max},
    )
    audit_record(
        action="email.settings",
        actor=by,
        organization=organization,
        data={"reminder_after_days": reminder_after_days, "reminder_max": reminder_max},
    )
    return found


def reminders_due(*, now: datetime | None = None, organization=None):
    """Awards whose recipient has not claimed them and is due a reminder under the issuer's
    settings: the last e-mail about it was sent at least N days ago and fewer than the allowed
    reminders went out. Declined awards (the learner said no) are never reminded."""
    from baeji.awards.models import Award

    now = now or timezone.now()
    policies = EmailSettings.objects.filter(reminder_after_days__gt=0, reminder_max__gt=0)
    if organization is not None:
        policies = policies.filter(organization=organization)
    due = []
    for policy in policies.select_related("organization"):
        cutoff = now - timedelta(days=policy.reminder_after_days)
        awards = (
            Award.objects.filter(
                organization=policy.organization,
                status=Award.Status.ACTIVE,
                claimed_at=None,
                recipient=None,
            )
            .annotate(
                last_sent=Max("deliveries__sent_at"),
                reminders=Count("deliveries", filter=Q(deliveries__kind=Delivery.Kind.REMINDER)),
                pending=Count(
                    "deliveries",
                    filter=Q(
                        deliveries__status__in=[Delivery.Status.QUEUED, Delivery.Status.RETRYING]
                    ),
                ),
            )
            .filter(last_sent__lte=cutoff, reminders__lt=policy.reminder_max, pending=0)
            .select_related("organization", "version")
        )
        declined = _declined_ids(policy.organization)
        due.extend(a for a in awards if a.pk not in declined)
    return due


def _declined_ids(organization) -> set[int]:
    try:
        from baeji.backpack.selectors import declined_award_ids
    except ImportError:  # the backpack app is optional
        return set()
    from django.apps import apps

    if not apps.is_installed("baeji.backpack"):
        return set()
    return declined_award_ids(organization)


def reminders_send(*, now: datetime | None = None, organization=None) -> int:
    """Queue a reminder for every award that is due one; returns how many were queued."""
    count = 0
    for award in reminders_due(now=now, organization=organization):
        award_delivery_queue(award=award, kind=Delivery.Kind.REMINDER)
        count += 1
    return count
