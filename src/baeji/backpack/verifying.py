"""Verification for the backpack: platform awards against the platform's own documents,
imported badges through the guarded fetcher, and the engine's report put into plain words."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from baeji.credentials import model
from baeji.credentials.errors import CredentialError
from baeji.credentials.fetch import Fetcher
from baeji.credentials.report import VerificationReport
from baeji.credentials.verify import verify
from baeji.organizations.models import Organization
from baeji.verification.explain import explain_check
from baeji.verification.selectors import local_fetcher

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def new_fetcher() -> Fetcher:
    """The fetcher imports are verified with: this platform's issuers answered locally, every
    other address through the engine's guard (private addresses refused)."""
    return local_fetcher(Organization.objects.all()[:200], offline=False)


def verify_platform_award(award) -> VerificationReport:
    """Re-verify one of this platform's awards for its learner (no network: the platform's
    documents are seeded), checking the recipient against the address it was sent to."""
    organizations = [award.organization]
    if award.organization.parent:
        organizations.append(award.organization.parent)
    email = award.recipient_email or None
    return verify(award.credential_json, fetcher=local_fetcher(organizations), email=email)


def sniff_source(data: bytes) -> str:
    """What kind of upload ``data`` is: png, svg, url, jwt or json."""
    if data.startswith(PNG_MAGIC):
        return "png"
    head = data.lstrip()[:512]
    if head.startswith(b"<"):
        return "svg"
    text = head.decode("utf-8", "replace").strip()
    if text.startswith(("https://", "http://")):
        return "url"
    if text.startswith("{"):
        return "json"
    return "jwt"


def verify_upload(data: bytes, *, fetcher: Fetcher | None = None) -> VerificationReport:
    """Verify an upload (image bytes, JSON or JWT text, or an assertion URL)."""
    if sniff_source(data) in {"url", "json", "jwt"}:
        return verify(data.decode("utf-8", "replace").strip(), fetcher=fetcher or new_fetcher())
    return verify(data, fetcher=fetcher or new_fetcher())


def outcome_of(report: VerificationReport) -> str:
    """``verified``, ``revoked`` (only the status check failed) or ``unverified``."""
    if report.valid:
        return "verified"
    failed = {check.name for check in report.failed()}
    return "revoked" if failed == {"status"} else "unverified"


def is_readable(report: VerificationReport) -> bool:
    """Whether the upload was at least a credential (the format check did not fail)."""
    check = report.get("format")
    return report.credential is not None and (check is None or check.status != "fail")


# -- metadata -------------------------------------------------------------------------------


@dataclass
class BadgeFacts:
    """What the backpack lists about an imported badge, read from its credential."""

    spec: str = "ob3"
    name: str = ""
    description: str = ""
    issuer_name: str = ""
    issuer_id: str = ""
    issued_at: datetime | None = None
    level: str = ""
    competencies: list[str] = field(default_factory=list)
    # The badge's alignments, as {"name", "url", "code", "framework"} (empty strings if absent).
    alignments: list[dict[str, str]] = field(default_factory=list)


def _alignments(items: Any) -> list[dict[str, str]]:
    """OB 3.0 ``alignment`` or OB 2.0 ``alignment`` entries, reduced to what growth uses."""
    found = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        entry = {
            "name": _text(item.get("targetName"))[:300],
            "url": _text(item.get("targetUrl"))[:500],
            "code": _text(item.get("targetCode"))[:100],
            "framework": _text(item.get("targetFramework"))[:300],
        }
        if entry["name"] or entry["url"]:
            found.append(entry)
    return found[:50]


def _text(value: Any) -> str:
    if isinstance(value, dict):
        # Language maps ({"ko": ..., "en": ...}) and objects carrying "@value".
        value = value.get("@value") or next(iter(value.values()), "")
    return value.strip() if isinstance(value, str) else ""


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return model.parse_datetime(value)
    except (CredentialError, ValueError):
        return None


def _ob3_facts(credential: dict[str, Any]) -> BadgeFacts:
    subject = credential.get("credentialSubject") or {}
    if isinstance(subject, list):
        subject = subject[0] if subject else {}
    achievement = subject.get("achievement") or {}
    issuer = credential.get("issuer") or {}
    if isinstance(issuer, str):
        issuer = {"id": issuer}
    competencies = [_text(a.get("targetName")) for a in achievement.get("alignment") or []]
    competencies += [_text(t) for t in achievement.get("tag") or []]
    level = ""
    for item in achievement.get("resultDescription") or []:
        if item.get("resultType") == "RubricCriterionLevel" and item.get("name"):
            level = _text(item["name"])
    return BadgeFacts(
        spec="ob3",
        name=_text(achievement.get("name")) or _text(credential.get("name")),
        description=_text(achievement.get("description")) or _text(credential.get("description")),
        issuer_name=_text(issuer.get("name")),
        issuer_id=_text(issuer.get("id")),
        issued_at=_date(credential.get("validFrom"))
        or _date(credential.get("awardedDate"))
        or _date(credential.get("issuanceDate")),
        level=level,
        competencies=[c for c in competencies if c],
        alignments=_alignments(achievement.get("alignment")),
    )


def _document(value: Any, fetcher: Fetcher) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        try:
            found = fetcher.get_json(value)
        except CredentialError:
            return {}
        return found if isinstance(found, dict) else {}
    return {}


def _ob2_facts(assertion: dict[str, Any], fetcher: Fetcher) -> BadgeFacts:
    badge = _document(assertion.get("badge"), fetcher)
    issuer = _document(badge.get("issuer"), fetcher)
    competencies = [_text(a.get("targetName")) for a in badge.get("alignment") or []]
    competencies += [_text(t) for t in badge.get("tags") or []]
    return BadgeFacts(
        spec="ob2",
        name=_text(badge.get("name")) or _("Open Badges 2.0 badge"),
        description=_text(badge.get("description")),
        issuer_name=_text(issuer.get("name")),
        issuer_id=_text(issuer.get("id")) or _text(badge.get("issuer")),
        issued_at=_date(assertion.get("issuedOn")),
        competencies=[c for c in competencies if c],
        alignments=_alignments(badge.get("alignment")),
    )


def facts_of(report: VerificationReport, *, fetcher: Fetcher | None = None) -> BadgeFacts:
    """The listing facts of a verified (or at least readable) credential."""
    credential = report.credential or {}
    if isinstance(credential, str):
        try:
            credential = json.loads(credential)
        except ValueError:
            credential = {}
    if report.format == "ob2" or ("badge" in credential and "recipient" in credential):
        return _ob2_facts(credential, fetcher or new_fetcher())
    facts = _ob3_facts(credential)
    facts.name = facts.name or _("Untitled badge")
    return facts


# -- plain words ------------------------------------------------------------------------------


def check_label(name: str) -> str:
    """A person's name for an engine check."""
    labels = {
        "format": _("It is a badge credential"),
        "schema": _("Its fields follow the Open Badges standard"),
        "proof": _("The issuer's signature is intact"),
        "issuer": _("The signing key belongs to the issuer"),
        "validity": _("It is within its validity dates"),
        "status": _("The issuer has not revoked or suspended it"),
        "recipient": _("It names the right recipient"),
        "endorsements": _("Endorsements check out"),
        "inner credentials": _("The badges inside check out"),
        "associations": _("Links between the badges check out"),
    }
    return labels.get(name, name)


def plain_report(report: VerificationReport | dict) -> dict[str, Any]:
    """A report (or its stored dict) as a summary sentence and labelled checks for templates.

    Each check has its ``label``, what it found in the page's language (``text``) and, when
    the engine's English message says more, that message (``detail``).
    """
    data = report.to_dict() if isinstance(report, VerificationReport) else dict(report)
    checks = []
    for c in data.get("checks", []):
        said = explain_check(c)
        checks.append(
            {
                "name": c.get("name", ""),
                "label": check_label(c.get("name", "")),
                "status": c.get("status", ""),
                "message": c.get("message", ""),
                "text": said.text,
                "detail": said.detail,
            }
        )
    failed = [c for c in checks if c["status"] == "fail"]
    if not failed:
        outcome, summary = "verified", _("Verified: genuine, unchanged and currently valid.")
    elif {c["name"] for c in failed} == {"status"}:
        outcome, summary = "revoked", _("The issuer has revoked or suspended this badge.")
    else:
        outcome = "unverified"
        summary = _("Could not be verified. Failed: %(what)s.") % {
            "what": "; ".join(c["label"] for c in failed)
        }
    return {"outcome": outcome, "summary": summary, "checks": checks}
