"""Reading the audit trail, scoped to one organization."""

from baeji.audit.models import AuditEvent


def audit_events_for_organization(organization, *, limit: int = 200):
    """The latest events of an organization, newest first, with their actors."""
    return AuditEvent.objects.filter(organization=organization).select_related("actor")[:limit]
