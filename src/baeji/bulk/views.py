"""Bulk-issuance pages: upload, column mapping, validation results, review, progress, report.

Thin: every protected object comes from core.access, every change from bulk.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from baeji.achievements.models import Achievement
from baeji.bulk import selectors, services
from baeji.bulk.forms import UploadForm, mapping_form
from baeji.bulk.messages import kind as error_kind
from baeji.bulk.models import Batch
from baeji.bulk.spreadsheet import (
    SpreadsheetError,
    report_chunks,
    template_csv,
    template_xlsx,
)
from baeji.core.access import (
    access_batch_for_user,
    access_organization_for_user,
    may,
)
from baeji.organizations.models import Organization


def _language() -> str:
    return "en" if (translation.get_language() or "ko").startswith("en") else "ko"


@login_required
@require_http_methods(["GET", "POST"])
def bulk_home(request, slug: str):
    """An institution's uploads and the upload form."""
    organization = access_organization_for_user(request.user, slug, need="issue")
    achievements = services.issuable_achievements(organization)
    form = UploadForm(request.POST or None, request.FILES or None, achievements=achievements)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = services.batch_create(
                    organization=organization,
                    filename=upload.name,
                    data=_read_limited(upload),
                    uploaded_by=request.user,
                    default_achievement=form.cleaned_data["achievement"],
                    language=_language(),
                )
            except SpreadsheetError as error:
                form.add_error("file", error.message(_language()))
            except services.BulkError as error:
                form.add_error("achievement", _(str(error)))
            else:
                return redirect("bulk-batch", batch.public_id)
        status = 400
    return render(
        request,
        "bulk/home.html",
        {
            "organization": organization,
            "section": "bulk",
            "form": form,
            "batches": selectors.batches_for_organization(organization),
            "limits": services.limits(),
            "needs_review": services.needs_review(organization),
        },
        status=status,
    )


def _read_limited(upload) -> bytes:
    """The upload's bytes, refusing (before reading) anything over the configured limit."""
    limit = services.limits()["max_bytes"]
    if upload.size > limit:
        raise SpreadsheetError("file_too_large", size=upload.size, max=limit)
    return upload.read()


@require_GET
def bulk_template(request, fmt: str):
    """The upload template as CSV or XLSX, in Korean (default) or English (``?lang=en``)."""
    language = "en" if request.GET.get("lang") == "en" else "ko"
    if fmt == "csv":
        body, kind = template_csv(language), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = template_xlsx(language)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404("no such template")
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="baeji-template-{language}.{fmt}"'
    return response


def _detail_context(request, batch: Batch) -> dict:
    parent = batch.organization.parent
    can_review = parent is not None and may(request.user, parent, "manage")
    language = _language()
    errors = [
        (row.line, [(item.get("field") or "", item[language]) for item in row.errors])
        for row in selectors.invalid_rows(batch)
    ]
    context = {
        "organization": batch.organization,
        "section": "bulk",
        "batch": batch,
        "can_issue": may(request.user, batch.organization, "issue"),
        "can_review": can_review and batch.status == Batch.Status.SUBMITTED,
        "errors": errors,
        "progress": selectors.progress(batch),
        "sample": selectors.sample_rows(batch) if batch.status == Batch.Status.SUBMITTED else [],
        "per_achievement": sorted((batch.summary.get("achievements") or {}).items()),
        "per_error": sorted(
            (
                (error_kind(code, language), count)
                for code, count in (batch.summary.get("errors") or {}).items()
            ),
            key=lambda item: (-item[1], item[0]),
        ),
    }
    if batch.status == Batch.Status.MAPPING:
        context["mapping_form"] = mapping_form(batch)
    return context


@login_required
@require_GET
def batch_detail(request, public_id: str):
    """One upload: columns to map, validation results, submission, review and progress."""
    batch = access_batch_for_user(request.user, public_id, need="view")
    return render(request, "bulk/batch.html", _detail_context(request, batch))


@login_required
@require_POST
def batch_mapping(request, public_id: str):
    """Save what each column means; validation starts."""
    batch = access_batch_for_user(request.user, public_id, need="issue")
    form = mapping_form(batch, request.POST)
    if form.is_valid():
        mapping = {batch.headers[int(name[4:])]: value for name, value in form.cleaned_data.items()}
        try:
            services.batch_set_mapping(batch=batch, mapping=mapping, by=request.user)
        except SpreadsheetError as error:
            form.add_error(None, error.message(_language()))
        except services.BulkError as error:
            form.add_error(None, _(str(error)))
        else:
            return redirect("bulk-batch", batch.public_id)
    context = _detail_context(request, batch)
    context["mapping_form"] = form
    return render(request, "bulk/batch.html", context, status=400)


@login_required
@require_POST
def batch_submit(request, public_id: str):
    """Submit a checked upload for approval (or issue it, for trusted institutions)."""
    batch = access_batch_for_user(request.user, public_id, need="issue")
    try:
        batch = services.batch_submit(
            batch=batch, by=request.user, skip_invalid=bool(request.POST.get("skip_invalid"))
        )
    except services.BulkError as error:
        messages.error(request, _(str(error)))
        return redirect("bulk-batch", batch.public_id)
    if batch.status == Batch.Status.SUBMITTED:
        messages.success(request, _("Sent to the authority for approval."))
    else:
        messages.success(request, _("Issuing has started."))
    return redirect("bulk-batch", batch.public_id)


@login_required
@require_POST
def batch_review(request, public_id: str):
    """Approve or reject an institution's request (the authority's managers only)."""
    batch = access_batch_for_user(request.user, public_id, need="view")
    if batch.organization.parent is None:
        raise PermissionDenied("nothing to review")
    access_organization_for_user(request.user, batch.organization.parent.slug, need="manage")
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("Choose to approve or to reject."))
        return redirect("bulk-batch", batch.public_id)
    comment = request.POST.get("comment", "")[:2000]
    if decision == "reject" and not comment.strip():
        messages.error(
            request, _("Say why the request is rejected, so the institution can fix it.")
        )
        return redirect("bulk-batch", batch.public_id)
    try:
        services.batch_review(
            batch=batch, by=request.user, approve=decision == "approve", comment=comment
        )
    except services.BulkError as error:
        messages.error(request, _(str(error)))
    else:
        messages.success(
            request,
            _("Approved: issuing has started.") if decision == "approve" else _("Rejected."),
        )
    return redirect("bulk-batch", batch.public_id)


@login_required
@require_POST
def batch_cancel(request, public_id: str):
    """Cancel an upload or stop its issuing job."""
    batch = access_batch_for_user(request.user, public_id, need="issue")
    try:
        services.batch_cancel(batch=batch, by=request.user)
    except services.BulkError as error:
        messages.error(request, _(str(error)))
    else:
        messages.success(request, _("Cancelled. Badges already issued stay issued."))
    return redirect("bulk-batch", batch.public_id)


@login_required
@require_GET
def batch_progress(request, public_id: str):
    """The progress fragment that the batch page polls with htmx while work is going on."""
    batch = access_batch_for_user(request.user, public_id, need="view")
    response = render(
        request,
        "bulk/_progress.html",
        {"batch": batch, "progress": selectors.progress(batch)},
    )
    if batch.status not in (Batch.Status.VALIDATING, Batch.Status.ISSUING):
        # Finished: reload the page once so that the results and buttons appear.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def batch_report(request, public_id: str):
    """``row,outcome,url,error`` for every row, streamed as CSV (UTF-8 with BOM)."""
    batch = access_batch_for_user(request.user, public_id, need="view")
    rows = services.report_rows(batch, language=_language())
    response = StreamingHttpResponse(report_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="baeji-report-{batch.public_id}.csv"'
    return response


@login_required
@require_GET
def batch_claim_sheet(request, public_id: str):
    """The printable claim-code sheet of a batch: one card per learner without e-mail."""
    from django.urls import reverse

    from baeji.claims.views import claim_cards
    from baeji.core import links

    batch = access_batch_for_user(request.user, public_id, need="issue")
    return render(
        request,
        "claims/claim_sheet.html",
        {
            "sheet_title": batch.filename,
            "cards": claim_cards(selectors.pending_for_claim_sheet(batch)),
            "claim_page": links.absolute(reverse("claim-code")),
        },
    )


@login_required
@require_GET
def review_list(request, slug: str):
    """An authority's pending issuance requests from its institutions."""
    authority = access_organization_for_user(request.user, slug, need="manage")
    return render(
        request,
        "bulk/review_list.html",
        {
            "organization": authority,
            "section": "bulk-review",
            "batches": selectors.batches_awaiting_review(authority),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignments(request, slug: str):
    """Which of the authority's badges each institution may issue, and who is trusted."""
    authority = access_organization_for_user(request.user, slug, need="manage")
    if request.method == "POST":
        institution = Organization.objects.filter(
            parent=authority, public_id=request.POST.get("institution", "")
        ).first()
        if institution is None:
            messages.error(request, _("Choose one of your institutions."))
            return redirect("bulk-assignments", authority.slug)
        if "direct_issue" in request.POST:
            services.intake_policy_set(
                institution=institution,
                direct_issue=request.POST["direct_issue"] == "1",
                by=request.user,
            )
        else:
            achievement = Achievement.objects.filter(
                organization=authority, public_id=request.POST.get("achievement", "")
            ).first()
            if achievement is None:
                messages.error(request, _("Choose one of your badges."))
                return redirect("bulk-assignments", authority.slug)
            services.assignment_set(
                achievement=achievement,
                institution=institution,
                assigned=request.POST.get("assigned") == "1",
                by=request.user,
            )
        messages.success(request, _("Saved."))
        return redirect("bulk-assignments", authority.slug)
    badges = list(
        Achievement.objects.filter(organization=authority, archived=False).select_related(
            "current_version"
        )
    )
    return render(
        request,
        "bulk/assignments.html",
        {
            "organization": authority,
            "section": "bulk-assignments",
            "badges": badges,
            "rows": selectors.assignments_for_authority(authority),
        },
    )
