"""Claim pages (codes, campaigns) and the issuers' campaign, code-sheet and funnel pages.

Protected objects are fetched only through ``baeji.core.access``; public pages are rate
limited per client address and per session.
"""

from __future__ import annotations

from allauth.account.internal.flows.login_by_code import LoginCodeVerificationProcess
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from baeji.achievements.selectors import achievements_for_organization
from baeji.awards.models import normalize_claim_code
from baeji.claims import ratelimit
from baeji.claims import selectors as claim_selectors
from baeji.claims.forms import CampaignForm, CodeForm, JoinForm
from baeji.claims.models import ClaimCampaign
from baeji.claims.qr import qr_svg
from baeji.claims.services import (
    ClaimError,
    campaign_claim,
    campaign_close,
    campaign_create,
    campaign_state,
    code_redeem,
    learner_for_email,
    primary_email,
    state_message,
)
from baeji.core import links
from baeji.core.access import (
    access_achievement_awards_for_user,
    access_achievement_for_user,
    access_campaign_for_user,
    access_organization_for_user,
    may,
)

SESSION_KEY = "baeji.claims.code"


def _limited(request, template: str, context: dict):
    context = {**context, "limited": True}
    return render(request, template, context, status=429)


@require_http_methods(["GET", "POST"])
def claim_code(request, code: str = ""):
    """Redeem a personal claim code. Signed-in users redeem at once; others give an e-mail
    address, sign in with the code e-mailed to it, and the badge is signed after that."""
    signed_in = request.user.is_authenticated
    form = CodeForm(request.POST or None, initial={"code": code}, need_email=not signed_in)
    template = "claims/claim_code.html"
    if request.method == "POST":
        if not ratelimit.allow(request, "code"):
            return _limited(request, template, {"form": form})
        if form.is_valid():
            data = form.cleaned_data
            pending = claim_selectors.pending_for_code(data["code"])
            if pending is None:
                form.add_error("code", _("This code is not valid. Check it and try again."))
            elif pending.award_id or pending.claimed_at:
                form.add_error("code", _("This code has already been used."))
            elif signed_in:
                try:
                    award = code_redeem(code=data["code"], user=request.user, name=data["name"])
                except ClaimError as error:
                    form.add_error("code", str(error))
                else:
                    messages.success(
                        request, _("“%(badge)s” is now yours.") % {"badge": award.version.name}
                    )
                    return redirect("my-badges")
            else:
                user = learner_for_email(email=data["email"], name=data["name"])
                request.session[SESSION_KEY] = {
                    "code": normalize_claim_code(data["code"]),
                    "name": data["name"],
                }
                LoginCodeVerificationProcess.initiate(
                    request=request, user=user, email=data["email"].strip().lower()
                )
                confirm = reverse("account_confirm_login_code")
                return redirect(f"{confirm}?{urlencode({'next': reverse('claim-code-finish')})}")
    return render(request, template, {"form": form})


@login_required
def claim_code_finish(request):
    """After signing in by code: redeem the code remembered in the session."""
    stored = request.session.get(SESSION_KEY)
    if not stored:
        return redirect("claim-code")
    try:
        award = code_redeem(code=stored["code"], user=request.user, name=stored.get("name", ""))
    except ClaimError as error:
        request.session.pop(SESSION_KEY, None)
        form = CodeForm(initial={"code": stored["code"]})
        messages.error(request, str(error))
        return render(request, "claims/claim_code.html", {"form": form}, status=400)
    request.session.pop(SESSION_KEY, None)
    messages.success(request, _("“%(badge)s” is now yours.") % {"badge": award.version.name})
    return redirect("my-badges")


@require_http_methods(["GET", "POST"])
def join(request, public_id: str):
    """The page behind a campaign's QR code: claim the badge for yourself, at once."""
    try:
        campaign = claim_selectors.campaign_for_join(public_id)
    except ClaimCampaign.DoesNotExist:
        raise Http404("no such campaign") from None
    email = primary_email(request.user) if request.user.is_authenticated else None
    form = JoinForm(request.POST or None, campaign=campaign, email=email)
    context = {"campaign": campaign, "form": form, "signed_in_email": email}
    state = campaign_state(campaign)
    if state != "open":
        context["closed_message"] = state_message(state)
        return render(request, "claims/join.html", context)
    if request.method == "POST":
        if not ratelimit.allow(request, "join"):
            return _limited(request, "claims/join.html", context)
        if form.is_valid():
            data = form.cleaned_data
            try:
                award = campaign_claim(
                    campaign=campaign,
                    email=email or data["email"],
                    name=data["name"],
                    answer=data.get("answer", ""),
                    code_word=data.get("code_word", ""),
                    user=request.user if email else None,
                )
            except ClaimError as error:
                if error.code in ("closed", "ended", "full", "not_started"):
                    context["closed_message"] = str(error)
                else:
                    form.add_error(None, str(error))
            else:
                return render(
                    request,
                    "claims/join_done.html",
                    {
                        "campaign": campaign,
                        "award": award,
                        "credential_url": links.credential_url(award),
                        "signed_in": bool(email),
                    },
                )
    return render(request, "claims/join.html", context)


def _join_url(campaign) -> str:
    return links.absolute(reverse("campaign-join", args=[campaign.public_id]))


@login_required
@require_http_methods(["GET", "POST"])
def campaign_list(request, slug: str):
    """An organization's campaigns; issuers create new ones here."""
    organization = access_organization_for_user(request.user, slug, need="view")
    can_issue = may(request.user, organization, "issue")
    achievements = list(achievements_for_organization(organization)) if can_issue else []
    form = CampaignForm(request.POST or None, achievements=achievements)
    if request.method == "POST":
        organization = access_organization_for_user(request.user, slug, need="issue")
        if form.is_valid():
            data = form.cleaned_data
            achievement = access_achievement_for_user(
                request.user, data["achievement"], need="issue"
            )
            try:
                campaign = campaign_create(
                    organization=organization,
                    achievement=achievement,
                    title=data["title"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    max_claims=data["max_claims"],
                    question=data["question"],
                    code_word=data["code_word"],
                    by=request.user,
                )
            except ClaimError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Campaign created."))
                return redirect("campaign-detail", public_id=campaign.public_id)
    campaigns = [
        (c, campaign_state(c)) for c in claim_selectors.campaigns_for_organization(organization)
    ]
    return render(
        request,
        "claims/campaign_list.html",
        {
            "organization": organization,
            "campaigns": campaigns,
            "form": form,
            "can_issue": can_issue,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_detail(request, public_id: str):
    """A campaign: its QR code and link, its funnel, who claimed; issuers can close it."""
    campaign = access_campaign_for_user(request.user, public_id, need="view")
    if request.method == "POST":
        if request.POST.get("action") != "close":
            raise PermissionDenied("unknown action")
        campaign = access_campaign_for_user(request.user, public_id, need="issue")
        campaign_close(campaign=campaign, by=request.user)
        messages.success(request, _("The campaign is closed; nobody can claim through it now."))
        return redirect("campaign-detail", public_id=public_id)
    join_url = _join_url(campaign)
    funnel = claim_selectors.funnel_for_campaign(campaign)
    return render(
        request,
        "claims/campaign_detail.html",
        {
            "campaign": campaign,
            "state": campaign_state(campaign),
            "join_url": join_url,
            "qr": qr_svg(join_url, label=_("QR code for %(url)s") % {"url": join_url}),
            "claims": claim_selectors.claims_of_campaign(campaign),
            "funnel": funnel,
            "rows": _funnel_rows(funnel),
            "chart": _chart_data(funnel),
            "can_issue": may(request.user, campaign.organization, "issue"),
        },
    )


@login_required
def campaign_projector(request, public_id: str):
    """A full-screen QR code to project in the room."""
    campaign = access_campaign_for_user(request.user, public_id, need="view")
    join_url = _join_url(campaign)
    return render(
        request,
        "claims/projector.html",
        {
            "campaign": campaign,
            "join_url": join_url,
            "qr": qr_svg(join_url, label=_("QR code for %(url)s") % {"url": join_url}, scale=10),
            "state": campaign_state(campaign),
        },
    )


def _stage_labels() -> dict[str, str]:
    return {
        "issued": _("Issued"),
        "notified": _("Notified"),
        "opened": _("Opened"),
        "claimed": _("Claimed"),
        "declined": _("Declined"),
    }


def _chart_data(funnel) -> dict:
    labels = _stage_labels()
    return {
        "labels": [labels[stage] for stage, _n in funnel.rows()],
        "values": [n for _stage, n in funnel.rows()],
        "title": _("Claim funnel"),
    }


def _funnel_rows(funnel) -> list[dict]:
    labels = _stage_labels()
    return [
        {"stage": stage, "label": labels[stage], "count": n, "rate": funnel.rate(stage)}
        for stage, n in funnel.rows()
    ]


@login_required
def organization_funnel(request, slug: str):
    """The claim funnel of an organization, and per badge (an authority's include what its
    member institutions issued of its badges)."""
    organization = access_organization_for_user(request.user, slug, need="view")
    funnel = claim_selectors.funnel_for_organization(organization)
    return render(
        request,
        "claims/organization_funnel.html",
        {
            "organization": organization,
            "oversees": organization.kind == organization.Kind.AUTHORITY,
            "funnel": funnel,
            "rows": _funnel_rows(funnel),
            "chart": _chart_data(funnel),
            "by_achievement": claim_selectors.funnel_by_achievement(organization),
        },
    )


@login_required
def achievement_funnel(request, public_id: str):
    """One badge's claim funnel and its unclaimed recipients, each with a resend button.

    Seen from the badge's owner it counts the owner's awards and its member institutions'
    (with a table per issuer); seen from an institution the authority assigned the badge to
    (``?org=<slug>``), only that institution's awards.
    """
    scope = access_achievement_awards_for_user(
        request.user, public_id, need="view", via=request.GET.get("org", "")
    )
    achievement, organization, issuers = scope
    whole = organization == achievement.organization
    funnel = claim_selectors.funnel_for_achievement(achievement, issuers=issuers)
    by_issuer = claim_selectors.funnel_by_issuer(achievement, issuers=issuers) if whole else []
    sees_owner = whole or may(request.user, achievement.organization, "view")
    return render(
        request,
        "claims/achievement_funnel.html",
        {
            "achievement": achievement,
            "organization": organization,
            "whole": whole,
            "sees_owner": sees_owner,
            "by_issuer": by_issuer,
            "show_by_issuer": any(row["organization"] != organization for row in by_issuer),
            "funnel": funnel,
            "rows": _funnel_rows(funnel),
            "chart": _chart_data(funnel),
            "unclaimed": claim_selectors.unclaimed_awards(achievement, issuers=issuers),
            "can_issue": may(request.user, organization, "issue"),
        },
    )


@login_required
def claim_sheet(request, public_id: str):
    """A printable sheet of claim-code cards for a badge's unredeemed codes (one per learner;
    ``?date=YYYY-MM-DD`` keeps one issue date, i.e. one batch). It is the badge owner's: an
    institution prints the codes it issued of an assigned badge from its batch's sheet."""
    owner = access_achievement_for_user(request.user, public_id, need="issue").organization
    achievement, _owner, issuers = access_achievement_awards_for_user(
        request.user, public_id, need="issue", via=owner.slug
    )
    try:
        issued_on = parse_date(request.GET.get("date", ""))
    except ValueError:  # well formed but not a date (2026-02-30)
        issued_on = None
    if request.GET.get("date") and issued_on is None:
        return HttpResponseBadRequest(_("Give the date as YYYY-MM-DD."))
    pending = claim_selectors.pending_for_sheet(achievement, issuers=issuers, issued_on=issued_on)
    return render(
        request,
        "claims/claim_sheet.html",
        {
            "achievement": achievement,
            "sheet_title": achievement.current_version.name,
            "cards": claim_cards(pending),
            "claim_page": links.absolute(reverse("claim-code")),
        },
    )


def claim_cards(pending_awards) -> list[dict]:
    """The cards of a printable claim-code sheet, one per pending award (the caller has
    fetched them through an access check, with their ``version``)."""
    cards = []
    for item in pending_awards:
        url = links.absolute(reverse("claim-code-scan", args=[item.claim_code]))
        cards.append(
            {
                "pending": item,
                "code": _spaced(item.claim_code),
                "url": url,
                "qr": qr_svg(url, label=_("QR code to claim the badge"), scale=3),
                "image_url": links.badge_image_url(item.version),
            }
        )
    return cards


def _spaced(code: str) -> str:
    """Codes are easier to copy in groups: ABCDE-FGHJK."""
    return "-".join(code[i : i + 5] for i in range(0, len(code), 5))
