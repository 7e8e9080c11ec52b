"""The guardians' e-mails, one function each, after the emails app's pattern.

Each renders ``guardians/emails/<name>-subject.txt``, ``-body.txt`` and ``-body.html`` into a
delivery of the emails app: sent after commit by the e-mail worker and retried on failure. They
belong to no organization (they are the platform's e-mails to families, not an issuer's), so
no issuer's e-mail log lists them.
"""

from __future__ import annotations

from django.urls import reverse

from baeji.core import links


def _send(name: str, *, to: str, context: dict, language: str, kind: str) -> None:
    from baeji.emails.services import delivery_queue

    delivery_queue(
        template=f"guardians/emails/{name}",
        to=to,
        context=context,
        language=language if language in ("ko", "en") else "ko",
        kind=kind,
    )


def child_display_name(child) -> str:
    """How e-mails and pages name a child: their name, else their address."""
    return (child.get_full_name() or child.first_name or child.email or "").strip()


def send_guardian_consent_email(guardianship) -> None:
    """Ask a guardian to consent: what Baeji collects about the child, why, and the link."""
    from baeji.emails.models import Delivery
    from baeji.guardians.services import CONSENT_TEXT_VERSION

    _send(
        "guardian-consent",
        kind=Delivery.Kind.GUARDIAN_CONSENT,
        to=guardianship.guardian_email,
        language=guardianship.language,
        context={
            "child_name": child_display_name(guardianship.child),
            "child_email": guardianship.child.email,
            "consent_url": links.absolute(reverse("guardians-consent", args=[guardianship.token])),
            "text_version": CONSENT_TEXT_VERSION,
        },
    )


def send_guardian_award_email(award, *, to: str) -> None:
    """A guardian's copy of a child's award e-mail: the badge page, never the claim link
    (it would sign the guardian in as the child)."""
    from baeji.emails.models import Delivery

    _send(
        "guardian-award",
        kind=Delivery.Kind.GUARDIAN_AWARD,
        to=to,
        language=award.language,
        context={
            "recipient_name": award.recipient_name,
            "badge_name": award.version.name,
            "issuer_name": award.organization.name,
            "credential_url": links.credential_url(award),
            "image_url": links.badge_image_url(award.version),
            "family_url": links.absolute(reverse("guardians-family")),
        },
    )


def notify_guardians_of_award(award) -> int:
    """Queue the guardian copies of ``award``'s e-mail; returns how many were queued.

    The awards e-mail code calls this right after queuing the learner's own e-mail, in the
    same transaction; the copies are sent after commit.
    """
    from baeji.guardians.selectors import guardian_recipients_for

    recipients = guardian_recipients_for(award.recipient_email)
    for to in recipients:
        send_guardian_award_email(award, to=to)
    return len(recipients)
