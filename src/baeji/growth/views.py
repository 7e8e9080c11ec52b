"""The growth view (the learner's own, and read-only for their guardian) and the CLR export."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baeji.core.access import access_child_for_guardian
from baeji.growth import selectors, services
from baeji.growth.forms import GrowthPreferenceForm
from baeji.guardians import selectors as guardians
from baeji.guardians.messages import child_display_name


def _render_growth(request, learner, *, read_only: bool, child_id: str = ""):
    growth = selectors.growth_for_learner(learner)
    return render(
        request,
        "growth/growth.html",
        {
            "growth": growth,
            "chart_data": growth.chart_data(),
            "read_only": read_only,
            "learner_name": child_display_name(learner),
            "child_id": child_id,
            "may_share": guardians.may_share(learner),
            "block_reason": None if read_only else guardians.sharing_block_reason(learner),
            "preference_form": GrowthPreferenceForm(
                initial={"show_on_profile": selectors.show_on_profile(learner)}
            ),
            "is_guardian": not read_only and guardians.is_guardian(request.user),
        },
    )


@login_required
def my_growth(request):
    """The signed-in learner's growth view."""
    return _render_growth(request, request.user, read_only=False)


@login_required
def child_growth(request, child_id: str):
    """A child's growth view, read-only, for their guardian."""
    child = access_child_for_guardian(request.user, child_id)
    return _render_growth(request, child, read_only=True, child_id=child_id)


@login_required
@require_POST
def growth_preference(request):
    """Turn the public growth summary on or off."""
    form = GrowthPreferenceForm(request.POST)
    form.is_valid()
    services.growth_preference_set(
        user=request.user, show_on_profile=form.cleaned_data.get("show_on_profile", False)
    )
    messages.success(request, _("Your choice has been saved."))
    return redirect("growth-me")


@login_required
@require_http_methods(["GET", "POST"])
def record_export(request):
    """Choose badges and download them as a signed Comprehensive Learner Record (JSON)."""
    awards = selectors.learner_awards(request.user)
    block_reason = guardians.sharing_block_reason(request.user)
    context = {"awards": awards, "block_reason": block_reason, "selected": set()}
    if request.method == "GET":
        context["selected"] = {a.public_id for a in awards}
        return render(request, "growth/record.html", context, status=403 if block_reason else 200)
    if block_reason:
        return render(request, "growth/record.html", context, status=403)
    wanted = request.POST.getlist("awards")
    by_id = {a.public_id: a for a in awards}
    chosen = [by_id[w] for w in dict.fromkeys(wanted) if w in by_id]
    context["selected"] = set(wanted)
    if not wanted:
        context["error"] = _("Choose at least one badge.")
    elif len(chosen) != len(set(wanted)):
        context["error"] = _("Some of the chosen badges are not yours or no longer valid.")
    if "error" in context:
        return render(request, "growth/record.html", context, status=400)
    try:
        record = services.learner_record_export(
            user=request.user, awards=chosen, complete=len(chosen) == len(awards)
        )
    except services.RecordError as error:
        context["error"] = str(error)
        return render(request, "growth/record.html", context, status=400)
    body = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
    response = HttpResponse(body, content_type="application/ld+json; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="baeji-record-{stamp}.json"'
    return response
