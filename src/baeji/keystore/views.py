"""The signing keys page of an organization (admins): list, rotate, revoke with confirmation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baeji.core.access import access_organization_for_user
from baeji.keystore.models import SigningKey
from baeji.keystore.selectors import (
    did_for_organization,
    keys_for_organization,
    verification_method_id,
)
from baeji.keystore.services import signing_key_revoke, signing_key_rotate


@login_required
def key_list(request, slug: str):
    """Every key of the organization, newest first, with its Multikey and status."""
    organization = access_organization_for_user(request.user, slug, need="manage")
    rows = [(key, verification_method_id(key)) for key in keys_for_organization(organization)]
    return render(
        request,
        "keystore/keys.html",
        {
            "organization": organization,
            "rows": rows,
            "did": did_for_organization(organization),
            "has_active": any(k.status == SigningKey.Status.ACTIVE for k, _id in rows),
            "section": "keys",
        },
    )


@login_required
@require_POST
def key_rotate(request, slug: str):
    """Retire the active key and make a new one (old public keys stay in the DID document)."""
    organization = access_organization_for_user(request.user, slug, need="manage")
    key = signing_key_rotate(organization=organization, by=request.user)
    messages.success(request, _("New signing key %(key)s is active.") % {"key": key.fragment})
    return redirect("key-list", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def key_revoke(request, slug: str, public_id: str):
    """Mark a key compromised: a confirmation page, then the revocation."""
    organization = access_organization_for_user(request.user, slug, need="manage")
    key = get_object_or_404(SigningKey, organization=organization, public_id=public_id)
    error = ""
    if key.status == SigningKey.Status.REVOKED:
        messages.error(request, _("This key is already revoked."))
        return redirect("key-list", slug=slug)
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()
        if request.POST.get("confirm") != key.fragment:
            error = _("Type the key name exactly to confirm.")
        elif not reason:
            error = _("Say why the key is revoked.")
        else:
            signing_key_revoke(key=key, by=request.user, reason=reason)
            messages.success(
                request,
                _("Key %(key)s is revoked; verifiers now reject what it signed.")
                % {"key": key.fragment},
            )
            return redirect("key-list", slug=slug)
    return render(
        request,
        "keystore/revoke.html",
        {"organization": organization, "key": key, "error": error, "section": "keys"},
    )
