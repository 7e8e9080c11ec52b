"""The issuing API (django-ninja): award, batch, jobs, list, get, revoke, suspend.

Every endpoint authenticates a per-organization bearer token, checks its scope, and calls the
same services as the web pages. Errors are JSON ``{"code": ..., "message": ...}``; an award of
another organization is simply not found (404).
"""

from __future__ import annotations

import re
from datetime import datetime

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Header, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from baeji.api import selectors
from baeji.api.services import api_token_authenticate
from baeji.awards.models import Award
from baeji.awards.services import AwardError, award_issue, award_revoke, award_suspend
from baeji.core import links

MAX_PAGE = 200
# Past any real list, and small enough for a database's 64-bit OFFSET.
MAX_OFFSET = 10**12
# What a client may send as ``Idempotency-Key``: 1 to 255 visible ASCII characters.
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")


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


@api.exception_handler(RequestDataTooBig)
def _body_too_large(request, exc):
    return _error(request, 413, "too_large", _("The request body is too large."))


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


class BatchItemIn(Schema):
    """One award of a batch job; checked like a spreadsheet row."""

    achievement: str = Field(description="The badge's slug or public id.")
    recipient_name: str
    recipient_email: str | None = Field(
        None, description="Without it the award waits for the learner with a claim code."
    )
    issued_on: str | None = Field(
        None, description="The award's date (YYYY-MM-DD); today in Korea when omitted."
    )
    evidence_url: str | None = None
    narrative: str | None = None
    result: str | None = None
    learner_id: str | None = Field(None, description="Your own id of the learner.")
    notify: bool = Field(True, description="Send the award e-mail.")


class BatchIn(Schema):
    """A batch of awards, issued by a background job."""

    items: list[BatchItemIn]
    skip_invalid: bool = Field(
        False, description="Issue the valid items even if some are invalid (they are reported)."
    )


class ItemErrorOut(Schema):
    """One problem of one item."""

    field: str | None
    code: str
    message: str


class InvalidItemOut(Schema):
    """An item that failed the check (in the ``details`` of an ``invalid_items`` error)."""

    index: int
    line: int
    errors: list[ItemErrorOut]


class InvalidItemsOut(ErrorOut):
    """The batch was refused and nothing was stored; with ``invalid_items``, ``details`` lists
    the invalid items."""

    details: list[InvalidItemOut] | None = None


class StatusIn(Schema):
    """Why an award's status changes."""

    reason: str = ""


class JobLinks(Schema):
    """Where to follow a job."""

    status: str
    items: str


class JobOut(Schema):
    """A bulk-issuance job (an API batch or an uploaded spreadsheet) and its progress."""

    id: str
    status: str = Field(
        description="validated, submitted (waiting for the authority's approval), issuing, "
        "done, rejected, cancelled or failed (mapping and validating: a spreadsheet being "
        "checked)."
    )
    source: str = Field(description="api or upload")
    total: int = Field(description="Awards the job issues (the valid items).")
    done: int
    rate: float = Field(description="Items done per second since the job started.")
    eta_seconds: float | None = Field(
        description="Seconds left at that rate (null before the first items are done)."
    )
    errors: int = Field(description="Items that could no longer be issued when their turn came.")
    item_count: int
    valid: int
    invalid: int
    already_issued: int
    pending_claim: int = Field(description="Valid items without e-mail (claim codes).")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    links: JobLinks


class JobItemOut(Schema):
    """What became of one item of a job."""

    index: int | None = Field(description="Position in the request (from 0); null for uploads.")
    line: int = Field(description="index + 1, or the row in the spreadsheet.")
    outcome: str = Field(
        description="issued, pending_claim, already_issued, invalid, waiting (not issued yet) "
        "or not_issued (the job was rejected, cancelled or failed)."
    )
    award_id: str | None = None
    url: str | None = Field(None, description="The credential's address.")
    claim_url: str | None = Field(None, description="Where the learner claims a pending award.")
    errors: list[ItemErrorOut]


class JobItemPage(Schema):
    """A page of a job's items, in order."""

    count: int
    limit: int
    offset: int
    items: list[JobItemOut]


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
    for field in ("recipient_name", "evidence_url", "result"):
        value, most = getattr(item, field), Award._meta.get_field(field).max_length
        if value and len(value.strip()) > most:
            errors.append(f"{field} is longer than {most} characters.")
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


def _language() -> str:
    return "ko" if (translation.get_language() or "").startswith("ko") else "en"


def _item_errors(errors, language: str) -> list[dict]:
    """Row errors (``RowError`` objects or their stored JSON) as the API shows them."""
    out = []
    for error in errors:
        if isinstance(error, dict):
            out.append(
                {"field": error.get("field"), "code": error["code"], "message": error[language]}
            )
        else:
            out.append(
                {"field": error.field, "code": error.code, "message": error.message(language)}
            )
    return out


def _page(limit: int, offset: int) -> tuple[int, int]:
    """``limit`` and ``offset`` brought into range (an offset past the end gives no items)."""
    return max(1, min(limit, MAX_PAGE)), max(0, min(offset, MAX_OFFSET))


def _job_url(name: str, job) -> str:
    return links.absolute(reverse(f"api:{name}", kwargs={"job_id": job.public_id}))


def _job_out(job) -> dict:
    from baeji.bulk.selectors import progress

    numbers = progress(job)
    return {
        "id": job.public_id,
        "status": job.status,
        "source": job.source,
        "total": job.job_total or job.valid_rows,
        "done": job.job_done,
        "rate": round(numbers["rate"], 3),
        "eta_seconds": None if numbers["eta"] is None else round(numbers["eta"], 1),
        "errors": job.job_errors,
        "item_count": job.total_rows,
        "valid": job.valid_rows,
        "invalid": job.invalid_rows,
        "already_issued": job.already_rows,
        "pending_claim": job.pending_rows,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "links": {"status": _job_url("job-status", job), "items": _job_url("job-items", job)},
    }


def _job_of(request, job_id: str):
    token = _need(request, "read")
    job = selectors.job_for_api(token.organization, job_id)
    if job is None:
        raise ApiError(404, "not_found", _("No such job in this organization."))
    return job


@api.post(
    "/v1/awards/batch",
    response={202: JobOut, 403: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: InvalidItemsOut},
    summary="Award a batch (returns a job)",
)
def award_batch(
    request,
    response: HttpResponse,
    payload: BatchIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description="Send the same key again (say, after a timeout) to get the same job back "
        "instead of a second one.",
    ),
):
    """Check every item, then issue them with a background job; follow it at ``links``.

    Items are checked like spreadsheet rows (same checks, same messages in Korean and English
    by ``Accept-Language``). If any item is invalid nothing is stored and the answer (422
    ``invalid_items``) lists the invalid items, unless ``skip_invalid``. An item already issued
    (same learner, badge and date) is not issued twice; it is reported as ``already_issued``.
    An institution whose authority reviews its requests gets a ``submitted`` job that issues
    once approved.
    """
    from baeji.bulk.services import BulkError, RecordsInvalid, batch_create_from_records, limits

    token = _need(request, "award")
    if idempotency_key is not None and not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise ApiError(
            422,
            "invalid",
            _("The Idempotency-Key header must be 1 to 255 visible ASCII characters."),
        )
    if not payload.items:
        raise ApiError(422, "invalid", _("The batch is empty."))
    most = limits()["max_records"]
    if len(payload.items) > most:
        raise ApiError(422, "too_large", _("At most %(max)d items per batch.") % {"max": most})
    records = [
        {
            "name": item.recipient_name,
            "email": item.recipient_email,
            "achievement": item.achievement,
            "issued_on": item.issued_on,
            "evidence_url": item.evidence_url,
            "narrative": item.narrative,
            "result": item.result,
            "learner_id": item.learner_id,
            "notify": item.notify,
        }
        for item in payload.items
    ]
    language = _language()
    try:
        job, created = batch_create_from_records(
            organization=token.organization,
            records=records,
            uploaded_by=token.created_by,
            label=f"API: {token.name}",
            skip_invalid=payload.skip_invalid,
            idempotency_key=idempotency_key or "",
            language=language,
        )
    except RecordsInvalid as error:
        details = [
            {"index": index, "line": index + 1, "errors": _item_errors(errors, language)}
            for index, errors in sorted(error.errors.items())
        ]
        message = (
            _("No item is valid; nothing was stored.")
            if len(details) == len(records)
            else _("Some items are not valid; nothing was stored.")
        )
        raise ApiError(422, "invalid_items", message, details) from error
    except BulkError as error:
        if error.code == "idempotency_conflict":
            raise ApiError(
                409,
                "idempotency_conflict",
                _("This Idempotency-Key was already used for a batch with other items."),
            ) from error
        raise ApiError(422, error.code, _(str(error))) from error
    job = selectors.job_for_api(token.organization, job.public_id)
    response["Location"] = _job_url("job-status", job)
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(202, _job_out(job))


@api.get(
    "/v1/jobs/{job_id}",
    response={200: JobOut, 403: ErrorOut, 404: ErrorOut},
    summary="A bulk-issuance job's status",
    url_name="job-status",
)
def job_status(request, job_id: str):
    """Progress of a bulk-issuance job (an API batch or a spreadsheet) of this organization."""
    return _job_out(_job_of(request, job_id))


@api.get(
    "/v1/jobs/{job_id}/items",
    response={200: JobItemPage, 403: ErrorOut, 404: ErrorOut},
    summary="What became of each item of a job",
    url_name="job-items",
)
def job_items(request, job_id: str, limit: int = 100, offset: int = 0):
    """The job's items in order with their outcome, award or claim address and errors;
    ``limit`` at most 200."""
    from baeji.bulk.services import claim_code_url

    job = _job_of(request, job_id)
    limit, offset = _page(limit, offset)
    count, rows = selectors.job_items_for_api(job, offset=offset, limit=limit)
    language = _language()
    stopped = job.status in ("rejected", "cancelled", "failed", "done")
    items = []
    for row in rows:
        outcome = row.outcome
        if outcome == "valid":
            outcome = "not_issued" if stopped else "waiting"
        item = {
            "index": row.line - 1 if job.source == "api" else None,
            "line": row.line,
            "outcome": outcome,
            "errors": _item_errors(row.errors, language),
        }
        if row.award is not None:
            item["award_id"] = row.award.public_id
            item["url"] = links.credential_url(row.award)
        elif row.pending is not None:
            item["claim_url"] = claim_code_url(row.pending)
        items.append(item)
    return {"count": count, "limit": limit, "offset": offset, "items": items}


@api.get("/v1/awards", response={200: AwardPage, 403: ErrorOut}, summary="List awards")
def award_list(request, filters: Query[AwardFilters]):
    """The organization's awards, newest first; ``limit`` at most 200."""
    token = _need(request, "read")
    limit, offset = _page(filters.limit, filters.offset)
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
