"""Claim links and the learner's own badges."""

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from baeji.accounts.claims import read_claim_token, read_login_token
from baeji.accounts.services import user_get_or_create_for_email
from baeji.awards import selectors as award_selectors
from baeji.awards.models import Award
from baeji.awards.services import award_claim


@require_http_methods(["GET", "POST"])
def claim(request, token: str):
    """GET shows a confirm button (mail scanners follow links); POST signs in and claims."""
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
    user = user_get_or_create_for_email(email=award.recipient_email, name=award.recipient_name)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    award_claim(award=award, user=user)
    # Everything else sent to this address joins the account too.
    for other in Award.objects.filter(recipient_email=award.recipient_email, recipient=None):
        award_claim(award=other, user=user)
    return redirect("my-badges")


@login_required
def my_badges(request):
    """The signed-in learner's badges."""
    return render(
        request,
        "accounts/my_badges.html",
        {"awards": award_selectors.awards_for_learner(request.user)},
    )


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
