"""Staff pages of badge classes: see, award, design (create/edit), series, frameworks."""

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baeji.achievements.forms import (
    AchievementEditForm,
    AchievementForm,
    AwardForm,
    DesignForm,
    FrameworkForm,
    FrameworkPartForm,
    ResultRowFormSet,
    SeriesForm,
)
from baeji.achievements.images import DEFAULT_DESIGN, badge_design
from baeji.achievements.models import CompetencyFramework, FrameworkArea, FrameworkLevel
from baeji.achievements.rendering import render_markdown
from baeji.achievements.selectors import (
    framework_areas_for_organization,
    frameworks_for_organization,
    versions_of,
)
from baeji.achievements.services import (
    achievement_create,
    achievement_series_create,
    achievement_update,
    framework_create,
    framework_move,
    framework_part_add,
    framework_part_move,
    framework_part_update,
    framework_update,
)
from baeji.awards.services import AwardError, award_issue
from baeji.badgeart.generate import render_png, validate_design
from baeji.core import links
from baeji.core.access import (
    access_achievement_for_user,
    access_organization_for_user,
    may,
)


@login_required
@require_http_methods(["GET", "POST"])
def achievement_detail(request, public_id: str):
    """A badge class for staff, with the award form (issuers) and the quick edit form (admins)."""
    achievement = access_achievement_for_user(request.user, public_id, need="view")
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
            "can_issue": may(request.user, achievement.organization, "issue"),
            "can_manage": may(request.user, achievement.organization, "manage"),
            "versions": versions_of(achievement),
        },
    )


# --- The designer ------------------------------------------------------------------------


def _alignment_options(organization):
    """(choices, {value: alignment dict}) for the frameworks the organization may align to."""
    choices, lookup = [], {}
    for area in framework_areas_for_organization(organization):
        framework = area.framework
        value = f"area:{area.public_id}"
        if framework.url:
            url = f"{framework.url}#{area.code or area.public_id}"
        else:
            url = f"{links.issuer_url(framework.organization)}#area-{area.public_id}"
        choices.append((value, f"{framework.name} · {area}"))
        lookup[value] = {
            "source": value,
            "target_name": area.name,
            "target_url": url,
            "target_code": area.code,
            "target_framework": framework.name,
            "target_description": area.description,
            "target_type": "CFItem",
        }
    for competency in organization.competencies.all():
        value = f"competency:{competency.public_id}"
        choices.append((value, f"{competency.framework or _('Competencies')} · {competency}"))
        lookup[value] = {
            "source": value,
            "target_name": competency.name,
            "target_url": competency.url or f"{links.issuer_url(organization)}#{competency.code}",
            "target_code": competency.code,
            "target_framework": competency.framework,
            "target_type": "CFItem",
        }
    return choices, lookup


def _selected_alignment_values(alignments, lookup) -> list[str]:
    """Which options a stored alignment list corresponds to (by source, else by code/name)."""
    values = []
    for item in alignments or []:
        if item.get("source") in lookup:
            values.append(item["source"])
            continue
        for value, option in lookup.items():
            if (option["target_code"], option["target_name"]) == (
                item.get("target_code"),
                item.get("target_name"),
            ):
                values.append(value)
                break
    return values


def _design_from(form_data: dict) -> dict:
    return {
        key: form_data[key]
        for key in ("shape", "color", "icon", "text", "subtitle")
        if form_data.get(key)
    }


def _preview_img(design: dict, *, name: str, organization, level) -> str:
    """An <img> with the drawn badge as a data URL, or an error paragraph."""
    badge = badge_design(
        name=name or _("Badge"), organization_name=organization.name, level=level, design=design
    )
    try:
        validate_design(badge)
        png = render_png(badge, 256)
    except ValueError as error:
        return format_html('<p class="message error" role="alert">{}</p>', str(error))
    return format_html(
        '<img src="data:image/png;base64,{}" width="256" height="256" alt="{}">',
        base64.b64encode(png).decode("ascii"),
        _("Preview of the badge image"),
    )


def _designer(request, organization, achievement=None):
    """Shared by create and edit: the big form, the design and the result rows."""
    version = achievement.current_version if achievement else None
    choices, lookup = _alignment_options(organization)
    has_upload = bool(version and (version.design or {}).get("source") == "upload")
    if version is None:
        initial = {"achievement_type": "Badge", "language": organization.language or "ko"}
        design_initial = dict(DEFAULT_DESIGN)
        rows_initial = []
    else:
        initial = {
            "name": version.name,
            "description": version.description,
            "criteria_md": version.criteria_md,
            "achievement_type": version.achievement_type,
            "category": version.category,
            "tags": ", ".join(version.tags or []),
            "family": version.family,
            "level": version.level,
            "level_name": version.level_name,
            "valid_days": version.valid_days,
            "language": version.language,
            "alignments": _selected_alignment_values(version.alignments, lookup),
            "image_source": "upload" if has_upload else "template",
        }
        design_initial = {**DEFAULT_DESIGN, **(version.design or {})}
        rows_initial = [
            {
                "name": r.get("name", ""),
                "result_type": r.get("result_type", "Result"),
                "allowed_values": ", ".join(r.get("allowed_values") or []),
                "required_value": r.get("required_value", ""),
            }
            for r in version.result_descriptions or []
        ]
    post = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form_kwargs = {
        "alignment_choices": choices,
        "editing": achievement is not None,
        "has_upload": has_upload,
    }
    form = AchievementForm(post, files, initial=initial, **form_kwargs)
    design_form = DesignForm(post, initial=design_initial, prefix="design")
    rows = ResultRowFormSet(post, initial=rows_initial, prefix="results")
    if post is not None and "add_result" in post:
        # Adding a row is a round trip without JavaScript: show the same form with one more.
        data = post.copy()
        try:
            shown = int(data.get("results-TOTAL_FORMS", 0))
        except ValueError:
            shown = 0  # a tampered count: start the rows over rather than fail
        data["results-TOTAL_FORMS"] = str(max(shown, 0) + 1)
        form = AchievementForm(data, files, initial=initial, **form_kwargs)
        design_form = DesignForm(data, initial=design_initial, prefix="design")
        rows = ResultRowFormSet(data, initial=rows_initial, prefix="results")
        form.errors.clear()
        design_form.errors.clear()
        rows._errors = [{} for _f in rows.forms]
        rows._non_form_errors = rows.error_class()
    elif post is not None and form.is_valid() & design_form.is_valid() & rows.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("upload")
        data.pop("image_file")
        source = data.pop("image_source")
        design = _design_from(design_form.cleaned_data)
        if source == "upload" and upload is None and has_upload:
            design["source"] = "upload"  # keep the picture already uploaded
        data["design"] = design
        data["alignments"] = [lookup[v] for v in data["alignments"]]
        data["result_descriptions"] = [
            row for row in (f.as_description() for f in rows.forms) if row is not None
        ]
        preview_error = None
        if source == "template":
            badge = badge_design(
                name=data["name"],
                organization_name=organization.name,
                level=data["level"],
                design=design,
            )
            try:
                validate_design(badge)
            except ValueError as error:
                preview_error = str(error)
        if preview_error:
            design_form.add_error(None, _("The image cannot be drawn: %s") % preview_error)
        elif achievement is None:
            slug = data.pop("slug")
            try:
                with transaction.atomic():
                    achievement = achievement_create(
                        organization=organization, slug=slug, by=request.user, upload=upload, **data
                    )
            except IntegrityError:
                form.add_error(
                    "slug", _("Another badge of this organization uses this identifier.")
                )
            else:
                messages.success(request, _("Badge created."))
                return redirect("achievement-detail", public_id=achievement.public_id)
        else:
            new = achievement_update(
                achievement=achievement, by=request.user, upload=upload, **data
            )
            if new.number != version.number:
                messages.success(
                    request,
                    _("Saved as version %(n)d; badges already awarded keep their version.")
                    % {"n": new.number},
                )
            else:
                messages.success(request, _("Badge saved."))
            return redirect("achievement-detail", public_id=achievement.public_id)
    level = version.level if version else None
    preview = (
        format_html(
            '<img src="{}" width="256" height="256" alt="{}">',
            links.badge_image_url(version),
            _("The current badge image"),
        )
        if has_upload
        else _preview_img(
            design_initial,
            name=version.name if version else "",
            organization=organization,
            level=level,
        )
    )
    return render(
        request,
        "achievements/design.html",
        {
            "organization": organization,
            "achievement": achievement,
            "version": version,
            "form": form,
            "design_form": design_form,
            "rows": rows,
            "preview": preview,
            "has_upload": has_upload,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def achievement_new(request, slug: str):
    """Design a new badge class (admins)."""
    organization = access_organization_for_user(request.user, slug, need="manage")
    return _designer(request, organization)


@login_required
@require_http_methods(["GET", "POST"])
def achievement_edit(request, public_id: str):
    """Edit a badge class in the designer (admins); awarded versions stay as they were."""
    achievement = access_achievement_for_user(request.user, public_id, need="manage")
    return _designer(request, achievement.organization, achievement)


@login_required
@require_POST
def design_preview(request, slug: str):
    """htmx: the badge image drawn from the designer's current choices, as an <img>."""
    organization = access_organization_for_user(request.user, slug, need="manage")
    design_form = DesignForm(request.POST, prefix="design")
    if not design_form.is_valid():
        errors = "; ".join(str(e) for errs in design_form.errors.values() for e in errs)
        return HttpResponse(format_html('<p class="message error" role="alert">{}</p>', errors))
    try:
        level = int(request.POST.get("level") or 0) or None
    except ValueError:
        level = None
    return HttpResponse(
        _preview_img(
            _design_from(design_form.cleaned_data),
            name=request.POST.get("name", "").strip(),
            organization=organization,
            level=level,
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
def achievement_series(request, slug: str):
    """Make a levelled family at once (e.g. eight swimming levels)."""
    organization = access_organization_for_user(request.user, slug, need="manage")
    form = SeriesForm(
        request.POST or None,
        initial={"shape": "hexagon", "color": "#1F5FAD", "icon": "star"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        results = (
            [{"name": data["result_name"], "result_type": "Result"}] if data["result_name"] else []
        )
        try:
            created = achievement_series_create(
                organization=organization,
                family=data["family"],
                slug_prefix=data["slug_prefix"],
                levels=data["levels"],
                by=request.user,
                description=data["description"],
                category=data["category"],
                achievement_type=data["achievement_type"],
                tags=[t for t in (data["category"], data["family"]) if t],
                language=organization.language or "ko",
                result_descriptions=results,
                design={"shape": data["shape"], "color": data["color"], "icon": data["icon"]},
            )
        except ValueError as error:
            form.add_error("slug_prefix", str(error))
        else:
            messages.success(
                request,
                _("%(n)d badges created in the family %(family)s.")
                % {"n": len(created), "family": data["family"]},
            )
            return redirect("organization", slug=organization.slug)
    return render(request, "achievements/series.html", {"organization": organization, "form": form})


# --- Competency frameworks ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def framework_list(request, slug: str):
    """The frameworks an organization uses (its own and its authority's); admins add and order."""
    organization = access_organization_for_user(request.user, slug, need="view")
    can_manage = may(request.user, organization, "manage")
    form = FrameworkForm(request.POST or None)
    if request.method == "POST":
        organization = access_organization_for_user(request.user, slug, need="manage")
        action = request.POST.get("action", "add")
        if action in ("up", "down"):
            framework = get_object_or_404(
                CompetencyFramework, organization=organization, public_id=request.POST.get("id")
            )
            framework_move(framework=framework, direction=action, by=request.user)
            return redirect("framework-list", slug=slug)
        if form.is_valid():
            framework_create(organization=organization, by=request.user, **form.cleaned_data)
            messages.success(request, _("Framework added."))
            return redirect("framework-list", slug=slug)
    return render(
        request,
        "achievements/frameworks.html",
        {
            "organization": organization,
            "frameworks": frameworks_for_organization(organization),
            "form": form,
            "can_manage": can_manage,
            "section": "frameworks",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def framework_detail(request, slug: str, public_id: str):
    """One framework of the organization: rename it; add, rename and order areas and levels."""
    organization = access_organization_for_user(request.user, slug, need="manage")
    framework = get_object_or_404(
        CompetencyFramework, organization=organization, public_id=public_id
    )
    form = FrameworkForm(
        request.POST if request.POST.get("action") == "rename" else None,
        initial={
            "name": framework.name,
            "description": framework.description,
            "url": framework.url,
        },
    )
    part_form = FrameworkPartForm(
        request.POST
        if request.POST.get("action") in ("add-area", "add-level", "edit-part")
        else None
    )
    if request.method == "POST":
        action = request.POST.get("action")
        kind = request.POST.get("kind")
        model = {"area": FrameworkArea, "level": FrameworkLevel}.get(kind)
        if action == "rename" and form.is_valid():
            framework_update(framework=framework, by=request.user, **form.cleaned_data)
            messages.success(request, _("Framework saved."))
            return redirect("framework-detail", slug=slug, public_id=public_id)
        if action in ("add-area", "add-level") and part_form.is_valid():
            fields = dict(part_form.cleaned_data)
            if action == "add-level":
                fields.pop("code")
            framework_part_add(framework=framework, kind=action[4:], by=request.user, **fields)
            return redirect("framework-detail", slug=slug, public_id=public_id)
        if action in ("up", "down", "edit-part"):
            if model is None:
                raise PermissionDenied("unknown kind")
            part = get_object_or_404(model, framework=framework, public_id=request.POST.get("id"))
            if action in ("up", "down"):
                framework_part_move(part=part, direction=action, by=request.user)
                return redirect("framework-detail", slug=slug, public_id=public_id)
            if part_form.is_valid():
                fields = dict(part_form.cleaned_data)
                if kind == "level":
                    fields.pop("code")
                framework_part_update(part=part, by=request.user, **fields)
                return redirect("framework-detail", slug=slug, public_id=public_id)
        if action not in ("rename", "add-area", "add-level", "up", "down", "edit-part"):
            raise PermissionDenied("unknown action")
    return render(
        request,
        "achievements/framework_detail.html",
        {
            "organization": organization,
            "framework": framework,
            "form": form,
            "part_form": part_form,
            "areas": framework.areas.all(),
            "levels": framework.levels.all(),
            "section": "frameworks",
        },
    )
