"""Writing audit events. Called by other services inside their transaction."""

from __future__ import annotations

from typing import Any

from baeji.audit.middleware import current_ip
from baeji.audit.models import AuditEvent


def audit_record(
    *, action: str, actor=None, organization=None, target=None, data: dict[str, Any] | None = None
) -> AuditEvent:
    """Record one audit event; ``target`` is any model with a ``public_id`` (or None)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        organization=organization,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(getattr(target, "public_id", getattr(target, "pk", ""))) if target else "",
        data=data or {},
        ip=current_ip(),
    )
