"""Staff pages of a badge class: see it, award it, edit it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from baeji.achievements.forms import AchievementEditForm, AwardForm
from baeji.achievements.rendering import render_markdown
from baeji.achievements.services import achievement_update
from baeji.awards.services import AwardError, award_issue
from baeji.core.access import access_achievement_for_user, role_rank_for_user


@login_required
@require_http_methods(["GET", "POST"])
def achievement_detail(request, public_id: str):
    """A badge class for staff, with the award form (issuers) and the edit form (admins)."""
    achievement = access_achievement_for_user(request.user, public_id, need="view")
    rank = role_rank_for_user(request.user, achievement.organization)
    version = achievement.current_version
    award_form = AwardForm(request.POST if request.POST.get("action") == "award" else None)
    edit_form = AchievementEditForm(
        request.POST if request.POST.get("action") == "edit" else None,
        initial={
            "name": version.name,
            "description": version.description,
            "criteria_md": version.criteria_md,
        },
    )
    if request.method == "POST":
        if request.POST.get("action") == "award":
            achievement = access_achievement_for_user(request.user, public_id, need="issue")
            if award_form.is_valid():
                data = award_form.cleaned_data
                try:
                    award = award_issue(
                        achievement=achievement,
                        recipient_email=data["recipient_email"],
                        recipient_name=data["recipient_name"],
                        issued_by=request.user,
                        evidence_url=data["evidence_url"] or None,
                        narrative=data["narrative"] or None,
                        result=data["result"] or None,
                    )
                except AwardError as error:
                    messages.error(request, str(error))
                else:
                    messages.success(request, _("Badge awarded; the e-mail is on its way."))
                    return redirect("award-detail", public_id=award.public_id)
        elif request.POST.get("action") == "edit":
            achievement = access_achievement_for_user(request.user, public_id, need="manage")
            if edit_form.is_valid():
                achievement_update(
                    achievement=achievement, by=request.user, **edit_form.cleaned_data
                )
                messages.success(request, _("Badge saved."))
                return redirect("achievement-detail", public_id=public_id)
        else:
            raise PermissionDenied("unknown action")
    return render(
        request,
        "achievements/detail.html",
        {
            "achievement": achievement,
            "version": version,
            "organization": achievement.organization,
            "criteria_html": render_markdown(version.criteria_md),
            "award_form": award_form,
            "edit_form": edit_form,
            "can_issue": rank >= 2,
            "can_manage": rank >= 3,
            "versions": achievement.versions.order_by("-number"),
        },
    )
