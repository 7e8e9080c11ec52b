"""Queuing, sending and retrying e-mails, reminders and resends.

Every e-mail the platform sends (to learners, guardians, invited staff and institutions) is a
:class:`~baeji.emails.models.Delivery`: rendered once when queued, then sent by a queued task.
A failed try is recorded and retried with exponential backoff
(``BAEJI_EMAIL_RETRY_BASE_SECONDS`` × 2^(n-1)) up to ``BAEJI_EMAIL_MAX_ATTEMPTS`` tries. Task
backends that can defer (the database worker) get the retry enqueued for its time;
``deliveries_retry_due`` (the ``email-retries`` periodic duty of ``baeji worker``, and
``baeji send-reminders``) picks up whatever is due in any case, so a lost task never loses an
e-mail.

No transaction is open while the mail server is talked to (see :func:`delivery_attempt`): on
SQLite a transaction holds the database's only write lock, on PostgreSQL a row lock and a
connection, and a slow mail server must not stall the rest of the platform.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from baeji.audit.services import audit_record
from baeji.core import links
from baeji.emails.models import Delivery, DeliveryAttempt, EmailSettings

OPEN_SALT = "baeji.emails.open"


class EmailError(ValueError):
    """An e-mail action that cannot be done (message for people)."""


def max_attempts() -> int:
    """How many times a delivery is tried before it is marked failed."""
    return int(getattr(settings, "BAEJI_EMAIL_MAX_ATTEMPTS", 5))


def lease() -> timedelta:
    """How long a worker may take to send one delivery before another may try it again.

    Longer than any send should take (``EMAIL_TIMEOUT`` bounds each exchange with the mail
    server): a worker still sending when its lease is over may send the e-mail a second time.
    """
    return timedelta(seconds=int(getattr(settings, "BAEJI_EMAIL_LEASE_SECONDS", 600)))


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
    """Subject, text and HTML of e-mail ``name``: ``<name>-subject.txt``, ``-body.txt`` and
    ``-body.html`` under ``emails/``, or under the folder ``name`` gives ("bulk/emails/review")."""
    prefix = name if "/" in name else f"emails/{name}"
    with translation.override(language):
        context = {**context, "BASE_URL": settings.BASE_URL, "LANGUAGE_CODE": language}
        subject = " ".join(render_to_string(f"{prefix}-subject.txt", context).split())
        text = render_to_string(f"{prefix}-body.txt", context)
        html = render_to_string(f"{prefix}-body.html", context)
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
    target=None,
    key: str | None = None,
    by=None,
) -> Delivery:
    """Render e-mail ``template`` for ``to`` and queue it (sent after commit).

    ``template`` is a name under ``emails/`` or a path prefix such as "bulk/emails/review".
    ``context`` may hold callables taking the new delivery (for tracked links): they are
    called before rendering. With a ``key``, a delivery already queued under that key is
    returned instead of queuing a second one. ``target`` (default: the award) is what the
    audit event is about.
    """
    if key is not None:
        existing = Delivery.objects.filter(key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                organization=organization or getattr(award, "organization", None),
                award=award,
                kind=kind,
                to=to,
                subject="",
                body_text="",
                key=key,
            )
    except IntegrityError:
        if key is None:
            raise
        return Delivery.objects.get(key=key)  # queued meanwhile by another copy of the caller
    context = {k: (v(delivery) if callable(v) else v) for k, v in context.items()}
    delivery.subject, delivery.body_text, delivery.body_html = _render(template, context, language)
    delivery.save(update_fields=["subject", "body_text", "body_html"])
    audit_record(
        action=f"email.{kind}",
        actor=by,
        organization=delivery.organization,
        target=target if target is not None else award,
        data={"to": to, "delivery": delivery.pk},
    )
    transaction.on_commit(partial(_enqueue, delivery.pk))
    return delivery


def _due(now: datetime) -> Q:
    """Deliveries a worker may claim at ``now``: queued; waiting to retry and due; or being
    sent by a worker whose lease is over (it died, or hangs, before reporting back)."""
    return Q(status=Delivery.Status.QUEUED) | Q(
        status__in=[Delivery.Status.RETRYING, Delivery.Status.SENDING], next_attempt_at__lte=now
    )


LOST_TRY = "no outcome was recorded: the sending process stopped or its lease ran out"


@transaction.atomic
def _delivery_claim(*, delivery_id: int, now: datetime) -> int | None:
    """Take delivery ``delivery_id`` for one try if it is due; returns the try's number.

    The claim is a conditional UPDATE on the attempts counter read here, so of two workers
    only one gets a given try: on PostgreSQL the second UPDATE waits for the first's row lock,
    then finds the counter changed and updates nothing; on SQLite the transaction holds the
    write lock from its start. The number is the worker's lease token for the outcome.
    A lapsed lease is logged as a try without an outcome; on the last allowed try the
    delivery fails instead of being sent again.
    """
    row = Delivery.objects.filter(_due(now), pk=delivery_id).values("status", "attempts").first()
    if row is None:
        return None
    lapsed = row["status"] == Delivery.Status.SENDING
    # Every change of a delivery changes its status or its attempts counter.
    same = Delivery.objects.filter(pk=delivery_id, status=row["status"], attempts=row["attempts"])
    if lapsed and row["attempts"] >= max_attempts():
        if same.update(
            status=Delivery.Status.FAILED, next_attempt_at=None, last_error=LOST_TRY, updated_at=now
        ):
            DeliveryAttempt.objects.create(
                delivery_id=delivery_id, number=row["attempts"], at=now, ok=False, error=LOST_TRY
            )
        return None
    claimed = same.update(
        status=Delivery.Status.SENDING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + lease(),
        updated_at=now,
    )
    if not claimed:
        return None
    if lapsed:
        DeliveryAttempt.objects.create(
            delivery_id=delivery_id, number=row["attempts"], at=now, ok=False, error=LOST_TRY
        )
    return row["attempts"] + 1


def _send(delivery: Delivery) -> None:
    message = EmailMultiAlternatives(
        delivery.subject, delivery.body_text, settings.DEFAULT_FROM_EMAIL, [delivery.to]
    )
    if delivery.body_html:
        message.attach_alternative(delivery.body_html, "text/html")
    message.send()


@transaction.atomic
def _delivery_record(*, delivery_id: int, number: int, at: datetime, error: str = "") -> None:
    """Record the outcome of try ``number`` (sent when ``error`` is empty).

    A success always marks the delivery sent: the e-mail did go out, even if this worker's
    lease ran out meanwhile. A failure changes the delivery only while this worker still holds
    it (still ``sending`` at try ``number``); otherwise a later try owns it and only the
    attempt is logged.
    """
    DeliveryAttempt.objects.create(
        delivery_id=delivery_id, number=number, at=at, ok=not error, error=error
    )
    if not error:
        Delivery.objects.filter(pk=delivery_id).exclude(status=Delivery.Status.SENT).update(
            status=Delivery.Status.SENT, sent_at=at, next_attempt_at=None, updated_at=at
        )
        return
    mine = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING, attempts=number)
    if number >= max_attempts():
        mine.update(
            status=Delivery.Status.FAILED, next_attempt_at=None, last_error=error, updated_at=at
        )
        return
    retry_at = at + retry_delay(number)
    if mine.update(
        status=Delivery.Status.RETRYING, next_attempt_at=retry_at, last_error=error, updated_at=at
    ):
        transaction.on_commit(partial(_enqueue, delivery_id, retry_at))


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> Delivery | None:
    """Try to send a queued or due delivery once; record the try. Safe to run twice, and at
    the same time in two workers: only one of them gets the try; a sent, failed, not-yet-due
    or being-sent delivery is left alone.

    Three steps, and no transaction is open while the mail server is talked to (call this
    outside any transaction): a short transaction claims the delivery (``sending``, one more
    attempt, a lease of ``BAEJI_EMAIL_LEASE_SECONDS``), the message is sent, and a second
    short transaction records the outcome (sent, or the error and the next try's time).

    Delivery is at least once: a worker that dies (or hangs past its lease) after the mail
    server accepted the message but before recording it leaves the delivery ``sending``;
    once the lease is over the retry sweep sends it again. A duplicate e-mail is the chosen
    price: no mail protocol lets the sender ask afterwards whether a message went out, and
    recording "sent" before sending would lose the e-mail instead.

    ``now`` fixes the clock (tests); otherwise the outcome is timed when the send returns,
    so the backoff counts from the end of a slow try.
    """
    started = now or timezone.now()
    number = _delivery_claim(delivery_id=delivery_id, now=started)
    delivery = Delivery.objects.filter(pk=delivery_id).first() if number is not None else None
    if number is not None and delivery is not None:  # (gone if its award was deleted meanwhile)
        error = ""
        try:
            _send(delivery)
        except Exception as failure:  # any transport failure is retried, and recorded
            error = f"{type(failure).__name__}: {failure}"[:2000]
        _delivery_record(
            delivery_id=delivery_id, number=number, at=now or timezone.now(), error=error
        )
    return Delivery.objects.filter(pk=delivery_id).first()


def deliveries_retry_due(*, now: datetime | None = None) -> int:
    """Try every delivery that is queued, due to retry, or whose sender's lease ran out;
    returns how many were looked at (each is claimed first, so those another worker took
    meanwhile are skipped).

    ``now`` fixes the clock (tests); otherwise each try reads the clock when it claims, so a
    long sweep never hands out a lease that is already over.
    """
    due = Delivery.objects.filter(_due(now or timezone.now()))
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:1000])
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
        raise EmailError(_("A revoked badge is not sent again."))
    if award.claimed_at:
        raise EmailError(_("This badge has already been claimed."))
    return award_delivery_queue(award=award, kind=Delivery.Kind.RESEND, by=by)


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
        raise EmailError(_("Use 0–365 days and at most 10 reminders."))
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
    from baeji.backpack.selectors import declined_award_ids

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
                        deliveries__status__in=[
                            Delivery.Status.QUEUED,
                            Delivery.Status.SENDING,
                            Delivery.Status.RETRYING,
                        ]
                    ),
                ),
            )
            .filter(last_sent__lte=cutoff, reminders__lt=policy.reminder_max, pending=0)
            .select_related("organization", "version")
        )
        declined = declined_award_ids(policy.organization)
        due.extend(a for a in awards if a.pk not in declined)
    return due


def reminders_send(*, now: datetime | None = None, organization=None) -> int:
    """Queue a reminder for every award that is due one; returns how many were queued."""
    count = 0
    for award in reminders_due(now=now, organization=organization):
        award_delivery_queue(award=award, kind=Delivery.Kind.REMINDER)
        count += 1
    return count
