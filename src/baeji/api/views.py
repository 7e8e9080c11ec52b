"""The organization's API token page: create (shown once), list with last use, revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from baeji.api.forms import TokenForm
from baeji.api.models import ApiToken
from baeji.api.selectors import token_of_organization, tokens_for_organization
from baeji.api.services import TokenError, api_token_create, api_token_revoke
from baeji.core.access import access_organization_for_user


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request, slug: str):
    """Admins manage the organization's API tokens; a new secret is shown on this one response."""
    organization = access_organization_for_user(request.user, slug, need="manage")
    form = TokenForm(request.POST if request.POST.get("action") == "create" else None)
    secret = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            try:
                token = token_of_organization(organization, request.POST.get("token", ""))
            except ApiToken.DoesNotExist:
                raise Http404("no such token") from None
            api_token_revoke(token=token, by=request.user)
            messages.success(request, _("Token revoked."))
            return redirect("api-tokens", slug=slug)
        if form.is_valid():
            try:
                _token, secret = api_token_create(
                    organization=organization, by=request.user, **form.cleaned_data
                )
            except TokenError as error:
                form.add_error(None, str(error))
            else:
                form = TokenForm()
    response = render(
        request,
        "api/tokens.html",
        {
            "organization": organization,
            "tokens": tokens_for_organization(organization),
            "form": form,
            "secret": secret,
        },
    )
    response["Cache-Control"] = "no-store"
    return response
