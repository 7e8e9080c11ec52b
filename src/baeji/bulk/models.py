"""Bulk issuance: assignments, intake policies, remembered mappings, batches, rows and chunks.

A *batch* is one uploaded spreadsheet of an institution. It goes through
``mapping`` → ``validating`` → ``validated`` → (``submitted`` → review) → ``issuing`` →
``done`` (or ``rejected`` / ``cancelled`` / ``failed``). Its rows are stored once validated, so
issuing never re-reads the file; issuing is split into *chunks* that background tasks process
idempotently (see :func:`baeji.bulk.services.batch_issue_chunk`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baeji.core.models import PublicModel, TimeStamped


class AchievementAssignment(TimeStamped):
    """An authority lets one of its member institutions issue one of its achievements."""

    achievement = models.ForeignKey(
        "achievements.Achievement", on_delete=models.CASCADE, related_name="assignments"
    )
    institution = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["institution", "achievement"]
        constraints = [
            models.UniqueConstraint(fields=["achievement", "institution"], name="assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.achievement} → {self.institution}"


class IntakePolicy(TimeStamped):
    """How an authority treats one institution's batches: reviewed, or issued directly."""

    institution = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="intake_policy"
    )
    direct_issue = models.BooleanField(default=False)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.institution}: {'direct' if self.direct_issue else 'reviewed'}"


class ColumnMapping(TimeStamped):
    """The column names an institution's spreadsheets use, remembered from its last choices.

    ``mapping`` is {header as written in the file: field}; an empty field means "ignore".
    """

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="column_mapping"
    )
    mapping = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.organization}: {len(self.mapping)} columns"


class Batch(PublicModel):
    """One uploaded spreadsheet (or the items of one API request) and, once approved, its
    issuing job with progress."""

    class Status(models.TextChoices):
        MAPPING = "mapping", _("Columns to map")
        VALIDATING = "validating", _("Checking")
        VALIDATED = "validated", _("Checked")
        SUBMITTED = "submitted", _("Awaiting approval")
        REJECTED = "rejected", _("Rejected")
        ISSUING = "issuing", _("Issuing")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    class Source(models.TextChoices):
        UPLOAD = "upload", _("Spreadsheet")
        API = "api", _("API")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="batches"
    )
    # Where the rows came from: an uploaded spreadsheet, or the JSON items of the issuing API
    # (then ``content`` holds those items as canonical JSON).
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.UPLOAD)
    # The API client's ``Idempotency-Key``: the same key sent again by the same organization
    # gets this batch back instead of a new one.
    idempotency_key = models.CharField(max_length=255, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    # The upload itself, kept in the database so that any worker can validate it; bounded
    # by BAEJI_BULK_MAX_BYTES.
    content = models.BinaryField()
    file_format = models.CharField(max_length=8, blank=True)
    encoding = models.CharField(max_length=16, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    default_achievement = models.ForeignKey(
        "achievements.Achievement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(max_length=8, default="ko")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.MAPPING)
    skip_invalid = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    # Validation summary.
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    invalid_rows = models.PositiveIntegerField(default=0)
    already_rows = models.PositiveIntegerField(default=0)
    pending_rows = models.PositiveIntegerField(default=0)
    # {"achievements": {slug: count}, "errors": {code: count}}
    summary = models.JSONField(default=dict)
    # Checking: the run that holds the lease (a random id, empty when none) until when, and
    # how many runs took it. A check still ``validating`` after its lease is abandoned (the
    # worker died) and is queued again, up to a limit (see batch_requeue_stale_checks).
    validation_holder = models.CharField(max_length=32, blank=True, default="")
    validation_lease_until = models.DateTimeField(null=True, blank=True)
    validation_attempts = models.PositiveIntegerField(default=0)
    # Review.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    # Job progress.
    job_total = models.PositiveIntegerField(default=0)
    job_done = models.PositiveIntegerField(default=0)
    job_errors = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "batches"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="batch_idempotency_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization.slug}/{self.filename} ({self.status})"


class BatchRow(models.Model):
    """One data row of a batch after validation, and what became of it.

    ``outcome`` is ``valid`` until issued, then ``issued`` or ``pending_claim``; ``invalid``
    and ``already_issued`` rows are never issued. ``data`` holds the cleaned values (and
    ``"notify": false`` for an API item whose award e-mail is not to be sent).
    """

    class Outcome(models.TextChoices):
        VALID = "valid", _("Ready")
        INVALID = "invalid", _("Invalid")
        ALREADY = "already_issued", _("Already issued")
        ISSUED = "issued", _("Issued")
        PENDING = "pending_claim", _("Waiting for claim")

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    key = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    # [{"field": ..., "code": ..., "ko": ..., "en": ...}]
    errors = models.JSONField(default=list)
    award = models.ForeignKey(
        "awards.Award", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pending = models.ForeignKey(
        "awards.PendingAward", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["batch", "line"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line"], name="batch_row_line_unique")
        ]
        indexes = [
            models.Index(fields=["batch", "outcome"], name="batch_row_outcome"),
            # From an issued award back to its row (an API item's ``notify`` flag).
            models.Index(fields=["key"], name="batch_row_key"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line} {self.outcome}"


class BatchChunk(models.Model):
    """A slice of a batch's valid rows (by line range) issued by one background task run.

    ``lease_until`` is set when a worker starts the chunk; a chunk still ``running`` after its
    lease is considered abandoned (the worker died) and is queued again.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    first_line = models.PositiveIntegerField()
    last_line = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="batch_chunk_unique")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.number} {self.state}"
