"""Bulk issuance writes: uploads, mapping, validation, intake review and the issuing job.

The spreadsheet is read and checked by the framework-free :mod:`baeji.bulk.spreadsheet` and
:mod:`baeji.bulk.validation`; this module stores what they find and drives the job.

Idempotency, in layers: each valid row has a stable key (issuer, learner, achievement, date);
``Award.row_key`` and ``PendingAward.row_key`` are unique per organization in the database, so
a key can be issued once whatever uploads, retries or crashes happen. A chunk re-checks the
keys before signing and, inside its final transaction, first flips its own state from
``running`` to ``done``: a second run of a finished chunk changes nothing, and a run killed
before its commit left nothing behind.

Checking a file is leased too: one run at a time holds the batch's checking lease, renews it
with every write batch of rows and gives it up when the batch is checked; the periodic sweep
queues the check again when a lease runs out (the worker died), see batch_validate.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from baeji.achievements.models import Achievement
from baeji.audit.services import audit_record
from baeji.awards.models import Award, PendingAward
from baeji.awards.services import IssueItem, award_issue_many
from baeji.bulk.messages import LANGUAGES, message
from baeji.bulk.models import (
    AchievementAssignment,
    Batch,
    BatchChunk,
    BatchRow,
    ColumnMapping,
    IntakePolicy,
)
from baeji.bulk.spreadsheet import (
    FIELDS,
    SpreadsheetError,
    Table,
    detect_mapping,
    open_table,
    resolve_mapping,
)
from baeji.bulk.validation import (
    KOREA,
    AchievementInfo,
    RowError,
    ValidRow,
    today_in_korea,
    validate_rows,
)
from baeji.core import links
from baeji.core.queue import enqueue_with_transaction, run_with_transaction

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 100_000
DEFAULT_CHUNK_SIZE = 200
DEFAULT_LEASE_SECONDS = 300
DEFAULT_MAX_RECORDS = 5_000
_WRITE_BATCH = 1000


class BulkError(Exception):
    """A bulk action that cannot be done now; ``message`` is for people (English source text).

    ``code`` is stable for programs; views translate the message with gettext.
    """

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def limits() -> dict[str, int]:
    """The configured upload and job limits (settings ``BAEJI_BULK_*`` or the defaults)."""
    return {
        "max_bytes": int(getattr(settings, "BAEJI_BULK_MAX_BYTES", DEFAULT_MAX_BYTES)),
        "max_rows": int(getattr(settings, "BAEJI_BULK_MAX_ROWS", DEFAULT_MAX_ROWS)),
        "chunk_size": int(getattr(settings, "BAEJI_BULK_CHUNK_SIZE", DEFAULT_CHUNK_SIZE)),
        "lease_seconds": int(getattr(settings, "BAEJI_BULK_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)),
        "max_records": int(getattr(settings, "BAEJI_BULK_MAX_RECORDS", DEFAULT_MAX_RECORDS)),
    }


# --------------------------------------------------------------------------------------------
# Assignments and policies


def issuable_achievements(organization) -> dict[str, Achievement]:
    """The achievements ``organization`` may issue, by slug: its own and those assigned to it.

    When an assigned achievement has the same slug as one of its own, its own wins.
    """
    found: dict[str, Achievement] = {}
    # The badge images stay in the database: issuing needs only their addresses.
    images = ("current_version__image_png", "current_version__image_svg")
    assigned = (
        Achievement.objects.filter(assignments__institution=organization, archived=False)
        .select_related("current_version", "organization")
        .defer(*images)
    )
    own = (
        Achievement.objects.filter(organization=organization, archived=False)
        .select_related("current_version", "organization")
        .defer(*images)
    )
    for achievement in [*assigned, *own]:
        found[achievement.slug] = achievement
    return found


@transaction.atomic
def assignment_set(*, achievement, institution, assigned: bool, by=None) -> bool:
    """Assign (or withdraw) an authority's achievement to one of its member institutions.

    Returns whether anything changed. Only direct members can be assigned.
    """
    if institution.parent_id != achievement.organization_id:
        raise BulkError(
            "not_member", "Achievements can only be assigned to the authority's own institutions."
        )
    if assigned:
        _, created = AchievementAssignment.objects.get_or_create(
            achievement=achievement, institution=institution, defaults={"assigned_by": by}
        )
        changed = created
    else:
        changed = bool(
            AchievementAssignment.objects.filter(
                achievement=achievement, institution=institution
            ).delete()[0]
        )
    if changed:
        audit_record(
            action="bulk.assign" if assigned else "bulk.unassign",
            actor=by,
            organization=achievement.organization,
            target=achievement,
            data={"institution": institution.slug},
        )
    return changed


@transaction.atomic
def intake_policy_set(*, institution, direct_issue: bool, by=None) -> IntakePolicy:
    """Let an institution issue its batches directly, or have the authority review them."""
    policy, _ = IntakePolicy.objects.update_or_create(
        institution=institution, defaults={"direct_issue": direct_issue, "set_by": by}
    )
    audit_record(
        action="bulk.policy",
        actor=by,
        organization=institution.parent or institution,
        target=institution,
        data={"direct_issue": direct_issue},
    )
    return policy


def needs_review(organization) -> bool:
    """True when the organization's batches wait for its authority's approval."""
    if organization.parent_id is None:
        return False
    policy = IntakePolicy.objects.filter(institution=organization).first()
    return not (policy and policy.direct_issue)


# --------------------------------------------------------------------------------------------
# Upload and mapping


def _open(batch: Batch):
    lim = limits()
    return open_table(
        bytes(batch.content), batch.filename, max_bytes=lim["max_bytes"], max_rows=lim["max_rows"]
    )


def _remembered(organization, headers: list[str]) -> dict[str, str]:
    """Detected mapping, completed by what this organization chose before."""
    detected, unknown = detect_mapping(headers)
    stored = ColumnMapping.objects.filter(organization=organization).first()
    if stored:
        used = set(detected.values())
        for header in unknown:
            field = stored.mapping.get(header)
            if field is not None and (not field or field not in used):
                detected[header] = field
                if field:
                    used.add(field)
    return detected


def _mapping_complete(batch: Batch, headers: list[str], mapping: dict[str, str]) -> bool:
    default = batch.default_achievement.slug if batch.default_achievement else None
    try:
        resolve_mapping(headers, mapping, default_achievement=default)
    except SpreadsheetError:
        return False
    named = {header.strip() for header in headers if header.strip()}
    # Every non-empty column must be decided (mapped or explicitly ignored) by a person once.
    return named <= set(mapping)


@transaction.atomic
def batch_create(
    *,
    organization,
    filename: str,
    data: bytes,
    uploaded_by=None,
    default_achievement=None,
    language: str = "ko",
    validate: bool = True,
) -> Batch:
    """Store an upload after checking it can be read (raises ``SpreadsheetError`` if not).

    When every column is known (template headers, or headers this organization mapped
    before) validation is queued at once (``validate=False`` leaves that to the caller);
    otherwise the batch waits in ``mapping`` for a person to say what the columns are.
    """
    lim = limits()
    with open_table(data, filename, max_bytes=lim["max_bytes"], max_rows=lim["max_rows"]) as table:
        headers = list(table.headers)
        file_format, encoding = table.format, table.encoding or ""
    if default_achievement is not None and default_achievement.slug not in issuable_achievements(
        organization
    ):
        raise BulkError("not_assigned", "This achievement is not assigned to this institution.")
    batch = Batch.objects.create(
        organization=organization,
        uploaded_by=uploaded_by if getattr(uploaded_by, "is_authenticated", False) else None,
        filename=filename[:255],
        content=data,
        file_format=file_format,
        encoding=encoding,
        headers=headers,
        default_achievement=default_achievement,
        language=language if language in ("ko", "en") else "ko",
    )
    mapping = _remembered(organization, headers)
    batch.mapping = mapping
    if _mapping_complete(batch, headers, mapping):
        batch.status = Batch.Status.VALIDATING
    batch.save(update_fields=["mapping", "status", "updated_at"])
    audit_record(
        action="bulk.upload",
        actor=uploaded_by,
        organization=organization,
        target=batch,
        data={"filename": batch.filename, "bytes": len(data), "format": file_format},
    )
    if validate and batch.status == Batch.Status.VALIDATING:
        _enqueue_validation(batch)
    return batch


def _enqueue_validation(batch: Batch) -> None:
    from baeji.bulk.tasks import validate_batch

    enqueue_with_transaction(validate_batch, batch.pk)


@transaction.atomic
def batch_set_mapping(*, batch: Batch, mapping: dict[str, str], by=None) -> Batch:
    """Record what each column means (raises ``MappingError``), remember it, queue validation."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in (Batch.Status.MAPPING, Batch.Status.VALIDATED):
        raise BulkError("state", "The columns of this upload can no longer be changed.")
    default = batch.default_achievement.slug if batch.default_achievement else None
    clean = {header.strip(): (field or "") for header, field in mapping.items()}
    resolve_mapping(batch.headers, clean, default_achievement=default)
    stored, _ = ColumnMapping.objects.get_or_create(organization=batch.organization)
    stored.mapping = {**stored.mapping, **clean}
    stored.save(update_fields=["mapping", "updated_at"])
    batch.mapping = clean
    batch.status = Batch.Status.VALIDATING
    # A new check: the runs of the one before do not count against it.
    batch.validation_holder, batch.validation_lease_until = "", None
    batch.validation_attempts = 0
    batch.save(
        update_fields=[
            "mapping",
            "status",
            "validation_holder",
            "validation_lease_until",
            "validation_attempts",
            "updated_at",
        ]
    )
    audit_record(
        action="bulk.mapping", actor=by, organization=batch.organization, target=batch, data=clean
    )
    _enqueue_validation(batch)
    return batch


# --------------------------------------------------------------------------------------------
# Batches from JSON records (the issuing API)


class RecordsInvalid(BulkError):
    """Records that failed validation; nothing was stored.

    ``errors`` maps the index (from 0) of each failing record to its :class:`RowError` list
    (their ``line`` is the index + 1).
    """

    def __init__(self, errors: dict[int, list[RowError]]) -> None:
        super().__init__("invalid_items", "Some items are not valid; nothing was stored.")
        self.errors = errors


_RECORD_MAPPING = {field: field for field in FIELDS}


def _records_table(records: Sequence[Mapping[str, Any]]) -> Table:
    """Records as a table for :func:`validate_rows`, record ``n`` (from 0) being line ``n + 1``.

    A first ``item`` column (not mapped, so never checked) holds the record's number: no
    record can then read as a blank or comment row and be skipped.
    """

    def cell(value: Any) -> str:
        return "" if value is None else str(value)

    def lines() -> Iterator[tuple[int, list[str]]]:
        yield 0, ["item", *FIELDS]
        for index, record in enumerate(records):
            yield index + 1, [str(index + 1), *(cell(record.get(field)) for field in FIELDS)]

    return Table(format="json", records=lines, max_rows=max(len(records), 1))


def _records_content(records: Sequence[Mapping[str, Any]], skip_invalid: bool) -> bytes:
    """The request as canonical JSON: stored as the batch's content, compared on replays."""
    document = {"items": [dict(record) for record in records], "skip_invalid": skip_invalid}
    return json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode("utf-8")


def _replay(organization, idempotency_key: str, content: bytes) -> Batch | None:
    earlier = Batch.objects.filter(
        organization=organization, idempotency_key=idempotency_key
    ).first()
    if earlier is not None and bytes(earlier.content) != content:
        raise BulkError(
            "idempotency_conflict", "This Idempotency-Key was already used for other items."
        )
    return earlier


def batch_create_from_records(
    *,
    organization,
    records: Sequence[Mapping[str, Any]],
    uploaded_by=None,
    label: str = "api",
    skip_invalid: bool = False,
    idempotency_key: str = "",
    language: str = "ko",
) -> tuple[Batch, bool]:
    """Check JSON records and store them as a batch that is submitted at once; the API's batch.

    A record has the template's fields (:data:`~baeji.bulk.spreadsheet.FIELDS`; ``achievement``
    may also be a badge's public id, ``issued_on`` defaults to today in Korea, no ``email``
    makes a pending award with a claim code) and optionally ``notify`` (False: no award
    e-mail). Records go through the same validation as spreadsheet rows and get the same row
    keys; the batch then follows the institution's intake policy like an upload: submitted
    for its authority's review, or issued at once by the chunked job. ``uploaded_by`` (the
    API token's creator) is also the submitter, and so the issuer.

    All or nothing: when a record is invalid and ``skip_invalid`` is false, or no record is
    valid, :class:`RecordsInvalid` is raised and nothing is stored. Records whose key was
    issued before are not errors: they are stored as ``already_issued``. The whole check runs
    before anything is written; at most ``limits()["max_records"]`` records.

    With an ``idempotency_key``, a batch that this organization created with the same key is
    returned instead of a new one (``BulkError("idempotency_conflict")`` when it was created
    from other records). Returns ``(batch, created)``.
    """
    if not records:
        raise BulkError("empty", "There is nothing to issue: no item was sent.")
    if len(records) > limits()["max_records"]:
        raise BulkError("too_large", "Too many items for one batch.")
    content = _records_content(records, skip_invalid)
    if idempotency_key:
        earlier = _replay(organization, idempotency_key, content)
        if earlier is not None:
            return earlier, False
    achievements = issuable_achievements(organization)
    by_public_id = {achievement.public_id: slug for slug, achievement in achievements.items()}
    today = today_in_korea().isoformat()
    prepared = []
    for record in records:
        values = dict(record)
        values["issued_on"] = values.get("issued_on") or today
        code = values.get("achievement")
        if isinstance(code, str) and code in by_public_id:
            values["achievement"] = by_public_id[code]
        prepared.append(values)
    results = list(
        validate_rows(
            _records_table(prepared),
            _RECORD_MAPPING,
            issuer_slug=organization.slug,
            lookup_achievement=_achievement_lookup(organization, achievements),
            # Found per write batch when the rows are stored (already issued is no error).
            already_awarded=lambda learner, slug, day: False,
            # JSON values never were spreadsheet cells; exports escape them anyway.
            refuse_formulas=False,
        )
    )
    invalid = {item[0].line - 1: item for item in results if not isinstance(item, ValidRow)}
    if (invalid and not skip_invalid) or len(invalid) == len(results):
        raise RecordsInvalid(invalid)
    quiet = {n + 1 for n, record in enumerate(records) if record.get("notify") is False}
    try:
        with transaction.atomic():
            batch = _batch_from_results(
                organization=organization,
                results=results,
                quiet=quiet,
                content=content,
                uploaded_by=uploaded_by,
                label=label,
                skip_invalid=skip_invalid,
                idempotency_key=idempotency_key,
                language=language,
            )
    except IntegrityError:
        # A concurrent request with the same key stored its batch first.
        earlier = _replay(organization, idempotency_key, content) if idempotency_key else None
        if earlier is None:
            raise
        return earlier, False
    return batch, True


def _batch_from_results(
    *,
    organization,
    results: list[ValidRow | list[RowError]],
    quiet: set[int],
    content: bytes,
    uploaded_by,
    label: str,
    skip_invalid: bool,
    idempotency_key: str,
    language: str,
) -> Batch:
    user = uploaded_by if getattr(uploaded_by, "is_authenticated", False) else None
    batch = Batch.objects.create(
        organization=organization,
        source=Batch.Source.API,
        idempotency_key=idempotency_key,
        uploaded_by=user,
        filename=label[:255],
        content=content,
        file_format="json",
        headers=list(FIELDS),
        mapping=_RECORD_MAPPING,
        language=language if language in ("ko", "en") else "ko",
        status=Batch.Status.VALIDATED,
    )
    counts = {"total": len(results), "valid": 0, "invalid": 0, "already": 0, "pending": 0}
    per_achievement: dict[str, int] = {}
    per_error: dict[str, int] = {}
    for start in range(0, len(results), _WRITE_BATCH):
        objects = _batch_rows(
            batch, results[start : start + _WRITE_BATCH], counts, per_achievement, per_error
        )
        for row in objects:
            if row.line in quiet and row.outcome == BatchRow.Outcome.VALID:
                row.data["notify"] = False
        BatchRow.objects.bulk_create(objects)
    Batch.objects.filter(pk=batch.pk).update(
        total_rows=counts["total"],
        valid_rows=counts["valid"],
        invalid_rows=counts["invalid"],
        already_rows=counts["already"],
        pending_rows=counts["pending"],
        summary={"achievements": per_achievement, "errors": per_error},
    )
    audit_record(
        action="bulk.upload",
        actor=user,
        organization=organization,
        target=batch,
        data={"source": Batch.Source.API.value, "filename": batch.filename, **counts},
    )
    if counts["valid"]:
        return batch_submit(batch=batch, by=user, skip_invalid=skip_invalid)
    # Every valid record had been issued before: there is nothing left to do.
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.DONE, finished_at=timezone.now())
    batch.refresh_from_db()
    return batch


def batch_quiet_awards(award_ids: Iterable[int]) -> set[int]:
    """Those of ``award_ids`` issued from API items sent with ``notify: false`` (no e-mail)."""
    issued = list(
        Award.objects.filter(pk__in=list(award_ids))
        .exclude(row_key=None)
        .values_list("pk", "row_key", "organization_id")
    )
    if not issued:
        return set()
    quiet = set(
        BatchRow.objects.filter(
            key__in=[key for _pk, key, _org in issued],
            batch__organization_id__in={org for _pk, _key, org in issued},
            batch__source=Batch.Source.API,
            outcome=BatchRow.Outcome.ISSUED,
            data__notify=False,
        ).values_list("key", flat=True)
    )
    return {pk for pk, key, _org in issued if key in quiet}


# --------------------------------------------------------------------------------------------
# Validation


def _errors_json(errors: Iterable[RowError]) -> list[dict[str, Any]]:
    return [
        {"field": e.field, "code": e.code, "ko": e.message_ko, "en": e.message_en} for e in errors
    ]


def _row_data(row: ValidRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "email": row.email,
        "achievement": row.achievement_slug,
        "issued_on": row.issued_on.isoformat(),
        "evidence_url": row.evidence_url,
        "narrative": row.narrative,
        "result": row.result,
        "learner_id": row.learner_id,
    }


_ALREADY = RowError.make(0, None, "already_awarded")


def _existing_keys(organization, keys: list[str]) -> dict[str, tuple[Award | None, Any]]:
    """Row keys already issued in the organization: key -> (award, pending award)."""
    found: dict[str, tuple[Award | None, Any]] = {}
    for award in Award.objects.filter(organization=organization, row_key__in=keys).only(
        "id", "public_id", "row_key"
    ):
        found[award.row_key] = (award, None)
    for pending in PendingAward.objects.filter(organization=organization, row_key__in=keys).only(
        "id", "public_id", "row_key", "award_id", "claim_code"
    ):
        found.setdefault(pending.row_key, (None, pending))
    return found


def _same_award_issued(organization, rows: list[ValidRow]) -> dict[str, tuple[Award | None, Any]]:
    """Rows whose learner already has the row's badge from the same date (Korea) without this
    row key: awarded one at a time (award page, API, command line, campaign), or by a row
    that named the learner otherwise (with or without e-mail). Awards are matched by e-mail
    or learner id, pending awards by learner id. Returns row key -> (award, pending award)."""
    if not rows:
        return {}
    ids = {slug: a.pk for slug, a in issuable_achievements(organization).items()}
    by_email: dict[tuple, str] = {}
    by_learner_id: dict[tuple, str] = {}
    for row in rows:
        achievement_id = ids.get(row.achievement_slug)
        if achievement_id is None:
            continue
        if row.email:
            by_email[(row.email.strip().lower(), achievement_id, row.issued_on)] = row.key
        if row.learner_id:
            by_learner_id[(row.learner_id, achievement_id, row.issued_on)] = row.key

    def matches(model, field: str, wanted: dict[tuple, str], *extra: str) -> Iterator[tuple]:
        """(row key, object) for each ``model`` object whose (field, badge, day) is wanted."""
        if not wanted:
            return
        found = model.objects.filter(
            organization=organization,
            **{f"{field}__in": {key[0] for key in wanted}},
            achievement_id__in={key[1] for key in wanted},
        ).only("id", "public_id", "row_key", field, "achievement_id", "issued_at", *extra)
        for item in found:
            day = item.issued_at.astimezone(KOREA).date()
            key = wanted.get((getattr(item, field), item.achievement_id, day))
            if key is not None:
                yield key, item

    found: dict[str, tuple[Award | None, Any]] = {}
    for key, award in matches(Award, "recipient_email", by_email):
        found.setdefault(key, (award, None))
    for key, award in matches(Award, "learner_id", by_learner_id):
        found.setdefault(key, (award, None))
    for key, pending in matches(
        PendingAward, "learner_id", by_learner_id, "award_id", "claim_code"
    ):
        found.setdefault(key, (None, pending))
    return found


def _achievement_lookup(
    organization, achievements: dict[str, Achievement]
) -> Callable[[str], AchievementInfo | None]:
    """The ``lookup_achievement`` callback of validation for ``organization``'s rows.

    ``achievements`` are the ones it may issue (see :func:`issuable_achievements`).
    """
    foreign = (
        {a.slug for a in Achievement.objects.filter(organization=organization.parent).only("slug")}
        if organization.parent_id
        else set()
    )

    # A badge is named by its slug, or by the id shown on its page (as the API accepts);
    # letter case does not matter when it leaves no doubt.
    by_public_id = {a.public_id: a for a in achievements.values()}
    folded: dict[str, list[Achievement]] = {}
    for slug, achievement in achievements.items():
        folded.setdefault(slug.casefold(), []).append(achievement)

    def lookup(code: str) -> AchievementInfo | None:
        achievement = achievements.get(code) or by_public_id.get(code)
        if achievement is None and len(folded.get(code.casefold(), [])) == 1:
            achievement = folded[code.casefold()][0]
        if achievement is None:
            # The authority's badge exists but was not assigned: say so rather than "unknown".
            return AchievementInfo(slug=code, assigned=False) if code in foreign else None
        requires = bool(achievement.current_version.result_descriptions)
        return AchievementInfo(slug=achievement.slug, requires_result=requires)

    return lookup


def _batch_rows(
    batch: Batch,
    items: list[ValidRow | list[RowError]],
    counts: dict[str, int],
    per_achievement: dict[str, int],
    per_error: dict[str, int],
) -> list[BatchRow]:
    """The rows to store for one write batch of validation results, counted as they go.

    A valid row whose key was issued before, or whose learner already has its badge from the
    same date (see _same_award_issued), becomes ``already_issued`` (a few queries per call).
    """
    keys = [item.key for item in items if isinstance(item, ValidRow)]
    existing = _existing_keys(batch.organization, keys) if keys else {}
    unseen = [item for item in items if isinstance(item, ValidRow) and item.key not in existing]
    existing.update(_same_award_issued(batch.organization, unseen))
    objects = []
    for item in items:
        if isinstance(item, ValidRow):
            row = BatchRow(batch=batch, line=item.line, key=item.key, data=_row_data(item))
            done = existing.get(item.key)
            if done is not None:
                counts["already"] += 1
                row.outcome = BatchRow.Outcome.ALREADY
                row.errors = _errors_json([_ALREADY])
                row.award, row.pending = done
            else:
                counts["valid"] += 1
                counts["pending"] += item.pending_claim
                per_achievement[item.achievement_slug] = (
                    per_achievement.get(item.achievement_slug, 0) + 1
                )
                row.outcome = BatchRow.Outcome.VALID
            objects.append(row)
        else:
            errors = item
            codes = {e.code for e in errors}
            outcome = BatchRow.Outcome.INVALID
            if codes == {"already_awarded"}:
                counts["already"] += 1
                outcome = BatchRow.Outcome.ALREADY
            else:
                counts["invalid"] += 1
                for code in codes:
                    per_error[code] = per_error.get(code, 0) + 1
            objects.append(
                BatchRow(
                    batch=batch,
                    line=errors[0].line,
                    outcome=outcome,
                    errors=_errors_json(errors),
                )
            )
    return objects


MAX_CHECK_ATTEMPTS = 3


class _LeaseLost(Exception):
    """This run no longer holds the batch's checking lease (cancelled, or taken over)."""


def _check_claim(batch_id: int, holder: str, lease: timedelta) -> bool:
    """Take the checking lease of a batch being checked, unless a live run holds it.

    One conditional UPDATE: among runs that start at once, one takes it (the database applies
    them to the row one at a time). The rows an earlier run stored go in the same transaction.
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = Batch.objects.filter(
            Q(validation_lease_until=None) | Q(validation_lease_until__lt=now),
            pk=batch_id,
            status=Batch.Status.VALIDATING,
            validation_attempts__lt=MAX_CHECK_ATTEMPTS,
        ).update(
            validation_holder=holder,
            validation_lease_until=now + lease,
            validation_attempts=F("validation_attempts") + 1,
        )
        if claimed:
            # Left by a run that died or lost its lease: every row is written again.
            BatchRow.objects.filter(batch_id=batch_id).delete()
    return bool(claimed)


def batch_validate(*, batch_id: int, progress: Callable[[int], None] | None = None) -> Batch:
    """Check every row and store the result; safe to run twice, even at the same time.

    A run first takes the batch's checking lease (``BAEJI_BULK_LEASE_SECONDS``): a run that
    finds it held by a live run returns the batch as it is, one that finds it expired takes
    over and writes every row again. The lease is renewed with each write batch of rows, and
    the rows and the final change to ``validated`` are written only while this run still
    holds it: a run that lost it (the batch was cancelled, or the run stalled past its lease
    and the check was queued again) stops. A worker killed meanwhile leaves the lease to run
    out; the periodic sweep then queues the check again (see batch_requeue_stale_checks).

    Streams the file: memory holds one write batch of rows plus the validator's per-row
    digest, whatever the file's length.
    """
    lease = timedelta(seconds=limits()["lease_seconds"])
    holder = secrets.token_hex(16)
    if not _check_claim(batch_id, holder, lease):
        # Checked, cancelled, or being checked by a live run: nothing to do here.
        return Batch.objects.select_related("organization").defer("content").get(pk=batch_id)
    held = Batch.objects.filter(
        pk=batch_id, status=Batch.Status.VALIDATING, validation_holder=holder
    )
    batch = Batch.objects.select_related("organization", "default_achievement").get(pk=batch_id)
    organization = batch.organization
    lookup = _achievement_lookup(organization, issuable_achievements(organization))
    counts = {"total": 0, "valid": 0, "invalid": 0, "already": 0, "pending": 0}
    per_achievement: dict[str, int] = {}
    per_error: dict[str, int] = {}
    buffer: list[ValidRow | list[RowError]] = []

    def flush() -> None:
        objects = _batch_rows(batch, buffer, counts, per_achievement, per_error)
        with transaction.atomic():
            # The lease first: this write locks the batch's row, so a sweep or another run
            # cannot take the lease between the check and the rows' insert.
            if not held.update(validation_lease_until=timezone.now() + lease):
                raise _LeaseLost
            BatchRow.objects.bulk_create(objects)
        buffer.clear()
        if progress is not None:
            progress(counts["total"])

    default = batch.default_achievement.slug if batch.default_achievement else None
    try:
        with _open(batch) as table:
            rows = validate_rows(
                table,
                batch.mapping,
                issuer_slug=organization.slug,
                lookup_achievement=lookup,
                # Checked in bulk per write batch (one query per 1,000 rows, not per row).
                already_awarded=lambda learner, slug, day: False,
                default_achievement=default,
            )
            for item in rows:
                counts["total"] += 1
                buffer.append(item)
                if len(buffer) >= _WRITE_BATCH:
                    flush()
            flush()
    except SpreadsheetError as error:
        with transaction.atomic():
            failed = held.update(
                status=Batch.Status.FAILED,
                error=f"{error.message_ko}\n{error.message_en}",
                validation_holder="",
                validation_lease_until=None,
            )
            if failed:
                BatchRow.objects.filter(batch=batch).delete()
        batch.refresh_from_db()
        return batch
    except _LeaseLost:
        logger.info("batch %s: the check lost its lease (cancelled, or taken over)", batch_id)
        batch.refresh_from_db()
        return batch
    except Exception:
        # Let the next sweep queue the check again rather than wait for the lease to run out.
        held.update(validation_lease_until=timezone.now())
        raise
    with transaction.atomic():
        # Only while this run holds the lease: a batch cancelled meanwhile stays cancelled,
        # and a run that was taken over leaves the result to the run that took over.
        checked = held.update(
            status=Batch.Status.VALIDATED,
            total_rows=counts["total"],
            valid_rows=counts["valid"],
            invalid_rows=counts["invalid"],
            already_rows=counts["already"],
            pending_rows=counts["pending"],
            summary={"achievements": per_achievement, "errors": per_error},
            validation_holder="",
            validation_lease_until=None,
            updated_at=timezone.now(),
        )
        if not checked:
            batch.refresh_from_db()
            return batch
        audit_record(
            action="bulk.validate",
            organization=organization,
            target=batch,
            data={key: value for key, value in counts.items()},
        )
    batch.refresh_from_db()
    return batch


# --------------------------------------------------------------------------------------------
# Intake and review


@transaction.atomic
def batch_submit(
    *, batch: Batch, by=None, skip_invalid: bool = False, direct: bool = False
) -> Batch:
    """Send a checked batch for issuing: for review, or straight to issuing when allowed.

    Refused while any row is invalid unless ``skip_invalid``. ``direct`` is for callers that
    act for the authority itself (the operator's command line); otherwise the institution's
    intake policy decides.
    """
    batch = (
        Batch.objects.select_for_update()
        .select_related("organization")
        .defer("content")
        .get(pk=batch.pk)
    )
    if batch.status != Batch.Status.VALIDATED:
        raise BulkError("state", "Only a checked upload can be submitted.")
    if batch.invalid_rows and not skip_invalid:
        raise BulkError(
            "invalid_rows",
            "Some rows are invalid. Fix them and upload the file again, or choose to issue "
            "only the valid rows.",
        )
    if not batch.valid_rows:
        raise BulkError("nothing", "There is nothing to issue: no row is ready.")
    batch.skip_invalid = skip_invalid
    batch.submitted_by = by if getattr(by, "is_authenticated", False) else None
    batch.submitted_at = timezone.now()
    review = not direct and needs_review(batch.organization)
    batch.status = Batch.Status.SUBMITTED if review else batch.status
    batch.save(
        update_fields=["skip_invalid", "submitted_by", "submitted_at", "status", "updated_at"]
    )
    audit_record(
        action="bulk.submit",
        actor=by,
        organization=batch.organization,
        target=batch,
        data={"review": review, "rows": batch.valid_rows},
    )
    if not review:
        _start(batch)
    return batch


@transaction.atomic
def batch_review(*, batch: Batch, by, approve: bool, comment: str = "") -> Batch:
    """Approve (issuing starts) or reject a submitted batch; the institution is e-mailed.

    The caller has checked that ``by`` manages the institution's authority.
    """
    batch = (
        Batch.objects.select_for_update()
        .select_related("organization")
        .defer("content")
        .get(pk=batch.pk)
    )
    if batch.status != Batch.Status.SUBMITTED:
        raise BulkError("state", "This request has already been decided.")
    batch.reviewed_by = by if getattr(by, "is_authenticated", False) else None
    batch.reviewed_at = timezone.now()
    batch.review_comment = comment.strip()
    if not approve:
        batch.status = Batch.Status.REJECTED
    batch.save(
        update_fields=["reviewed_by", "reviewed_at", "review_comment", "status", "updated_at"]
    )
    audit_record(
        action="bulk.approve" if approve else "bulk.reject",
        actor=by,
        organization=batch.organization.parent or batch.organization,
        target=batch,
        data={"comment": batch.review_comment, "institution": batch.organization.slug},
    )
    if approve:
        _start(batch)
    from baeji.bulk.notifications import send_review_email

    # Queued as deliveries with the decision (the e-mail worker sends and retries them): a
    # mail server that is down cannot undo or break the decision, and nothing is lost if a
    # process dies after the commit.
    send_review_email(batch.pk)
    return batch


def _start(batch: Batch) -> None:
    """Cut the valid rows into chunks and queue one task per chunk (see _enqueue_chunks)."""
    size = limits()["chunk_size"]
    lines = (
        BatchRow.objects.filter(batch=batch, outcome=BatchRow.Outcome.VALID)
        .order_by("line")
        .values_list("line", flat=True)
    )
    chunks: list[BatchChunk] = []
    current: list[int] = []

    def close() -> None:
        chunks.append(
            BatchChunk(
                batch=batch,
                number=len(chunks) + 1,
                first_line=current[0],
                last_line=current[-1],
                size=len(current),
            )
        )
        current.clear()

    for line in lines.iterator(chunk_size=5000):
        current.append(line)
        if len(current) >= size:
            close()
    if current:
        close()
    BatchChunk.objects.bulk_create(chunks)
    Batch.objects.filter(pk=batch.pk).update(
        status=Batch.Status.ISSUING,
        job_total=sum(c.size for c in chunks),
        job_done=0,
        started_at=timezone.now(),
    )
    ids = list(BatchChunk.objects.filter(batch=batch).values_list("pk", flat=True))
    _enqueue_chunks(ids)


def _enqueue_chunks(chunk_ids: list[int], *, run_after: datetime | None = None) -> None:
    """Queue the chunks' tasks as part of the caller's transaction, or after it commits.

    With the database task queue (the default) the task rows are written in the same
    transaction as the chunks' state, so a process that dies in between leaves both or
    neither: never a chunk marked queued that no task will run. Other queues (the immediate
    one of tests) get the tasks once the transaction has committed.
    """
    from baeji.bulk.tasks import issue_chunk

    task = issue_chunk
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)

    def enqueue() -> None:
        for chunk_id in chunk_ids:
            task.enqueue(chunk_id)

    run_with_transaction(task, enqueue)


# --------------------------------------------------------------------------------------------
# The job


def _item(row: BatchRow, achievement, issued_at_time: time) -> IssueItem:
    data = row.data
    day = datetime.fromisoformat(data["issued_on"]).date()
    # The date in the file is a Korean calendar date, issued at midday KST; a row dated today
    # and issued in the morning takes the present moment instead, so that its credential is
    # valid from now rather than from a few hours ahead.
    issued_at = min(datetime.combine(day, issued_at_time, tzinfo=KOREA), timezone.now())
    return IssueItem(
        achievement=achievement,
        recipient_name=data["name"],
        recipient_email=data.get("email") or None,
        issued_at=issued_at,
        evidence_url=data.get("evidence_url"),
        narrative=data.get("narrative"),
        result=data.get("result"),
        learner_id=data.get("learner_id"),
        row_key=row.key,
    )


def batch_issue_chunk(*, chunk_id: int) -> str:
    """Issue one chunk; safe to run any number of times, concurrently or after a crash.

    Returns what happened (``done``, ``skipped``, ``cancelled``), for the task result.
    """
    lease = timedelta(seconds=limits()["lease_seconds"])
    with transaction.atomic():
        # A write first: it takes the row lock on PostgreSQL and the write lock on SQLite at
        # once, so two runs of a chunk cannot both pass this point before one commits.
        started = BatchChunk.objects.filter(
            pk=chunk_id,
            state__in=[BatchChunk.State.QUEUED, BatchChunk.State.RUNNING],
            attempts__lt=MAX_CHUNK_ATTEMPTS,
        ).update(
            state=BatchChunk.State.RUNNING,
            attempts=F("attempts") + 1,
            lease_until=timezone.now() + lease,
        )
    if not started:
        return "skipped"
    # Never the uploaded file: every chunk would read all of it again.
    chunk = (
        BatchChunk.objects.select_related("batch", "batch__organization")
        .defer("batch__content")
        .get(pk=chunk_id)
    )
    batch = chunk.batch
    if batch.status != Batch.Status.ISSUING:
        BatchChunk.objects.filter(pk=chunk_id, state=BatchChunk.State.RUNNING).update(
            state=BatchChunk.State.CANCELLED
        )
        return "cancelled"
    # A live worker picks up what a dead one left behind (the command line does it too).
    batch_requeue_stale(batch=batch)
    achievements = issuable_achievements(batch.organization)
    for _attempt in range(3):
        try:
            outcome = _issue_chunk_once(chunk, achievements)
        except IntegrityError:
            # Another upload issued some of these keys meanwhile: re-check and go again.
            logger.info("chunk %s met an already issued row key; retrying", chunk_id)
            continue
        break
    else:
        raise RuntimeError(f"chunk {chunk_id} kept meeting concurrent duplicates")
    batch_finish_if_done(batch_id=batch.pk)
    return outcome


def _issue_chunk_once(chunk: BatchChunk, achievements: dict[str, Achievement]) -> str:
    batch = chunk.batch
    organization = batch.organization
    rows = list(
        BatchRow.objects.filter(
            batch=batch,
            line__gte=chunk.first_line,
            line__lte=chunk.last_line,
            outcome=BatchRow.Outcome.VALID,
        ).order_by("line")
    )
    existing = _existing_keys(organization, [row.key for row in rows])
    items = []
    for row in rows:
        achievement = achievements.get(row.data["achievement"])
        if row.key not in existing and achievement is not None:
            items.append(_item(row, achievement, time(12)))

    def claim() -> bool:
        return bool(
            BatchChunk.objects.filter(pk=chunk.pk, state=BatchChunk.State.RUNNING).update(
                state=BatchChunk.State.DONE, finished_at=timezone.now()
            )
        )

    def record(awards: list[Award], pending: list[PendingAward]) -> None:
        # A few set-based updates instead of one per row: the report finds each row's award
        # through the row key, so rows need only their outcome.
        issued = {award.row_key for award in awards}
        waiting = {item.row_key for item in pending}
        ids: dict[str, list[int]] = {"issued": [], "pending": [], "already": [], "gone": []}
        for row in rows:
            if row.key in issued:
                ids["issued"].append(row.pk)
            elif row.key in waiting:
                ids["pending"].append(row.pk)
            elif row.key in existing:
                ids["already"].append(row.pk)
            else:
                ids["gone"].append(row.pk)
        updates = [
            ("issued", {"outcome": BatchRow.Outcome.ISSUED}),
            ("pending", {"outcome": BatchRow.Outcome.PENDING}),
            ("already", {"outcome": BatchRow.Outcome.ALREADY}),
        ]
        for name, values in updates:
            if ids[name]:
                BatchRow.objects.filter(pk__in=ids[name]).update(**values)
        for row in rows:
            if row.pk in ids["gone"]:
                # The achievement was withdrawn or archived since validation.
                slug = row.data["achievement"]
                error = RowError.make(
                    row.line, "achievement", "achievement_not_assigned", value=slug
                )
                BatchRow.objects.filter(pk=row.pk).update(
                    outcome=BatchRow.Outcome.INVALID, errors=_errors_json([error])
                )
        Batch.objects.filter(pk=batch.pk).update(
            job_done=F("job_done") + len(rows), job_errors=F("job_errors") + len(ids["gone"])
        )
        _queue_notifications(awards, pending)

    awards, _ = award_issue_many(
        organization=organization,
        items=items,
        issued_by=batch.submitted_by,
        claim=claim,
        record=record,
    )
    return "skipped" if awards is None else "done"


MAX_CHUNK_ATTEMPTS = 5


def batch_chunk_failed(*, chunk_id: int, error: BaseException) -> bool:
    """A chunk run raised: queue it again shortly, or fail the batch after too many tries.

    Returns True when the chunk was queued again. (A worker that dies cannot call this; its
    chunk is found by :func:`batch_requeue_stale` once the lease expires.)
    """
    chunk = (
        BatchChunk.objects.filter(pk=chunk_id)
        .select_related("batch")
        .defer("batch__content")
        .first()
    )
    if chunk is None or chunk.state != BatchChunk.State.RUNNING:
        return False
    if chunk.attempts < MAX_CHUNK_ATTEMPTS:
        with transaction.atomic():
            requeued = BatchChunk.objects.filter(
                pk=chunk_id, state=BatchChunk.State.RUNNING
            ).update(state=BatchChunk.State.QUEUED)
            if requeued:
                # Give whatever held the lock a moment to let go.
                later = timezone.now() + timedelta(seconds=chunk.attempts)
                _enqueue_chunks([chunk_id], run_after=later)
        return bool(requeued)
    _chunk_gives_up(chunk, f"{type(error).__name__}: {error}")
    return False


def _chunk_gives_up(chunk: BatchChunk, error: str) -> None:
    """Stop a chunk that failed too often, and fail its batch (what was issued stays)."""
    with transaction.atomic():
        BatchChunk.objects.filter(pk=chunk.pk).update(state=BatchChunk.State.CANCELLED)
        failed = Batch.objects.filter(pk=chunk.batch_id, status=Batch.Status.ISSUING).update(
            status=Batch.Status.FAILED, finished_at=timezone.now(), error=error[:2000]
        )
        if failed:
            audit_record(
                action="bulk.failed",
                organization=chunk.batch.organization,
                target=chunk.batch,
                data={"chunk": chunk.number, "error": error[:500]},
            )


def _queue_notifications(awards: list[Award], pending: list[PendingAward]) -> None:
    """Queue the award e-mails of a chunk, from inside the chunk's transaction.

    With the database task queue the task row is written in that transaction, like the
    chunks' own tasks (see _enqueue_chunks): a worker killed just after the commit cannot
    leave awards whose e-mail nobody will send. Other queues get the task after the commit.
    """
    if not awards:
        return
    from baeji.bulk.tasks import notify_awards

    enqueue_with_transaction(notify_awards, [award.pk for award in awards])


def batch_finish_if_done(*, batch_id: int) -> bool:
    """Mark an issuing batch done once every chunk is done; returns whether it is done."""
    if BatchChunk.objects.filter(batch_id=batch_id).exclude(state=BatchChunk.State.DONE).exists():
        return False
    with transaction.atomic():
        updated = Batch.objects.filter(pk=batch_id, status=Batch.Status.ISSUING).update(
            status=Batch.Status.DONE, finished_at=timezone.now()
        )
        if updated:
            batch = Batch.objects.select_related("organization").defer("content").get(pk=batch_id)
            audit_record(
                action="bulk.done",
                organization=batch.organization,
                target=batch,
                data={"issued": batch.job_done},
            )
    return True


@transaction.atomic
def batch_cancel(*, batch: Batch, by=None) -> Batch:
    """Stop a batch: queued chunks are dropped; a chunk being issued finishes or rolls back.

    What was issued stays issued (revoke awards one by one if needed).
    """
    updated = Batch.objects.filter(
        pk=batch.pk,
        status__in=[
            Batch.Status.MAPPING,
            Batch.Status.VALIDATING,
            Batch.Status.VALIDATED,
            Batch.Status.SUBMITTED,
            Batch.Status.ISSUING,
        ],
    ).update(status=Batch.Status.CANCELLED, finished_at=timezone.now())
    if not updated:
        raise BulkError("state", "This batch has already finished.")
    BatchChunk.objects.filter(batch=batch, state=BatchChunk.State.QUEUED).update(
        state=BatchChunk.State.CANCELLED
    )
    batch.refresh_from_db()
    audit_record(action="bulk.cancel", actor=by, organization=batch.organization, target=batch)
    return batch


def batch_requeue_stale(*, batch: Batch, now: datetime | None = None) -> int:
    """Queue again the chunks whose worker died (lease expired while ``running``).

    Returns how many were queued. Running it while the worker is alive and merely slow is
    harmless: chunks are idempotent.
    """
    now = now or timezone.now()
    stale = []
    for chunk in BatchChunk.objects.filter(
        batch=batch, state=BatchChunk.State.RUNNING, lease_until__lt=now
    ).select_related("batch__organization"):
        if chunk.attempts < MAX_CHUNK_ATTEMPTS:
            stale.append(chunk.pk)
            continue
        # Its worker died every time (out of memory, say): running it again would only
        # stop another worker, for ever.
        error = "\n".join(
            message("chunk_interrupted", language, number=chunk.number, attempts=chunk.attempts)
            for language in LANGUAGES
        )
        _chunk_gives_up(chunk, error)
    if not stale:
        return 0
    with transaction.atomic():
        BatchChunk.objects.filter(pk__in=stale, state=BatchChunk.State.RUNNING).update(
            state=BatchChunk.State.QUEUED
        )
        _enqueue_chunks(stale)
    return len(stale)


def _check_stale(now: datetime) -> Q:
    """Batches being checked that no live run holds: the lease of their run is over, or no
    run took the check within a lease of its being queued (its task was lost)."""
    lease = timedelta(seconds=limits()["lease_seconds"])
    return Q(status=Batch.Status.VALIDATING) & (
        Q(validation_lease_until__lt=now)
        | Q(validation_lease_until=None, updated_at__lt=now - lease)
    )


def batch_requeue_stale_checks(*, now: datetime | None = None) -> int:
    """Queue again the checks whose worker died (lease over while ``validating``); after
    MAX_CHECK_ATTEMPTS runs, mark the batch failed instead (a file that kills its worker
    every time, say by running it out of memory, must not do so forever).

    Returns how many checks were queued again. A queued check frees the lease, so the sweep
    queues it once per lease, however often it runs before a worker picks the task up.
    """
    from baeji.bulk.tasks import validate_batch

    now = now or timezone.now()
    stale = list(Batch.objects.filter(_check_stale(now)).values_list("pk", "validation_attempts"))
    queued = 0
    for batch_id, attempts in stale:
        # Still as read: a run that took the lease meanwhile keeps it.
        same = Batch.objects.filter(_check_stale(now), pk=batch_id, validation_attempts=attempts)
        with transaction.atomic():
            if attempts < MAX_CHECK_ATTEMPTS:
                if same.update(validation_holder="", validation_lease_until=None, updated_at=now):
                    enqueue_with_transaction(validate_batch, batch_id)
                    queued += 1
                continue
            error = "\n".join(
                message("check_interrupted", language, attempts=attempts) for language in LANGUAGES
            )
            failed = same.update(
                status=Batch.Status.FAILED,
                error=error,
                finished_at=now,
                validation_holder="",
                validation_lease_until=None,
                updated_at=now,
            )
            if failed:
                batch = (
                    Batch.objects.select_related("organization").defer("content").get(pk=batch_id)
                )
                audit_record(
                    action="bulk.failed",
                    organization=batch.organization,
                    target=batch,
                    data={"stage": "checking", "attempts": attempts},
                )
    return queued


def batch_requeue_stale_all(*, now: datetime | None = None) -> int:
    """Sweep every batch being checked or issued: queue again the checks and the chunks whose
    worker died (see batch_requeue_stale_checks), and mark done the batches whose chunks are
    all done (a worker that died between its last chunk and the batch's finish).

    Run periodically (the ``bulk-stale-chunks`` duty of :mod:`baeji.schedule`), so a job
    moves on even when no other chunk of it will start and no command line watches it.
    Returns how many chunks and checks were queued again.
    """
    now = now or timezone.now()
    checks = batch_requeue_stale_checks(now=now)
    stale_batches = (
        Batch.objects.filter(
            status=Batch.Status.ISSUING,
            chunks__state=BatchChunk.State.RUNNING,
            chunks__lease_until__lt=now,
        )
        .distinct()
        .only("pk")
    )
    queued = sum(batch_requeue_stale(batch=batch, now=now) for batch in stale_batches)
    unfinished = BatchChunk.objects.exclude(state=BatchChunk.State.DONE).values("batch_id")
    finished = (
        Batch.objects.filter(status=Batch.Status.ISSUING, chunks__isnull=False)
        .exclude(pk__in=unfinished)
        .distinct()
        .values_list("pk", flat=True)
    )
    for batch_id in list(finished):
        batch_finish_if_done(batch_id=batch_id)
    return queued + checks


# --------------------------------------------------------------------------------------------
# Report


class Issued(NamedTuple):
    """What a row key was issued as: an award's public id, or a pending award's claim code."""

    public_id: str
    claim_code: str = ""


class RowResult(NamedTuple):
    """What became of one row: its ``BatchRow`` outcome (``valid`` = not issued yet), its
    errors (``[{"field", "code", "ko", "en"}]``), its e-mail, and the award or pending award
    that its key was issued as (None while waiting, or when invalid)."""

    line: int
    outcome: str
    errors: list[dict[str, Any]]
    email: str | None
    award: Issued | None
    pending: Issued | None


def row_results(batch: Batch, *, offset: int = 0, limit: int | None = None) -> Iterator[RowResult]:
    """The rows of a batch in line order (``limit`` rows from ``offset``, or all), streamed.

    The awards are looked up by row key, a few thousand rows at a time. (A correlated
    subquery per row would be one query, but right after a large insert the planner's
    statistics are stale and it may scan instead of using the key's index.) A row found
    already issued under another key (see _same_award_issued) names its award itself.
    """
    rows = (
        BatchRow.objects.filter(batch=batch)
        .order_by("line")
        .values_list("line", "outcome", "errors", "key", "data__email", "award_id", "pending_id")
    )
    rows = rows[offset : offset + limit] if limit is not None else rows[offset:]
    buffer: list[tuple] = []

    def flush() -> Iterator[RowResult]:
        keys = [item[3] for item in buffer if item[3] and item[1] != BatchRow.Outcome.VALID]
        awards: dict[str, str] = {}
        pending: dict[str, tuple[str, str]] = {}
        if keys:
            same = {"organization_id": batch.organization_id, "row_key__in": keys}
            awards = dict(Award.objects.filter(**same).values_list("row_key", "public_id"))
            pending = {
                key: (public_id, code)
                for key, public_id, code in PendingAward.objects.filter(**same).values_list(
                    "row_key", "public_id", "claim_code"
                )
            }
        linked_awards = [item[5] for item in buffer if item[5] and item[3] not in awards]
        linked_pending = [item[6] for item in buffer if item[6] and item[3] not in pending]
        by_award_id = dict(
            Award.objects.filter(
                organization_id=batch.organization_id, pk__in=linked_awards
            ).values_list("pk", "public_id")
            if linked_awards
            else ()
        )
        by_pending_id = {
            pk: (public_id, code)
            for pk, public_id, code in (
                PendingAward.objects.filter(
                    organization_id=batch.organization_id, pk__in=linked_pending
                ).values_list("pk", "public_id", "claim_code")
                if linked_pending
                else ()
            )
        }
        for line, outcome, errors, key, email, award_id, pending_id in buffer:
            if outcome == BatchRow.Outcome.VALID:
                yield RowResult(line, outcome, errors, email, None, None)
            elif key in awards:
                yield RowResult(line, outcome, errors, email, Issued(awards[key]), None)
            elif key in pending:
                yield RowResult(line, outcome, errors, email, None, Issued(*pending[key]))
            elif award_id in by_award_id:
                yield RowResult(line, outcome, errors, email, Issued(by_award_id[award_id]), None)
            elif pending_id in by_pending_id:
                issued = Issued(*by_pending_id[pending_id])
                yield RowResult(line, outcome, errors, email, None, issued)
            else:
                yield RowResult(line, outcome, errors, email, None, None)
        buffer.clear()

    for item in rows.iterator(chunk_size=2000):
        buffer.append(item)
        if len(buffer) >= 2000:
            yield from flush()
    yield from flush()


def report_rows(batch: Batch, *, language: str | None = None) -> Iterator[Any]:
    """The ``row,outcome,url,error`` report rows of a batch, streamed in line order.

    Rows not issued (``valid``) are reported as what they would become, without URL, and
    the error column says why they were not issued (yet): invalid rows elsewhere in the
    file, waiting for approval, a job still running, rejected, cancelled or failed.
    """
    from baeji.bulk.spreadsheet import ReportRow

    language = language or batch.language
    key = "ko" if language == "ko" else "en"
    why = message(_not_issued_code(batch), key)
    for row in row_results(batch):
        if row.outcome == BatchRow.Outcome.VALID:
            yield ReportRow(row.line, "pending_claim" if not row.email else "issued", "", why)
            continue
        url = ""
        if row.award is not None:
            url = links.credential_url(row.award)
        elif row.pending is not None:
            url = claim_code_url(row.pending)
        yield ReportRow(row.line, row.outcome, url, " / ".join(item[key] for item in row.errors))


def _not_issued_code(batch: Batch) -> str:
    """The message code of why a batch's valid rows are not issued (yet)."""
    if batch.status == Batch.Status.VALIDATED and batch.invalid_rows and not batch.skip_invalid:
        return "not_issued_invalid_rows"
    return {
        Batch.Status.SUBMITTED: "not_issued_review",
        Batch.Status.ISSUING: "not_issued_running",
        Batch.Status.REJECTED: "not_issued_rejected",
        Batch.Status.CANCELLED: "not_issued_cancelled",
        Batch.Status.FAILED: "not_issued_failed",
    }.get(batch.status, "not_issued_yet")


def claim_code_url(pending: PendingAward) -> str:
    """Where a learner redeems a pending award's code (the code is part of the address)."""
    from django.urls import reverse

    return links.absolute(reverse("claim-code-scan", args=[pending.claim_code]))
