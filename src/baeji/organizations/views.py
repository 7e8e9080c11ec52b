"""Staff pages of an organization. Every protected fetch goes through core.access."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from baeji.achievements.selectors import achievements_for_organization
from baeji.audit.selectors import audit_events_for_organization
from baeji.awards.selectors import awards_for_organization
from baeji.core.access import access_organization_for_user, role_rank_for_user
from baeji.organizations.forms import InvitationForm
from baeji.organizations.models import Invitation
from baeji.organizations.selectors import members_of, organizations_for_user
from baeji.organizations.services import InvitationError, invitation_accept, invitation_create


def home(request):
    """The landing page; signed-in staff see their organizations."""
    organizations = organizations_for_user(request.user) if request.user.is_authenticated else []
    return render(request, "home.html", {"organizations": organizations})


@login_required
def organization_detail(request, slug: str):
    """An organization's badges and latest awards."""
    organization = access_organization_for_user(request.user, slug, need="view")
    rank = role_rank_for_user(request.user, organization)
    return render(
        request,
        "organizations/detail.html",
        {
            "organization": organization,
            "achievements": achievements_for_organization(organization),
            "awards": awards_for_organization(organization, limit=50),
            "can_manage": rank >= 3,
            "children": organization.children.order_by("name"),
        },
    )


@login_required
def organization_audit(request, slug: str):
    """The audit trail, for the organization's admins."""
    organization = access_organization_for_user(request.user, slug, need="manage")
    return render(
        request,
        "organizations/audit.html",
        {"organization": organization, "events": audit_events_for_organization(organization)},
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
        {"organization": organization, "members": members_of(organization), "form": form},
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
