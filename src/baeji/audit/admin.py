"""Read-only admin for the audit trail."""

from django.contrib import admin

from baeji.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Audit events cannot be edited or deleted from the admin."""

    list_display = (
        "created_at",
        "organization",
        "actor",
        "action",
        "target_type",
        "target_id",
        "ip",
    )
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
