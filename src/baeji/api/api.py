"""The issuing API (django-ninja): award, batch, jobs, list, get, revoke, suspend.

Every endpoint authenticates a per-organization bearer token, checks its scope, and calls the
same services as the web pages. Errors are JSON ``{"code": ..., "message": ...}``; an award of
another organization is simply not found (404).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from baeji.api import selectors
from baeji.api.services import api_token_authenticate
from baeji.awards.models import Award
from baeji.awards.services import (
    AwardError,
    IssueItem,
    award_issue,
    award_issue_many,
    award_revoke,
    award_suspend,
)
from baeji.core import links

MAX_BATCH = 500
MAX_PAGE = 200


class TokenAuth(HttpBearer):
    """``Authorization: Bearer bj_…``; the request gets ``request.auth`` = the ApiToken."""

    def authenticate(self, request, token: str):
        """The live token, or None (→ 401)."""
        return api_token_authenticate(token)


api = NinjaAPI(
    title="Baeji issuing API",
    version="1",
    description=(
        "Issue and manage Open Badges 3.0 credentials of one organization. Authenticate with "
        "`Authorization: Bearer <token>`; tokens are created by the organization's admins. "
        "Scopes: `award` (issue, revoke, suspend) and `read`. Errors are JSON objects with a "
        "`code` and a `message`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
)


class ApiError(Exception):
    """An error answered as ``{"code", "message"}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str, details=None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def _error(request, status: int, code: str, message: str, details=None):
    body = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return api.create_response(request, body, status=status)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return _error(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _error(request, 401, "unauthenticated", "A valid, unrevoked API token is required.")


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    return _error(request, 422, "invalid", "The request is not valid.", exc.errors)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "error", str(exc))


def _need(request, scope: str):
    token = request.auth
    if scope not in token.scopes:
        raise ApiError(403, "forbidden", f"This token does not have the {scope!r} scope.")
    return token


# -- schemas ----------------------------------------------------------------------------------


class ErrorOut(Schema):
    """An error."""

    code: str
    message: str


class AwardIn(Schema):
    """One award to issue."""

    achievement: str
    recipient_email: str
    recipient_name: str
    evidence_url: str | None = None
    narrative: str | None = None
    result: str | None = None
    notify: bool = True


class AwardOut(Schema):
    """An award as the API shows it."""

    id: str
    achievement: str
    achievement_name: str
    recipient_email: str
    recipient_name: str
    status: str
    issued_at: datetime
    claimed_at: datetime | None
    url: str


class AwardDetailOut(AwardOut):
    """An award with its signed credential."""

    credential: dict


class AwardPage(Schema):
    """A page of awards."""

    count: int
    limit: int
    offset: int
    items: list[AwardOut]


class BatchIn(Schema):
    """A batch of awards, issued all together or not at all."""

    items: list[AwardIn]


class BatchItemOut(Schema):
    """The result of one batch item."""

    index: int
    ok: bool
    award: AwardOut | None = None
    errors: list[str] = Field(default_factory=list)


class BatchOut(Schema):
    """The per-item results of a batch."""

    issued: int
    items: list[BatchItemOut]


class StatusIn(Schema):
    """Why an award's status changes."""

    reason: str = ""


class JobOut(Schema):
    """A bulk-issuance job's progress."""

    id: str
    status: str
    total: int
    done: int
    errors: int
    started_at: datetime | None
    finished_at: datetime | None


class AwardFilters(Schema):
    """Filters and paging of the award list."""

    achievement: str | None = None
    status: str | None = None
    email: str | None = None
    issued_after: datetime | None = None
    issued_before: datetime | None = None
    claimed: bool | None = None
    limit: int = 50
    offset: int = 0


def _award_out(award: Award) -> dict:
    return {
        "id": award.public_id,
        "achievement": award.achievement.public_id,
        "achievement_name": award.version.name,
        "recipient_email": award.recipient_email,
        "recipient_name": award.recipient_name,
        "status": award.status,
        "issued_at": award.issued_at,
        "claimed_at": award.claimed_at,
        "url": links.credential_url(award),
    }


def _check_item(organization, item: AwardIn) -> tuple[object | None, list[str]]:
    errors = []
    achievement = selectors.achievement_for_api(organization, item.achievement)
    if achievement is None:
        errors.append(f"No badge {item.achievement!r} in this organization.")
    elif achievement.archived:
        errors.append("This badge is archived and can no longer be awarded.")
    try:
        validate_email(item.recipient_email.strip())
    except DjangoValidationError:
        errors.append(f"{item.recipient_email!r} is not an e-mail address.")
    if not item.recipient_name.strip():
        errors.append("recipient_name is empty.")
    if item.evidence_url and not item.evidence_url.startswith(("https://", "http://")):
        errors.append("evidence_url must be an http(s) URL.")
    return achievement, errors


def _award_of(request, award_id: str) -> Award:
    try:
        return selectors.award_for_api(request.auth.organization, award_id)
    except Award.DoesNotExist:
        raise ApiError(404, "not_found", "No such award in this organization.") from None


# -- endpoints --------------------------------------------------------------------------------


@api.post(
    "/v1/awards",
    response={201: AwardOut, 403: ErrorOut, 422: ErrorOut},
    summary="Award a badge to one learner",
)
def award_one(request, payload: AwardIn):
    """Issue one badge; the award e-mail is sent unless ``notify`` is false."""
    token = _need(request, "award")
    achievement, errors = _check_item(token.organization, payload)
    if errors:
        raise ApiError(422, "invalid", " ".join(errors))
    try:
        award = award_issue(
            achievement=achievement,
            recipient_email=payload.recipient_email,
            recipient_name=payload.recipient_name,
            issued_by=token.created_by,
            evidence_url=payload.evidence_url,
            narrative=payload.narrative,
            result=payload.result,
            notify=payload.notify,
            organization=token.organization,
        )
    except AwardError as error:
        raise ApiError(422, "award_refused", str(error)) from error
    return Status(201, _award_out(award))


def _queue_emails(awards, _pending) -> None:
    from baeji.awards.tasks import send_award_email

    for award in awards:
        send_award_email.enqueue(award.pk)


@api.post(
    "/v1/awards/batch",
    response={201: BatchOut, 403: ErrorOut, 422: ErrorOut},
    summary="Award a batch (all or nothing)",
)
def award_batch(request, payload: BatchIn):
    """Issue up to 500 awards in one transaction. If any item is invalid nothing is issued and
    the answer lists every item's errors."""
    token = _need(request, "award")
    if not payload.items:
        raise ApiError(422, "invalid", "The batch is empty.")
    if len(payload.items) > MAX_BATCH:
        raise ApiError(422, "too_large", f"At most {MAX_BATCH} items per batch.")
    checked = [_check_item(token.organization, item) for item in payload.items]
    if any(errors for _a, errors in checked):
        details = [
            {"index": n, "ok": not errors, "errors": errors}
            for n, (_a, errors) in enumerate(checked)
        ]
        raise ApiError(
            422, "invalid_items", "Some items are not valid; nothing was issued.", details
        )
    items = [
        IssueItem(
            achievement=achievement,
            recipient_name=item.recipient_name.strip(),
            recipient_email=item.recipient_email.strip().lower(),
            evidence_url=item.evidence_url,
            narrative=item.narrative,
            result=item.result,
        )
        for item, (achievement, _e) in zip(payload.items, checked, strict=True)
    ]
    notify = [item.notify for item in payload.items]
    try:
        with transaction.atomic():
            awards, _pending = award_issue_many(
                organization=token.organization,
                items=items,
                issued_by=token.created_by,
                on_commit=lambda a, p: _queue_emails(
                    [x for x, n in zip(a, notify, strict=True) if n], p
                ),
            )
    except AwardError as error:
        raise ApiError(422, "award_refused", str(error)) from error
    fresh = {
        a.public_id: a
        for a in Award.objects.filter(pk__in=[a.pk for a in awards]).select_related(
            "achievement", "version"
        )
    }
    return Status(
        201,
        {
            "issued": len(awards),
            "items": [
                {"index": n, "ok": True, "award": _award_out(fresh[a.public_id])}
                for n, a in enumerate(awards)
            ],
        },
    )


@api.get(
    "/v1/jobs/{job_id}",
    response={200: JobOut, 403: ErrorOut, 404: ErrorOut},
    summary="A bulk-issuance job's status",
)
def job_status(request, job_id: str):
    """Progress of a bulk-issuance job (a spreadsheet batch) of this organization."""
    token = _need(request, "read")
    job = selectors.job_for_api(token.organization, job_id)
    if job is None:
        raise ApiError(404, "not_found", "No such job in this organization.")
    return {
        "id": job.public_id,
        "status": job.status,
        "total": job.job_total,
        "done": job.job_done,
        "errors": job.job_errors,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


@api.get("/v1/awards", response={200: AwardPage, 403: ErrorOut}, summary="List awards")
def award_list(request, filters: Query[AwardFilters]):
    """The organization's awards, newest first; ``limit`` at most 200."""
    token = _need(request, "read")
    limit = max(1, min(filters.limit, MAX_PAGE))
    offset = max(0, filters.offset)
    queryset = selectors.awards_for_api(
        token.organization,
        achievement=filters.achievement,
        status=filters.status,
        email=filters.email,
        issued_after=filters.issued_after,
        issued_before=filters.issued_before,
        claimed=filters.claimed,
    )
    return {
        "count": queryset.count(),
        "limit": limit,
        "offset": offset,
        "items": [_award_out(a) for a in queryset[offset : offset + limit]],
    }


@api.get(
    "/v1/awards/{award_id}",
    response={200: AwardDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="One award with its credential",
)
def award_get(request, award_id: str):
    """One award and its signed credential JSON, exactly as issued."""
    import json

    _need(request, "read")
    award = _award_of(request, award_id)
    return {**_award_out(award), "credential": json.loads(award.credential_json)}


def _change(request, award_id: str, payload: StatusIn, service):
    token = _need(request, "award")
    award = _award_of(request, award_id)
    try:
        award = service(award=award, reason=payload.reason.strip(), by=token.created_by)
    except AwardError as error:
        raise ApiError(409, "conflict", str(error)) from error
    award = selectors.award_for_api(token.organization, award.public_id)
    return _award_out(award)


@api.post(
    "/v1/awards/{award_id}/revoke",
    response={200: AwardOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Revoke an award",
)
def award_revoke_endpoint(request, award_id: str, payload: StatusIn):
    """Revoke for good; the status list is re-signed at once."""
    return _change(request, award_id, payload, award_revoke)


@api.post(
    "/v1/awards/{award_id}/suspend",
    response={200: AwardOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Suspend an award",
)
def award_suspend_endpoint(request, award_id: str, payload: StatusIn):
    """Suspend until reinstated in the web interface."""
    return _change(request, award_id, payload, award_suspend)
