"""Creating organizations, memberships and invitations."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from baeji.audit.services import audit_record
from baeji.keystore.services import signing_key_create
from baeji.organizations.models import Invitation, Membership, Organization, Role


class InvitationError(Exception):
    """An invitation that cannot be accepted (message for people)."""


@transaction.atomic
def organization_create(
    *,
    slug: str,
    name: str,
    kind: str = Organization.Kind.INSTITUTION,
    parent=None,
    by=None,
    **fields,
) -> Organization:
    """Create an issuer with its first signing key; ``by`` becomes its owner."""
    organization = Organization.objects.create(
        slug=slug, name=name, kind=kind, parent=parent, **fields
    )
    if by is not None:
        Membership.objects.create(user=by, organization=organization, role=Role.OWNER)
    signing_key_create(organization=organization, by=by)
    audit_record(
        action="organization.create", actor=by, organization=organization, target=organization
    )
    return organization


@transaction.atomic
def membership_set(*, organization, user, role: str, by=None) -> Membership:
    """Give ``user`` ``role`` in ``organization`` (adding or changing the membership)."""
    membership, _ = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    audit_record(
        action="membership.set",
        actor=by,
        organization=organization,
        target=membership.user,
        data={"user": user.email, "role": role},
    )
    return membership


@transaction.atomic
def invitation_create(*, organization, email: str, role: str, by) -> Invitation:
    """Invite ``email`` to join with ``role``; the e-mail goes out after commit."""
    from baeji.emails.messages import send_invitation_email

    invitation = Invitation.objects.create(
        organization=organization, email=email.strip().lower(), role=role, invited_by=by
    )
    audit_record(
        action="invitation.create",
        actor=by,
        organization=organization,
        target=invitation,
        data={"email": invitation.email, "role": role},
    )
    # Queued with the invitation (a delivery, sent after commit and retried on failure).
    send_invitation_email(invitation)
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """Accept an invitation as ``user`` (who must hold the invited address)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise InvitationError("This invitation has already been used.")
    if (user.email or "").lower() != invitation.email:
        raise InvitationError("Sign in with the address the invitation was sent to.")
    membership, _ = Membership.objects.update_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    audit_record(
        action="invitation.accept",
        actor=user,
        organization=invitation.organization,
        target=invitation,
    )
    return membership


_SETTINGS_FIELDS = {"name", "description", "url", "email", "language"}


@transaction.atomic
def organization_update(
    *, organization: Organization, by=None, logo=None, remove_logo: bool = False, **changes
) -> Organization:
    """Change an organization's public details; ``logo`` is a sanitised upload
    (``baeji.badgeart.upload.CleanImage``), ``remove_logo`` drops the current one."""
    unknown = set(changes) - _SETTINGS_FIELDS
    if unknown:
        raise TypeError(f"unknown organization fields: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(organization, field, value)
    if logo is not None:
        organization.logo, organization.logo_type = logo.data, logo.content_type
    elif remove_logo:
        organization.logo, organization.logo_type = b"", ""
    organization.save()
    audit_record(
        action="organization.update",
        actor=by,
        organization=organization,
        target=organization,
        data={
            "fields": sorted(changes) + (["logo"] if logo is not None or remove_logo else []),
        },
    )
    return organization
