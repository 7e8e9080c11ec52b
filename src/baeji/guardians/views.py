"""The age step, the guardian request, the consent page and the guardians' family pages."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baeji.backpack.selectors import backpack_cards
from baeji.core.access import access_child_for_guardian
from baeji.guardians import selectors, services
from baeji.guardians.forms import AwardEmailsForm, BirthYearForm, ConsentForm, GuardianEmailForm
from baeji.guardians.messages import child_display_name
from baeji.guardians.models import Guardianship

CONSENT_LINK_DAYS = 30


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
def age_step(request):
    """Ask the birth year once; under-14s go on to the guardian step."""
    profile = selectors.learner_age(request.user)
    form = BirthYearForm(request.POST or None)
    status = 200
    if profile is None and request.method == "POST":
        if form.is_valid():
            try:
                profile = services.learner_age_set(
                    user=request.user, birth_year=form.cleaned_data["birth_year"]
                )
            except services.GuardianError as error:
                form.add_error("birth_year", str(error))
            else:
                if selectors.is_under_consent_age(profile.birth_year):
                    return redirect("guardians-guardian")
                return redirect(_safe_next(request, "/me/badges"))
        status = 400
    return render(
        request,
        "guardians/age.html",
        {"form": form, "profile": profile, "next": _safe_next(request, "")},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def guardian_step(request):
    """A child's guardian page: where consent stands, and asking (again) for it."""
    profile = selectors.learner_age(request.user)
    if profile is None:
        return redirect("guardians-age")
    needed = selectors.is_under_consent_age(profile.birth_year)
    form = GuardianEmailForm(request.POST or None)
    status = 200
    if needed and request.method == "POST":
        if form.is_valid():
            try:
                services.guardian_request(
                    child=request.user,
                    guardian_email=form.cleaned_data["guardian_email"],
                    language=get_language() or "ko",
                )
            except services.GuardianError as error:
                form.add_error("guardian_email", str(error))
            else:
                messages.success(
                    request,
                    _("We have e-mailed your guardian. Nothing is shared until they agree."),
                )
                return redirect("guardians-guardian")
        status = 400
    return render(
        request,
        "guardians/guardian.html",
        {
            "form": form,
            "needed": needed,
            "may_share": selectors.may_share(request.user),
            "guardianships": selectors.guardianships_of_child(request.user),
        },
        status=status,
    )


def _link_usable(link: Guardianship | None) -> bool:
    return (
        link is not None
        and link.status == Guardianship.Status.PENDING
        and link.requested_at > timezone.now() - timedelta(days=CONSENT_LINK_DAYS)
    )


@require_http_methods(["GET", "POST"])
def consent(request, token: str):
    """The link in the consent e-mail. GET shows the text (mail scanners follow links); POST
    answers, signs the guardian in (creating their account) and records the consent."""
    from baeji.accounts.services import user_get_or_create_for_email
    from baeji.guardians.services import CONSENT_TEXT_VERSION

    link = selectors.guardianship_by_token(token)
    if not _link_usable(link):
        return render(request, "guardians/consent_invalid.html", status=400)
    if request.user.is_authenticated and request.user.pk == link.child_id:
        return render(request, "guardians/consent_child.html", status=403)
    form = ConsentForm(request.POST or None)
    context = {
        "form": form,
        "child_name": child_display_name(link.child),
        "guardian_email": link.guardian_email,
        "text_version": CONSENT_TEXT_VERSION,
    }
    if request.method == "GET":
        return render(request, "guardians/consent.html", context)
    if not form.is_valid():
        return render(request, "guardians/consent.html", context, status=400)
    guardian = user_get_or_create_for_email(email=link.guardian_email)
    try:
        if form.cleaned_data["answer"] == "grant":
            services.guardian_consent_grant(guardianship=link, guardian=guardian)
            messages.success(request, _("Thank you. Your consent has been recorded."))
        else:
            services.guardian_consent_decline(guardianship=link, guardian=guardian)
            messages.success(request, _("Your answer has been recorded: nothing will be shared."))
    except services.GuardianError as error:
        form.add_error(None, str(error))
        return render(request, "guardians/consent.html", context, status=400)
    login(request, guardian, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("guardians-family")


@login_required
def family(request):
    """A guardian's children, where consent stands, and their settings."""
    return render(
        request,
        "guardians/family.html",
        {"guardianships": selectors.children_of_guardian(request.user)},
    )


@login_required
def family_child(request, child_id: str):
    """A child's badges, read-only, for their guardian (as their backpack lists them, declined
    ones left out; imported badges stay the child's own)."""
    child = access_child_for_guardian(request.user, child_id)
    link = selectors.guardianship_for(request.user, child)
    return render(
        request,
        "guardians/child.html",
        {
            "child": child,
            "child_id": child_id,
            "child_name": child_display_name(child),
            "link": link,
            "cards": [c for c in backpack_cards(child) if c.kind == "award"],
            "emails_form": AwardEmailsForm(initial={"enabled": link.award_emails}),
            "consent_form": ConsentForm(),
        },
    )


@login_required
@require_POST
def family_consent(request, child_id: str):
    """A guardian withdraws consent, or gives it again."""
    child = access_child_for_guardian(request.user, child_id)
    link = selectors.guardianship_for(request.user, child)
    action = request.POST.get("answer")
    try:
        if action == "withdraw":
            services.guardian_consent_withdraw(guardianship=link, guardian=request.user)
            messages.success(request, _("Consent withdrawn: nothing of your child is shared now."))
        elif action == "grant":
            form = ConsentForm(request.POST)
            if not form.is_valid():
                messages.error(request, " ".join(form.non_field_errors()))
                return redirect("guardians-child", child_id=child_id)
            services.guardian_consent_grant(guardianship=link, guardian=request.user)
            messages.success(request, _("Thank you. Your consent has been recorded."))
        else:
            messages.error(request, _("Choose to withdraw or to give consent."))
    except services.GuardianError as error:
        messages.error(request, str(error))
    return redirect("guardians-child", child_id=child_id)


@login_required
@require_POST
def family_emails(request, child_id: str):
    """The family's choice about copies of award e-mails."""
    child = access_child_for_guardian(request.user, child_id)
    link = selectors.guardianship_for(request.user, child)
    form = AwardEmailsForm(request.POST)
    form.is_valid()
    services.guardian_award_emails_set(
        guardianship=link, enabled=form.cleaned_data.get("enabled", False), by=request.user
    )
    messages.success(request, _("Your choice has been saved."))
    return redirect("guardians-child", child_id=child_id)
