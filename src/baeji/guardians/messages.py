"""The guardians' e-mails, one function each, after the emails app's pattern.

Each renders ``guardians/emails/<name>-subject.txt``, ``-body.txt`` and ``-body.html``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from baeji.core import links


def _send(name: str, *, to: str, context: dict, language: str) -> None:
    language = language if language in ("ko", "en") else "ko"
    with translation.override(language):
        context = {**context, "BASE_URL": settings.BASE_URL, "LANGUAGE_CODE": language}
        subject = " ".join(
            render_to_string(f"guardians/emails/{name}-subject.txt", context).split()
        )
        text = render_to_string(f"guardians/emails/{name}-body.txt", context)
        html = render_to_string(f"guardians/emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def child_display_name(child) -> str:
    """How e-mails and pages name a child: their name, else their address."""
    return (child.get_full_name() or child.first_name or child.email or "").strip()


def send_guardian_consent_email(guardianship) -> None:
    """Ask a guardian to consent: what Baeji collects about the child, why, and the link."""
    from baeji.guardians.services import CONSENT_TEXT_VERSION

    _send(
        "guardian-consent",
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
    _send(
        "guardian-award",
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
    """Send the guardian copies of ``award``'s e-mail; returns how many were sent.

    The awards e-mail code calls this right after the learner's own e-mail is sent.
    """
    from baeji.guardians.selectors import guardian_recipients_for

    recipients = guardian_recipients_for(award.recipient_email)
    for to in recipients:
        send_guardian_award_email(award, to=to)
    return len(recipients)
