"""Learner accounts, created on first sign-in through a claim link."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from baeji.audit.services import audit_record
from baeji.core.ids import new_public_id


@transaction.atomic
def user_get_or_create_for_email(*, email: str, name: str = "") -> object:
    """The account owning the verified address ``email``, created if there is none."""
    User = get_user_model()
    email = email.strip().lower()
    address = EmailAddress.objects.select_related("user").filter(email__iexact=email).first()
    if address:
        if not address.verified:
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
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user
