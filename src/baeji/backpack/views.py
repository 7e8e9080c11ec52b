"""The learner's pages (signed in) and the pages they share (public). Thin: reads come from
selectors, writes from services."""

from __future__ import annotations

import json
from datetime import UTC
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from baeji.achievements.rendering import render_markdown
from baeji.awards.models import Award
from baeji.backpack import export, selectors, services, verifying
from baeji.backpack.forms import CollectionForm, ImportForm, ProfileForm
from baeji.backpack.models import Collection, ImportedBadge, LearnerProfile
from baeji.core import links
from baeji.verification.selectors import linkedin_add_url, qr_svg

FILTERS = ("issuer", "competency", "level", "year")


def _award_or_404(user, public_id: str) -> Award:
    try:
        return selectors.learner_award(user, public_id)
    except Award.DoesNotExist:
        raise Http404("no such badge in your backpack") from None


def _import_or_404(user, public_id: str) -> ImportedBadge:
    try:
        return selectors.learner_import(user, public_id)
    except ImportedBadge.DoesNotExist:
        raise Http404("no such badge in your backpack") from None


def _collection_or_404(user, pk: int) -> Collection:
    try:
        return selectors.collection_for_user(user, pk)
    except Collection.DoesNotExist:
        raise Http404("no such collection") from None


@login_required
def backpack(request):
    """All my badges, with filters by issuer, competency, level and year."""
    show_declined = request.GET.get("declined") == "1"
    cards = selectors.backpack_cards(request.user, include_declined=show_declined)
    chosen = {name: (request.GET.get(name) or "").strip() for name in FILTERS}
    shown = selectors.filter_cards(cards, **chosen)
    if show_declined:
        shown = [c for c in shown if c.decision == "declined"]
    return render(
        request,
        "backpack/backpack.html",
        {
            "cards": shown,
            "awards": [c.obj for c in shown if c.kind == "award"],
            "total": len(cards),
            "choices": selectors.filter_choices(cards),
            "chosen": chosen,
            "filtered": any(chosen.values()),
            "show_declined": show_declined,
        },
    )


def _linkedin_for_import(badge: ImportedBadge) -> str:
    params = {"startTask": "CERTIFICATION_NAME", "name": badge.name}
    if badge.issuer_name:
        params["organizationName"] = badge.issuer_name
    if badge.issued_at:
        issued = badge.issued_at.astimezone(UTC)
        params.update(issueYear=issued.year, issueMonth=issued.month)
    try:
        credential_id = json.loads(badge.credential_json or "{}").get("id", "")
    except ValueError:
        credential_id = ""
    if isinstance(credential_id, str) and credential_id.startswith("https://"):
        params.update(certUrl=credential_id, certId=credential_id.rsplit("/", 1)[-1])
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


@login_required
@require_http_methods(["GET", "POST"])
def award_detail(request, public_id: str):
    """One platform badge: verified again on every view, accept/decline, public/private."""
    award = _award_or_404(request.user, public_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in {"accepted", "declined"}:
                services.decision_set(award=award, user=request.user, decision=action)
                if action == "declined":
                    messages.success(request, _("Declined. The badge is hidden from your pages."))
                    return redirect("my-badges")
                messages.success(request, _("Accepted. The badge is in your backpack."))
            elif action in {"public", "private"}:
                services.visibility_set(
                    user=request.user, award=award, is_public=action == "public"
                )
                messages.success(
                    request,
                    _("The badge is now public.")
                    if action == "public"
                    else _("The badge is now private."),
                )
            else:
                messages.error(request, _("Unknown action."))
        except services.BackpackError as error:
            messages.error(request, str(error))
        return redirect("backpack-award", public_id=award.public_id)
    card = next(
        c
        for c in selectors.backpack_cards(request.user, include_declined=True)
        if c.kind == "award" and c.key == award.public_id
    )
    url = links.credential_url(award)
    return render(
        request,
        "backpack/award_detail.html",
        {
            "award": award,
            "card": card,
            "version": award.version,
            "credential_url": url,
            "report": verifying.plain_report(verifying.verify_platform_award(award)),
            "linkedin_url": linkedin_add_url(award),
            "qr_svg": qr_svg(url),
            "criteria_html": render_markdown(award.version.criteria_md),
        },
    )


@login_required
@require_GET
def certificate(request, public_id: str):
    """A printable one-page certificate (A4) in Korean or English, with a QR code."""
    award = _award_or_404(request.user, public_id)
    language = request.GET.get("lang", "ko")
    if language not in {"ko", "en"}:
        language = "ko"
    url = links.credential_url(award)
    with translation.override(language):
        return render(
            request,
            "backpack/certificate.html",
            {
                "award": award,
                "version": award.version,
                "organization": award.organization,
                "credential_url": url,
                "qr_svg": qr_svg(url),
                "cert_language": language,
            },
        )


@login_required
@require_http_methods(["GET", "POST"])
def import_detail(request, public_id: str):
    """One imported badge with its stored report; POST verifies again, publishes or deletes."""
    badge = _import_or_404(request.user, public_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "verify":
            badge = services.import_reverify(imported=badge)
            messages.success(request, _("Verified again just now."))
        elif action in {"public", "private"}:
            services.visibility_set(user=request.user, imported=badge, is_public=action == "public")
            messages.success(
                request,
                _("The badge is now public.")
                if action == "public"
                else _("The badge is now private."),
            )
        elif action == "delete":
            services.import_delete(imported=badge)
            messages.success(request, _("The badge was removed from your backpack."))
            return redirect("my-badges")
        else:
            messages.error(request, _("Unknown action."))
        return redirect("backpack-import", public_id=badge.public_id)
    return render(
        request,
        "backpack/import_detail.html",
        {
            "badge": badge,
            "report": verifying.plain_report(badge.report_json),
            "linkedin_url": _linkedin_for_import(badge),
            "has_image": badge.source in {"png", "svg"},
        },
    )


@require_GET
def import_image(request, public_id: str):
    """An imported badge's image: for its owner, or anyone once the owner made it public (and
    may share)."""
    badge = selectors.import_with_image(request.user, public_id)
    if badge is None:
        raise Http404("no such image")
    kind = "image/png" if badge.source == "png" else "image/svg+xml"
    response = HttpResponse(bytes(badge.original), content_type=kind)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Content-Disposition"] = f'inline; filename="{badge.public_id}.{badge.source}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request):
    """Bring a badge from anywhere: verified by the engine before it is kept."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            badge = services.import_create(
                user=request.user, data=form.payload(), insist=form.cleaned_data["insist"]
            )
        except services.ImportRefused as refused:
            form.add_error(None, str(refused))
            report = verifying.plain_report(refused.report)
        except services.BackpackError as error:
            form.add_error(None, str(error))
        else:
            if badge.outcome == "verified":
                messages.success(request, _("Verified and added to your backpack."))
            else:
                messages.warning(request, _("Added, marked as not verified."))
            return redirect("backpack-import", public_id=badge.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "backpack/import.html", {"form": form, "report": report}, status=status)


@login_required
@require_GET
def export_all(request):
    """Download everything: one ZIP of every credential and a manifest."""
    response = HttpResponse(export.backpack_zip(request.user), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="baeji-backpack.zip"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def collections(request):
    """My collections, and a form for a new one."""
    form = CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            collection = services.collection_create(
                user=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except services.BackpackError as error:
            form.add_error(None, str(error))
        else:
            return redirect("backpack-collection", pk=collection.pk)
    return render(
        request,
        "backpack/collections.html",
        {"collections": selectors.collections_for(request.user), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def collection_edit(request, pk: int):
    """Edit a collection: its badges, sharing, and each badge's public/private choice."""
    collection = _collection_or_404(request.user, pk)
    cards = selectors.backpack_cards(request.user)
    form = CollectionForm(
        request.POST if request.POST.get("action") == "update" else None,
        initial={
            "name": collection.name,
            "description": collection.description,
            "is_shared": collection.is_shared,
            "on_profile": collection.on_profile,
        },
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "delete":
            services.collection_delete(collection=collection)
            messages.success(request, _("The collection was deleted."))
            return redirect("backpack-collections")
        if action == "update" and form.is_valid():
            services.collection_update(collection=collection, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("backpack-collection", pk=collection.pk)
        if action == "items":
            chosen = set(request.POST.getlist("badge"))
            public = set(request.POST.getlist("public"))
            services.collection_items_set(
                collection=collection,
                awards=[c.obj for c in cards if c.kind == "award" and f"a:{c.key}" in chosen],
                imports=[c.obj for c in cards if c.kind == "import" and f"i:{c.key}" in chosen],
            )
            for card in cards:
                key = f"{card.kind[0]}:{card.key}"
                if key in chosen and (key in public) != card.is_public:
                    services.visibility_set(
                        user=request.user,
                        is_public=key in public,
                        **({"award": card.obj} if card.kind == "award" else {"imported": card.obj}),
                    )
            messages.success(request, _("Saved."))
            return redirect("backpack-collection", pk=collection.pk)
    in_collection = {
        (c.kind, c.key) for c in selectors.collection_cards(collection, public_only=False)
    }
    share_url = links.absolute(f"/share/{collection.share_id}")
    return render(
        request,
        "backpack/collection_edit.html",
        {
            "collection": collection,
            "form": form,
            "rows": [(c, (c.kind, c.key) in in_collection) for c in cards],
            "share_url": share_url,
            "qr_svg": qr_svg(share_url) if collection.is_shared else "",
        },
    )


@require_GET
def collection_public(request, share_id: str):
    """A shared collection: only the badges its learner made public, no e-mail addresses."""
    try:
        collection = selectors.shared_collection(share_id)
    except Collection.DoesNotExist:
        raise Http404("no such collection") from None
    profile = selectors.profile_for(collection.user)
    share_url = links.absolute(f"/share/{collection.share_id}")
    return render(
        request,
        "backpack/collection_public.html",
        {
            "collection": collection,
            "cards": collection_cards_with_links(collection),
            "owner_name": (profile.display_name if profile else "") or "",
            "share_url": share_url,
            "qr_svg": qr_svg(share_url),
        },
    )


def collection_cards_with_links(collection: Collection) -> list:
    """The public cards of a collection with their LinkedIn links."""
    cards = selectors.collection_cards(collection, public_only=True)
    for card in cards:
        card.linkedin_url = (
            linkedin_add_url(card.obj) if card.kind == "award" else _linkedin_for_import(card.obj)
        )
    return cards


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    """My public profile: address, text, on or off; and my did:key."""
    profile = selectors.profile_for(request.user) or LearnerProfile(user=request.user)
    form = ProfileForm(
        request.POST or None,
        initial={
            "handle": profile.handle or "",
            "display_name": profile.display_name,
            "bio": profile.bio,
            "enabled": profile.enabled,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(user=request.user, **form.cleaned_data)
        except services.BackpackError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect("backpack-profile")
    return render(
        request,
        "backpack/profile_edit.html",
        {"form": form, "profile": profile},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def did_new(request):
    """Make a did:key and hand its private key over, once, as a download."""
    _profile, secret = services.did_create(user=request.user)
    response = HttpResponse(
        json.dumps(secret, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="baeji-did-key.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def profile_public(request, handle: str):
    """A learner's public page: the collections they chose, public badges only."""
    try:
        profile = selectors.public_profile(handle)
    except LearnerProfile.DoesNotExist:
        raise Http404("no such profile") from None
    sections = [
        {"template": name, "context": context}
        for name, context in selectors.profile_sections(profile)
    ]
    return render(
        request,
        "backpack/profile_public.html",
        {
            "profile": profile,
            "collections": selectors.profile_collections(profile),
            "sections": sections,
        },
    )
