"""Passwordless claim links: a signed, expiring token naming one award.

Following the link proves the reader received the award e-mail, so it signs them in as the
owner of the recipient address (creating the account on first use) and attaches the award.
"""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from baeji.core import links

SALT = "baeji.accounts.claim"
MAX_AGE = 60 * 60 * 24 * 30


def claim_token(award) -> str:
    """The signed token for ``award`` (bound to its public id and recipient address)."""
    return signing.dumps({"a": award.public_id, "e": award.recipient_email}, salt=SALT)


def claim_url(award) -> str:
    """The absolute claim link sent in the award e-mail."""
    return links.absolute(reverse("claim", args=[claim_token(award)]))


def read_claim_token(token: str) -> dict:
    """The payload of a valid token; raises ``signing.BadSignature`` (or its subclass
    ``SignatureExpired``) otherwise."""
    return signing.loads(token, salt=SALT, max_age=MAX_AGE)


LOGIN_SALT = "baeji.accounts.login-link"
LOGIN_MAX_AGE = 60 * 60 * 24


def login_url(user) -> str:
    """A one-day sign-in link for ``user`` (the demo prints these; it is bound to the user's
    current password hash and last login, so it stops working once used)."""
    payload = {"u": user.pk, "s": _login_state(user)}
    return links.absolute(reverse("login-link", args=[signing.dumps(payload, salt=LOGIN_SALT)]))


def _login_state(user) -> str:
    from django.utils.crypto import salted_hmac

    state = f"{user.password}|{user.last_login.isoformat() if user.last_login else ''}"
    return salted_hmac(LOGIN_SALT, state).hexdigest()[:24]


def read_login_token(token: str):
    """The user a sign-in link is for; raises ``signing.BadSignature`` when invalid or used."""
    from django.contrib.auth import get_user_model

    payload = signing.loads(token, salt=LOGIN_SALT, max_age=LOGIN_MAX_AGE)
    user = get_user_model().objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None or payload.get("s") != _login_state(user):
        raise signing.BadSignature("this sign-in link has been used or is no longer valid")
    return user
