"""Claim links, the learner's account settings and account deletion."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from baeji.accounts.claims import read_claim_token, read_login_token
from baeji.accounts.services import account_delete, claim_link_answer
from baeji.awards import selectors as award_selectors
from baeji.awards.models import Award
from baeji.backpack import selectors as backpack_selectors
from baeji.backpack import views as backpack_views
from baeji.guardians.selectors import age_step_url


@require_http_methods(["GET", "POST"])
def claim(request, token: str):
    """GET shows the badge with accept / decline (mail scanners follow links); POST signs the
    learner in, attaches the award and records their answer (accept when none is given)."""
    try:
        payload = read_claim_token(token)
        award = award_selectors.public_award(payload["a"])
    except (signing.BadSignature, Award.DoesNotExist, KeyError):
        return render(request, "accounts/claim_invalid.html", status=400)
    if award.recipient_email != payload["e"]:
        raise Http404("not found")
    if award.claimed_at:
        # The link signs in once; afterwards it would be a password anyone forwarded could use.
        if request.user.is_authenticated and request.user.pk == award.recipient_id:
            return redirect("my-badges")
        return render(request, "accounts/claim_invalid.html", status=400)
    if request.method == "GET":
        return render(request, "accounts/claim_confirm.html", {"award": award})
    decision = "declined" if request.POST.get("action") == "decline" else "accepted"
    user = claim_link_answer(award=award, decision=decision)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if decision == "declined":
        messages.success(request, _("Declined. The badge is hidden from your pages."))
    else:
        messages.success(request, _("Accepted. The badge is in your backpack."))
    # First sign-in: the birth-year step decides whether a guardian must consent to sharing.
    return redirect(age_step_url(user, next_url=reverse("my-badges")) or "my-badges")


@login_required
def my_badges(request):
    """The signed-in learner's backpack."""
    return backpack_views.backpack(request)


@login_required
def account_settings(request):
    """The account page: addresses, downloads, profile, deletion."""
    return render(
        request,
        "accounts/account.html",
        {
            "emails": backpack_selectors.confirmed_emails(request.user),
            "profile": backpack_selectors.profile_for(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_delete_view(request):
    """Delete my account: asks to type the word shown, then deletes and signs out."""
    word = _("delete")
    if request.method == "POST":
        if (request.POST.get("confirm") or "").strip().lower() != word.lower():
            return render(
                request,
                "accounts/account_delete.html",
                {"word": word, "error": _("Type the word exactly to confirm.")},
                status=400,
            )
        user = request.user
        logout(request)
        account_delete(user=user)
        messages.success(request, _("Your account and personal data have been deleted."))
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"word": word})


@require_http_methods(["GET", "POST"])
def login_link(request, token: str):
    """A sign-in link: GET asks to confirm (mail scanners follow links), POST signs in once."""
    try:
        user = read_login_token(token)
    except signing.BadSignature:
        return render(request, "accounts/claim_invalid.html", status=400)
    if request.method == "GET":
        return render(request, "accounts/login_confirm.html", {"link_user": user})
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("home")
