"""Reading ages, guardianships and consent. ``may_share`` is the one gate for public sharing."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from baeji.guardians.models import Guardianship, LearnerAge

#: PIPA's age: a child under this age needs a guardian's consent.
CONSENT_AGE = 14


def is_under_consent_age(birth_year: int, *, today: date | None = None) -> bool:
    """Whether someone born in ``birth_year`` may still be under 14 on ``today``.

    Only the year is asked, so this is the cautious reading: born in 2012, on any day of 2026
    one may still be 13, so a guardian is asked until the year the learner surely is 14.
    """
    today = today or timezone.localdate()
    return today.year - birth_year <= CONSENT_AGE


def learner_age(user) -> LearnerAge | None:
    """The learner's profile (birth year), or None when they have not answered yet."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return LearnerAge.objects.filter(user=user).first()


def may_share(user) -> bool:
    """Whether anything of ``user`` may be shown publicly or shared (PIPA gate).

    True for a learner whose birth year says 14 or older, and for a younger learner while a
    guardian's consent stands. False before the birth year is known (we cannot tell a child
    from an adult), before consent, and after consent is withdrawn. Every public page, public
    collection, public profile and export must ask this; it is two small queries.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    profile = learner_age(user)
    if profile is None:
        return False
    if not is_under_consent_age(profile.birth_year):
        return True
    return Guardianship.objects.filter(child=user, status=Guardianship.Status.CONSENTED).exists()


def sharing_block_reason(user) -> str | None:
    """Why ``may_share(user)`` is False: ``"age-unknown"``, ``"consent-needed"``, or None."""
    if may_share(user):
        return None
    if learner_age(user) is None:
        return "age-unknown"
    return "consent-needed"


def age_step_url(user, *, next_url: str = "") -> str | None:
    """The URL of the birth-year step when ``user`` has not answered it yet, else None.

    Sign-in flows redirect here on first sign-in; ``next_url`` is where to go afterwards.
    """
    if learner_age(user) is not None:
        return None
    url = reverse("guardians-age")
    if next_url and next_url.startswith("/") and not next_url.startswith("//"):
        from urllib.parse import urlencode

        url += "?" + urlencode({"next": next_url})
    return url


def guardianships_of_child(user):
    """A child's guardianships (their guardian requests), newest first."""
    return Guardianship.objects.filter(child=user).order_by("-requested_at", "-id")


def children_of_guardian(user):
    """The guardianships a guardian account holds, with the children's profiles."""
    return (
        Guardianship.objects.filter(guardian=user)
        .select_related("child", "child__learner_age")
        .order_by("child__first_name", "child_id")
    )


def guardianship_for(guardian, child) -> Guardianship | None:
    """The guardianship linking ``guardian`` to ``child`` (after an access check)."""
    return Guardianship.objects.filter(guardian=guardian, child=child).first()


def guardianship_by_token(token: str) -> Guardianship | None:
    """The guardianship whose consent link carries ``token``."""
    return (
        Guardianship.objects.select_related("child", "child__learner_age")
        .filter(token=token)
        .first()
    )


def is_guardian(user) -> bool:
    """Whether ``user`` holds any guardianship (for showing the family page link)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return Guardianship.objects.filter(guardian=user).exists()


def guardian_recipients_for(email: str) -> list[str]:
    """Guardian addresses that should get a copy of an award e-mail sent to ``email``.

    The learner owning ``email`` (a verified address of their account, or the account's
    address) is found; every guardian of theirs who has confirmed their address and chose
    to receive award e-mails is listed, each once.
    """
    from allauth.account.models import EmailAddress

    email = (email or "").strip().lower()
    if not email:
        return []
    owners = set(
        EmailAddress.objects.filter(email__iexact=email, verified=True).values_list(
            "user_id", flat=True
        )
    )
    if not owners:
        from django.contrib.auth import get_user_model

        owners = set(
            get_user_model().objects.filter(email__iexact=email).values_list("pk", flat=True)
        )
    if not owners:
        return []
    found = (
        Guardianship.objects.filter(child_id__in=owners, award_emails=True)
        .exclude(Q(guardian=None))
        .values_list("guardian_email", flat=True)
        .order_by("guardian_email")
    )
    return sorted({address.lower() for address in found} - {email})
