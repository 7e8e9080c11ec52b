"""One function per e-mail. Each renders <name>-subject.txt, -body.txt and -body.html."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from baeji.core import links


def _send(name: str, *, to: str, context: dict, language: str) -> None:
    with translation.override(language):
        context = {**context, "BASE_URL": settings.BASE_URL, "LANGUAGE_CODE": language}
        subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def send_award_email(award) -> None:
    """Tell a learner about a new badge: the badge page and a passwordless claim link.

    The e-mail is queued as a delivery (sent after commit, retried on failure, recorded for
    the issuer) rather than sent here.
    """
    from baeji.emails.services import award_delivery_queue

    award_delivery_queue(award=award)


def send_invitation_email(invitation) -> None:
    """Invite someone to join an organization's staff with a role."""
    from django.urls import reverse

    _send(
        "invitation",
        to=invitation.email,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        context={
            "invitation": invitation,
            "organization_name": invitation.organization.name,
            "role": invitation.get_role_display(),
            "accept_url": links.absolute(reverse("invitation-accept", args=[invitation.token])),
        },
    )
