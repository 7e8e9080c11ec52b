"""One function per e-mail. Each queues a delivery (rendered from <name>-subject.txt,
-body.txt and -body.html, sent after commit by the e-mail worker, retried on failure)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from baeji.core import links


def send_award_email(award) -> None:
    """Tell a learner about a new badge: the badge page and a passwordless claim link.

    The e-mail is queued as a delivery (sent after commit, retried on failure, recorded for
    the issuer) rather than sent here.
    """
    from baeji.emails.services import award_delivery_queue

    award_delivery_queue(award=award)


def send_invitation_email(invitation) -> None:
    """Invite someone to join an organization's staff with a role.

    Queued as a delivery of the organization (sent after commit, retried, in its e-mail log).
    """
    from django.urls import reverse

    from baeji.emails.models import Delivery
    from baeji.emails.services import delivery_queue

    delivery_queue(
        template="invitation",
        to=invitation.email,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        context={
            "invitation": invitation,
            "organization_name": invitation.organization.name,
            "role": invitation.get_role_display(),
            "accept_url": links.absolute(reverse("invitation-accept", args=[invitation.token])),
        },
        kind=Delivery.Kind.INVITATION,
        organization=invitation.organization,
        target=invitation,
        by=invitation.invited_by,
    )
