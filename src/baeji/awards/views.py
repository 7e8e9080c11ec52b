"""Staff page of one award: its status, and revoke / suspend / reinstate."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from baeji.awards.services import AwardError, award_reinstate, award_revoke, award_suspend
from baeji.core import links
from baeji.core.access import access_award_for_user, may

# Issuers suspend, reinstate and revoke; suspending and revoking need a reason.
_ACTIONS = {
    "revoke": (award_revoke, "issue"),
    "suspend": (award_suspend, "issue"),
    "reinstate": (award_reinstate, "issue"),
}


@login_required
@require_http_methods(["GET", "POST"])
def award_detail(request, public_id: str):
    """An award for staff."""
    award = access_award_for_user(request.user, public_id, need="view")
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in _ACTIONS:
            raise PermissionDenied("unknown action")
        service, need = _ACTIONS[action]
        award = access_award_for_user(request.user, public_id, need=need)
        reason = request.POST.get("reason", "").strip()
        if action != "reinstate" and not reason:
            messages.error(request, _("Give a reason: the learner and verifiers see it."))
            return redirect("award-detail", public_id=public_id)
        try:
            service(award=award, reason=reason, by=request.user)
        except AwardError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Status changed."))
        return redirect("award-detail", public_id=public_id)
    return render(
        request,
        "awards/detail.html",
        {
            "award": award,
            "organization": award.organization,
            "credential_url": links.credential_url(award),
            "can_issue": may(request.user, award.organization, "issue"),
        },
    )
