"""One row per periodic duty: when it is next due, and who last claimed it."""

from django.db import models


class PeriodicDuty(models.Model):
    """A duty of :data:`baeji.schedule.duties.DUTIES` as the database schedules it.

    Rows are created by the first tick that meets a new duty. A tick claims a due duty by
    moving ``next_run_at`` one interval ahead with a conditional ``UPDATE``, so exactly one
    process queues each run however many workers tick at once.
    """

    name = models.CharField(max_length=64, unique=True)
    next_run_at = models.DateTimeField()
    last_claimed_at = models.DateTimeField(null=True, blank=True)
    # host:pid of the process that claimed the last run, for operators.
    claimed_by = models.CharField(max_length=200, blank=True)
    # The task result of the last queued run (with a task backend that keeps results).
    last_task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "periodic duties"

    def __str__(self) -> str:
        return f"{self.name} (next {self.next_run_at:%Y-%m-%d %H:%M:%S})"
