"""Staff pages of an organization. Every protected fetch goes through core.access."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from baeji.achievements.selectors import achievements_with_counts
from baeji.audit.selectors import audit_events_for_organization
from baeji.awards.selectors import awards_for_organization
from baeji.core.access import access_organization_for_user, may
from baeji.organizations.forms import InvitationForm, OrganizationSettingsForm
from baeji.organizations.models import Invitation, Organization
from baeji.organizations.selectors import members_of, organizations_for_user
from baeji.organizations.services import (
    InvitationError,
    invitation_accept,
    invitation_create,
    organization_update,
)


def home(request):
    """The landing page; signed-in staff see their organizations."""
    organizations = organizations_for_user(request.user) if request.user.is_authenticated else []
    return render(request, "home.html", {"organizations": organizations})


@login_required
def organization_detail(request, slug: str):
    """The staff home of an organization: its badges with counts, latest awards, links."""
    organization = access_organization_for_user(request.user, slug, need="view")
    achievements = list(achievements_with_counts(organization))
    return render(
        request,
        "organizations/detail.html",
        {
            "organization": organization,
            "achievements": achievements,
            "totals": {
                "badges": len(achievements),
                "issued": sum(a.issued_count for a in achievements),
                "revoked": sum(a.revoked_count for a in achievements),
            },
            "awards": awards_for_organization(organization, limit=50),
            "can_issue": may(request.user, organization, "issue"),
            "can_manage": may(request.user, organization, "manage"),
            "children": organization.children.order_by("name"),
            "section": "home",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_settings(request, slug: str):
    """Name, description, links, language and logo (owners and admins)."""
    organization = access_organization_for_user(request.user, slug, need="manage")
    form = OrganizationSettingsForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "name": organization.name,
            "description": organization.description,
            "url": organization.url,
            "email": organization.email,
            "language": organization.language,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        logo = data.pop("logo_file")
        remove = data.pop("remove_logo")
        organization_update(
            organization=organization, by=request.user, logo=logo, remove_logo=remove, **data
        )
        messages.success(request, _("Settings saved."))
        return redirect("organization-settings", slug=slug)
    return render(
        request,
        "organizations/settings.html",
        {"organization": organization, "form": form, "section": "settings"},
    )


@require_GET
def organization_logo(request, slug: str):
    """The organization's logo (public, like its profile); 404 when it has none."""
    organization = get_object_or_404(Organization, slug=slug)
    if not organization.logo_type:
        raise Http404("no logo")
    response = HttpResponse(bytes(organization.logo), content_type=organization.logo_type)
    # A sanitised SVG still gets no chance to run anything when opened directly.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=3600)
    return response


@login_required
def organization_audit(request, slug: str):
    """The audit trail, for the organization's admins."""
    organization = access_organization_for_user(request.user, slug, need="manage")
    return render(
        request,
        "organizations/audit.html",
        {
            "organization": organization,
            "events": audit_events_for_organization(organization),
            "section": "audit",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_members(request, slug: str):
    """Members and invitations (admins)."""
    organization = access_organization_for_user(request.user, slug, need="manage")
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation_create(
            organization=organization,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            by=request.user,
        )
        messages.success(request, _("Invitation sent."))
        return redirect("organization-members", slug=slug)
    return render(
        request,
        "organizations/members.html",
        {
            "organization": organization,
            "members": members_of(organization),
            "form": form,
            "section": "members",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request, token: str):
    """Accept an invitation as the signed-in user."""
    invitation = get_object_or_404(Invitation.objects.select_related("organization"), token=token)
    if request.method == "POST":
        try:
            invitation_accept(invitation=invitation, user=request.user)
        except InvitationError as error:
            messages.error(request, str(error))
        else:
            return redirect("organization", slug=invitation.organization.slug)
    return render(request, "organizations/invitation.html", {"invitation": invitation})
