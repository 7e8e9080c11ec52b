"""Admin listing of signing keys (never the private half)."""

from django.contrib import admin

from baeji.keystore.models import SigningKey


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    """Keys are created, rotated and revoked through services only."""

    list_display = ("organization", "fragment", "status", "created_at", "revoked_at")
    exclude = ("private_encrypted",)
    readonly_fields = ("organization", "fragment", "algorithm", "public_multibase", "status")

    def has_add_permission(self, request):
        return False
