"""Verification reports: a list of named checks, never a bare boolean.

The public badge page, ``/verify``, the API and the ``baeji verify`` command all render the
same :class:`VerificationReport`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["pass", "fail", "warn", "skip"]


@dataclass(frozen=True)
class Check:
    """One named check: ``status`` is pass, fail, warn or skip; ``message`` is for people."""

    name: str
    status: Status
    message: str

    def to_dict(self) -> dict[str, str]:
        """The check as the ``--json`` output and the API show it."""
        return {"name": self.name, "status": self.status, "message": self.message}


@dataclass
class VerificationReport:
    """The result of verifying one credential or assertion.

    ``valid`` is true when no check failed and at least one check passed. ``credential`` is
    the parsed credential (the JSON object, also for a JWT or a baked image) when it could
    be read; ``format`` says what was given (``json``, ``jwt``, ``png``, ``svg``, ``ob2`` ...).
    """

    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    format: str = ""

    @property
    def valid(self) -> bool:
        """True when nothing failed and something passed."""
        statuses = [c.status for c in self.checks]
        return "fail" not in statuses and "pass" in statuses

    def add(self, name: str, status: Status, message: str) -> Check:
        """Append a check and return it."""
        check = Check(name, status, message)
        self.checks.append(check)
        return check

    def get(self, name: str) -> Check | None:
        """The first check with this name, or None."""
        return next((c for c in self.checks if c.name == name), None)

    def failed(self) -> list[Check]:
        """The checks that failed."""
        return [c for c in self.checks if c.status == "fail"]

    def to_dict(self) -> dict[str, Any]:
        """``{"valid": bool, "checks": [...]}``: the ``baeji verify --json`` contract."""
        return {"valid": self.valid, "checks": [c.to_dict() for c in self.checks]}
