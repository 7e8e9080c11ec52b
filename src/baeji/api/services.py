"""Creating, using and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baeji.api.models import ApiToken
from baeji.audit.services import audit_record

TOKEN_PREFIX = "bj_"  # noqa: S105 - a public marker, not a secret
# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(ValueError):
    """A token request that cannot be done (message for people)."""


def hash_token(secret: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, organization, name: str, can_award: bool, can_read: bool, by
) -> tuple[ApiToken, str]:
    """Create a token; returns it and its secret, which is shown once and never stored."""
    name = name.strip()
    if not name:
        raise TokenError(_("Give the token a name."))
    if not (can_award or can_read):
        raise TokenError(_("Choose at least one scope."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organization=organization,
        name=name[:100],
        prefix=secret[:10],
        token_hash=hash_token(secret),
        can_award=can_award,
        can_read=can_read,
        created_by=by,
    )
    audit_record(
        action="api_token.create",
        actor=by,
        organization=organization,
        target=token,
        data={"name": token.name, "scopes": token.scopes},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Revoke a token at once; requests with it get 401 from now on."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            action="api_token.revoke", actor=by, organization=token.organization, target=token
        )
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The live token for ``secret`` (and note its use), or None."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("organization", "organization__parent", "created_by")
        .filter(token_hash=hash_token(secret), revoked_at=None)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
