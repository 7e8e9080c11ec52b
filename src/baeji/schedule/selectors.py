"""Reads of the schedule (platform-wide, for operators; not tied to an organization)."""

from __future__ import annotations

from typing import Any

from baeji.schedule.duties import DUTIES
from baeji.schedule.models import PeriodicDuty
from baeji.schedule.services import intervals


def duties_schedule() -> list[dict[str, Any]]:
    """Every duty with its interval (0: off), next run and last claim (None until a tick)."""
    rows = {row.name: row for row in PeriodicDuty.objects.all()}
    every = intervals()
    schedule = []
    for duty in DUTIES:
        row = rows.get(duty.name)
        schedule.append(
            {
                "name": duty.name,
                "summary": duty.summary,
                "seconds": every[duty.name],
                "next_run_at": row.next_run_at if row else None,
                "last_claimed_at": row.last_claimed_at if row else None,
                "claimed_by": row.claimed_by if row else "",
            }
        )
    return schedule
