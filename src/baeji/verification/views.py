"""Public pages. Nothing here needs an account; staff pages live in the other apps."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from baeji.achievements.models import AchievementVersion
from baeji.achievements.rendering import render_markdown
from baeji.achievements.selectors import (
    public_achievements_for_organization,
    version_by_public_id,
)
from baeji.awards import selectors as award_selectors
from baeji.awards.models import Award, StatusList
from baeji.core import links
from baeji.credentials.bake import bake
from baeji.credentials.errors import CredentialError
from baeji.credentials.fetch import Fetcher
from baeji.keystore.selectors import did_document_for_organization, did_for_organization
from baeji.organizations.models import Organization
from baeji.organizations.selectors import public_organization
from baeji.verification import selectors

JSON_TYPES = ("application/ld+json", "application/vc+ld+json", "application/vc", "application/json")
MAX_UPLOAD = 2_000_000


def _award_or_404(public_id: str) -> Award:
    try:
        return award_selectors.public_award(public_id)
    except Award.DoesNotExist:
        raise Http404("no such credential") from None


def _award_for_page_or_404(public_id: str) -> Award:
    try:
        return selectors.public_award_for_page(public_id)
    except Award.DoesNotExist:
        raise Http404("no such credential") from None


def _wants_json(request) -> str | None:
    """The JSON media type the client prefers over HTML, if any."""
    for media in request.accepted_types:
        if media.match("text/html"):
            return None
        for json_type in JSON_TYPES:
            if media.match(json_type) and str(media) != "*/*":
                return json_type
    return None


def _json_response(text: str, content_type: str = "application/ld+json", *, max_age: int = 300):
    response = HttpResponse(text.encode("utf-8"), content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def _credential_page_parts(request, public_id: str, *, show_recipient: bool) -> tuple[dict, int]:
    """The rendered head and body of a credential's page, and how long they may be reused."""
    award = _award_for_page_or_404(public_id)
    report = selectors.verify_award(award)
    url = links.credential_url(award)
    context = {
        "award": award,
        "version": award.version,
        "organization": award.organization,
        "credential_url": url,
        "image_url": links.badge_image_url(award.version),
        "criteria_html": selectors.markdown_html(award.version.criteria_md),
        "narrative_html": selectors.markdown_html(award.narrative),
        "report": report,
        "linkedin_url": selectors.linkedin_add_url(award),
        "qr_svg": selectors.qr_svg(url),
        "status_list_url": links.status_list_url(award.status_list),
        "show_recipient": show_recipient,
    }
    parts = {
        "title": f"{award.version.name} — {award.recipient_name}"
        if show_recipient
        else award.version.name,
        "meta": render_to_string("verification/_credential_meta.html", context, request),
        "body": render_to_string("verification/_credential_body.html", context, request),
        "report": report,
    }
    return parts, selectors.report_timeout(award)


@require_GET
def credential(request, public_id: str):
    """A credential's page; the signed JSON for clients that ask for JSON-LD.

    The page's parts are cached under a key that changes with anything they show (see
    ``selectors.credential_page_key``), so a revocation shows on the next request.
    """
    json_type = _wants_json(request)
    if json_type:
        text = selectors.credential_text(public_id)
        if text is None:
            raise Http404("no such credential")
        response = _json_response(text, json_type)
        patch_vary_headers(response, ["Accept"])
        return response
    state = selectors.credential_page_key(public_id, get_language())
    if state is None:
        raise Http404("no such credential")
    key, show_recipient = state
    cache = selectors.verification_cache()
    parts = cache.get(key)
    if parts is None:
        parts, timeout = _credential_page_parts(request, public_id, show_recipient=show_recipient)
        if timeout > 0:
            cache.set(key, parts, timeout)
    response = render(
        request, "verification/credential.html", {"page": parts, "report": parts["report"]}
    )
    patch_vary_headers(response, ["Accept"])
    return response


@require_GET
def credential_json(request, public_id: str):
    """The signed credential, exactly as issued."""
    return _json_response(_award_or_404(public_id).credential_json)


@require_GET
def credential_png(request, public_id: str):
    """The badge image with the credential baked in (PNG iTXt 'openbadgecredential')."""
    award = _award_or_404(public_id)
    body = bake(bytes(award.version.image_png), award.credential_json)
    response = HttpResponse(body, content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{award.public_id}.png"'
    return response


@require_GET
def credential_svg(request, public_id: str):
    """The badge image as SVG with the credential baked in."""
    award = _award_or_404(public_id)
    body = bake(award.version.image_svg.encode("utf-8"), award.credential_json)
    response = HttpResponse(body, content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="{award.public_id}.svg"'
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _version_or_404(public_id: str) -> AchievementVersion:
    try:
        return version_by_public_id(public_id)
    except AchievementVersion.DoesNotExist:
        raise Http404("no such badge") from None


@require_GET
def badge(request, public_id: str):
    """A badge class version's public page (its Achievement id and criteria URL)."""
    version = _version_or_404(public_id)
    return render(
        request,
        "verification/badge.html",
        {
            "version": version,
            "organization": version.achievement.organization,
            "criteria_html": render_markdown(version.criteria_md),
            "image_url": links.badge_image_url(version),
            "is_current": version.achievement.current_version_id == version.pk,
        },
    )


@require_GET
def badge_image(request, public_id: str):
    """The plain (unbaked) badge image."""
    version = _version_or_404(public_id)
    response = HttpResponse(bytes(version.image_png), content_type="image/png")
    patch_cache_control(response, public=True, max_age=86400)
    return response


@require_GET
def issuer(request, slug: str):
    """An issuer's public profile with its badges."""
    try:
        organization = public_organization(slug)
    except Organization.DoesNotExist:
        raise Http404("no such issuer") from None
    return render(
        request,
        "verification/issuer.html",
        {
            "organization": organization,
            "achievements": public_achievements_for_organization(organization),
            "members": organization.children.order_by("name"),
            "did": did_for_organization(organization),
        },
    )


@require_GET
def did_document(request, slug: str):
    """The issuer's did:web document (all keys, revoked ones marked)."""
    try:
        organization = public_organization(slug)
    except Organization.DoesNotExist:
        raise Http404("no such issuer") from None
    text = json.dumps(did_document_for_organization(organization), ensure_ascii=False, indent=2)
    return _json_response(text, "application/did+json", max_age=300)


@require_GET
def status_list(request, slug: str, public_id: str):
    """A signed BitstringStatusListCredential; cached briefly so revocations show quickly."""
    try:
        found = award_selectors.status_list_by_public_id(slug, public_id)
    except StatusList.DoesNotExist:
        raise Http404("no such status list") from None
    return _json_response(found.credential_json, "application/vc+ld+json", max_age=60)


@require_http_methods(["GET", "POST"])
def verify_page(request):
    """Verify a credential given as pasted JSON or JWT, an uploaded image, or a URL."""
    context: dict = {}
    if request.method == "POST":
        data: bytes | str | None = None
        upload = request.FILES.get("file")
        text = (request.POST.get("text") or "").strip()
        url = (request.POST.get("url") or "").strip()
        if upload:
            if upload.size > MAX_UPLOAD:
                return HttpResponseBadRequest(_("The file is too large (2 MB at most)."))
            data = upload.read()
        elif text:
            data = text
        elif url:
            data = _fetch_for_verify(url)
            if data is None:
                context["error"] = _("That address could not be fetched.")
        else:
            context["error"] = _("Paste a credential, upload a badge image or give its address.")
        if data is not None:
            context["report"] = selectors.verify_submitted(data)
        context.update(text=text, url=url)
    return render(request, "verification/verify.html", context)


def _fetch_for_verify(url: str) -> bytes | None:
    """The document at ``url``: our own credentials locally, others through the guarded fetcher."""
    if url.startswith(links.absolute("/c/")):
        public_id = url.removeprefix(links.absolute("/c/")).split("/")[0].split(".")[0]
        text = selectors.credential_text(public_id)
        return text.encode("utf-8") if text is not None else None
    try:
        response = Fetcher().get(url, accept="application/ld+json, application/json")
    except CredentialError:
        return None
    return response.body if response.ok else None
