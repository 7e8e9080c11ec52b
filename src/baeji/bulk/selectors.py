"""Reading bulk-issuance data, always scoped to an organization the caller was allowed to see."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from baeji.bulk.models import AchievementAssignment, Batch, BatchRow, IntakePolicy

_LIST_FIELDS = (
    "public_id",
    "filename",
    "status",
    "created_at",
    "total_rows",
    "valid_rows",
    "invalid_rows",
    "job_total",
    "job_done",
    "organization__slug",
    "organization__name",
)


def batches_for_organization(organization, *, limit: int = 50):
    """An institution's own batches, newest first (the upload file is not loaded)."""
    return (
        Batch.objects.filter(organization=organization)
        .select_related("organization")
        .only(*_LIST_FIELDS)
        .order_by("-created_at", "-id")[:limit]
    )


def batches_awaiting_review(authority, *, limit: int = 100):
    """Requests of the authority's member institutions waiting for a decision, oldest first."""
    return (
        Batch.objects.filter(organization__parent=authority, status=Batch.Status.SUBMITTED)
        .select_related("organization")
        .only(*_LIST_FIELDS, "summary", "already_rows", "pending_rows", "submitted_at")
        .order_by("submitted_at", "id")[:limit]
    )


def invalid_rows(batch: Batch, *, limit: int = 200):
    """The first invalid rows of a batch with their errors."""
    return BatchRow.objects.filter(batch=batch, outcome=BatchRow.Outcome.INVALID).order_by("line")[
        :limit
    ]


def sample_rows(batch: Batch, *, limit: int = 10):
    """A few rows ready to issue, for reviewers."""
    return BatchRow.objects.filter(batch=batch, outcome=BatchRow.Outcome.VALID).order_by("line")[
        :limit
    ]


def pending_for_claim_sheet(batch: Batch):
    """The batch's claim codes not redeemed yet (rows without e-mail), for its printable
    sheet: only the pending awards of the batch's own institution, in name order."""
    from baeji.awards.models import PendingAward

    keys = BatchRow.objects.filter(batch=batch, outcome=BatchRow.Outcome.PENDING).values("key")
    return (
        PendingAward.objects.filter(
            organization_id=batch.organization_id, row_key__in=keys, award=None, claimed_at=None
        )
        .select_related("version")
        .order_by("recipient_name", "id")
    )


def outcome_counts(batch: Batch) -> dict[str, int]:
    """How many rows of the batch have each outcome."""
    return dict(
        BatchRow.objects.filter(batch=batch)
        .values_list("outcome")
        .annotate(n=Count("id"))
        .values_list("outcome", "n")
    )


def assignments_for_authority(authority):
    """The authority's institutions with their assigned achievement ids and intake policies."""
    institutions = list(authority.children.order_by("name"))
    assigned: dict[int, set[int]] = {i.pk: set() for i in institutions}
    for institution_id, achievement_id in AchievementAssignment.objects.filter(
        institution__parent=authority
    ).values_list("institution_id", "achievement_id"):
        assigned.setdefault(institution_id, set()).add(achievement_id)
    direct = set(
        IntakePolicy.objects.filter(institution__parent=authority, direct_issue=True).values_list(
            "institution_id", flat=True
        )
    )
    return [(i, assigned[i.pk], i.pk in direct) for i in institutions]


def progress(batch: Batch, *, now: datetime | None = None) -> dict[str, object]:
    """Done / total / rate (per second) / ETA (seconds) / errors of a batch's job."""
    now = now or timezone.now()
    done, total = batch.job_done, batch.job_total
    rate = 0.0
    eta = None
    if batch.started_at and done:
        end = batch.finished_at or now
        elapsed = max((end - batch.started_at).total_seconds(), 0.001)
        rate = done / elapsed
        eta = 0 if done >= total else (total - done) / rate
    return {
        "done": done,
        "total": total,
        "percent": int(100 * done / total) if total else (100 if batch.finished_at else 0),
        "rate": rate,
        "eta": eta,
        "errors": batch.job_errors,
        "status": batch.status,
        "finished": batch.status
        in (Batch.Status.DONE, Batch.Status.CANCELLED, Batch.Status.FAILED),
    }
