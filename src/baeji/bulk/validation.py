"""Row-by-row validation of an opened upload, before anything is issued.

Framework-free (no Django): the checks that need the database are callbacks.

``validate_rows(table, mapping, *, issuer_slug, lookup_achievement, already_awarded,
today=None, default_achievement=None) -> Iterator[ValidRow | list[RowError]]``

* ``mapping`` is {source header: field} (from :func:`baeji.bulk.spreadsheet.detect_mapping`,
  remembered per institution, or chosen in the UI). It is checked when ``validate_rows`` is
  called (not on the first ``next()``), raising :class:`~baeji.bulk.spreadsheet.MappingError`.
* ``lookup_achievement(code) -> AchievementInfo | None`` is called once per distinct code
  (results are cached for the pass); ``already_awarded(learner_key, achievement_slug, date)
  -> bool`` once per row that passed every other check.
* Columns that the mapping does not name are ignored entirely (not checked, not kept).
* Yields, lazily and in file order, a :class:`ValidRow` or the list of every
  :class:`RowError` found in that row. A valid row without e-mail becomes a pending claim
  (``ValidRow.pending_claim``). Memory grows only by one 16-byte digest per row (for the
  duplicate check) and one entry per distinct achievement code.

Checks and their codes (messages in Korean and English in :mod:`baeji.bulk.messages`):
``formula_cell`` (a cell starting with ``= + - @`` after trimming spaces, or with TAB/CR:
CSV-injection payloads are refused as input), ``bad_characters`` (control characters; line
breaks are allowed inside ``narrative`` only), ``too_long`` (see ``FIELD_MAX_LENGTH``),
``required`` (name, achievement unless ``default_achievement``, issued_on), ``bad_email``
(an empty e-mail is fine: the row becomes a pending claim), ``unknown_achievement``,
``achievement_not_assigned``, ``result_required``, ``bad_date`` (accepted: ``2026-03-01``,
``2026.03.01``, ``2026. 3. 1.``, ``2026/3/1``, ``20260301``, ``2026년 3월 1일``, any of these
followed by a time, and Excel date cells), ``date_too_old`` (before ``MIN_DATE``: catches empty
Excel date cells stored as day 0), ``future_date`` (after today in Korea, UTC+9 with no DST),
``bad_url`` (http/https with a host), ``duplicate_in_file`` and ``already_awarded``.

Idempotency
-----------
``learner_key(email=..., learner_id=..., name=...)`` is ``email:<lowercased e-mail>``, else
``id:<learner_id>``, else ``name:<name with spaces collapsed>``; ``row_key(issuer_slug,
learner_key, achievement_slug, issued_on) -> str`` is the SHA-256 hex of those four values, so
uploading a corrected file again gives every unchanged row the same key. Note that adding an
e-mail to a row that had none changes its learner key (and so its row key).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit

from baeji.bulk.messages import LANGUAGES, message
from baeji.bulk.spreadsheet import FIELDS, Table, resolve_mapping

__all__ = [
    "FIELD_MAX_LENGTH",
    "KOREA",
    "MIN_DATE",
    "AchievementInfo",
    "Row",
    "RowError",
    "ValidRow",
    "is_valid_email",
    "is_valid_url",
    "learner_key",
    "map_rows",
    "parse_date",
    "row_key",
    "today_in_korea",
    "validate_rows",
]

KOREA = timezone(timedelta(hours=9), "KST")
"""Korea Standard Time; Korea has had no daylight saving time since 1988."""

MIN_DATE = date(1950, 1, 1)

FIELD_MAX_LENGTH: dict[str, int] = {
    "name": 100,
    "email": 254,
    "achievement": 100,
    "issued_on": 40,
    "evidence_url": 500,  # what an Award keeps (awards.models.Award.evidence_url)
    "narrative": 5000,
    "result": 200,
    "learner_id": 100,
}

ROW_KEY_VERSION = "baeji.bulk.row/1"

_FORMULA_CHARS = ("=", "+", "-", "@")
# Every Unicode space (the highest is U+3000, the ideographic space) plus BOM and zero-widths.
_TRIM = (
    "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\ufeff\u200b\u200c\u200d\u2060"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f\u2028\u2029]")
_KEY_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_TIME = (
    r"(?:(?:T|\s+)(?:(?:오전|오후|AM|PM)\s*)?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:AM|PM))?)?"
)
_DATE_SEPARATED = re.compile(
    r"(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*[.일]?\s*" + _TIME, re.IGNORECASE
)
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TLD = re.compile(r"(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})")


@dataclass(frozen=True)
class AchievementInfo:
    """What validation needs to know about an achievement, returned by ``lookup_achievement``."""

    slug: str
    requires_result: bool = False
    assigned: bool = True


@dataclass(frozen=True)
class Row:
    """A data row after mapping: ``values`` holds every field's raw text ("" when absent)."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class RowError:
    """One problem in one row: ``field`` is None for whole-row problems (duplicates)."""

    line: int
    field: str | None
    code: str
    message_ko: str
    message_en: str
    params: dict[str, object] = field(default_factory=dict)

    @classmethod
    def make(cls, line: int, field: str | None, code: str, **params: object) -> RowError:
        """Build an error, filling both messages from :mod:`baeji.bulk.messages`.

        Dates in ``params`` are stored as ISO strings so a job can keep params as JSON.
        """
        params = {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}
        values = dict(params)
        if field is not None:
            values["field"] = field
        return cls(
            line=line,
            field=field,
            code=code,
            message_ko=message(code, "ko", **values),
            message_en=message(code, "en", **values),
            params=params,
        )

    def message(self, language: str = "ko") -> str:
        """The message in ``language`` ("ko" or "en")."""
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
        return self.message_ko if language == "ko" else self.message_en


@dataclass(frozen=True)
class ValidRow:
    """A row that passed every check, ready to be issued. Empty optional fields are None."""

    line: int
    name: str
    email: str | None
    achievement_slug: str
    issued_on: date
    evidence_url: str | None
    narrative: str | None
    result: str | None
    learner_id: str | None
    learner: str
    key: str

    @property
    def pending_claim(self) -> bool:
        """True when there is no e-mail: the award waits for the learner to claim it."""
        return self.email is None

    @property
    def outcome(self) -> str:
        """The report outcome once issued: ``pending_claim`` without e-mail, else ``issued``."""
        return "pending_claim" if self.pending_claim else "issued"


def today_in_korea() -> date:
    """Today's date in Korea (UTC+9)."""
    return datetime.now(KOREA).date()


def parse_date(text: str) -> date | None:
    """Parse the date formats Korean spreadsheets use; None when unreadable or impossible."""
    text = text.strip()
    match = _DATE_SEPARATED.fullmatch(text) or _DATE_COMPACT.fullmatch(text)
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def is_valid_email(text: str) -> bool:
    """A practical syntax check: ``local@domain.tld``, internationalised domains allowed."""
    if len(text) > FIELD_MAX_LENGTH["email"] or text.count("@") != 1:
        return False
    local, domain = text.split("@")
    if len(local) > 64 or not _EMAIL_LOCAL.fullmatch(local):
        return False
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return False
    labels = domain.split(".")
    if len(labels) < 2 or len(domain) > 253:
        return False
    return all(_DOMAIN_LABEL.fullmatch(label) for label in labels) and bool(
        _TLD.fullmatch(labels[-1])
    )


def is_valid_url(text: str) -> bool:
    """True for an absolute http(s) URL with a host and no spaces or control characters."""
    if any(ch.isspace() for ch in text) or _CONTROL.search(text) or "\\" in text:
        return False
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def learner_key(*, email: str | None, learner_id: str | None, name: str | None) -> str:
    """Who a row is about: the lowercased e-mail, else the learner id, else the name."""
    if email:
        return "email:" + email.strip().lower()
    if learner_id:
        return "id:" + learner_id.strip()
    if name:
        return "name:" + " ".join(unicodedata.normalize("NFC", name).split())
    raise ValueError("a learner needs an e-mail, a learner id or a name")


def row_key(issuer_slug: str, learner: str, achievement_slug: str, issued_on: date) -> str:
    """The stable idempotency key of a row (SHA-256 hex); ``learner`` is a :func:`learner_key`."""
    payload = _KEY_ENCODER.encode(
        [ROW_KEY_VERSION, issuer_slug, learner, achievement_slug, issued_on.isoformat()]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def map_rows(
    table: Table, mapping: Mapping[str, str], *, default_achievement: str | None = None
) -> Iterator[Row]:
    """Apply a mapping to a table: a lazy stream of :class:`Row` (checked like validate_rows)."""
    columns = resolve_mapping(table.headers, mapping, default_achievement=default_achievement)
    return _mapped(table, columns)


def _mapped(table: Table, columns: dict[int, str]) -> Iterator[Row]:
    for source in table:
        values = dict.fromkeys(FIELDS, "")
        cells = source.cells
        for index, name in columns.items():
            if index < len(cells):
                values[name] = cells[index]
        yield Row(source.line, values)


def validate_rows(
    table: Table,
    mapping: Mapping[str, str],
    *,
    issuer_slug: str,
    lookup_achievement: Callable[[str], AchievementInfo | None],
    already_awarded: Callable[[str, str, date], bool],
    today: date | None = None,
    default_achievement: str | None = None,
    refuse_formulas: bool = True,
) -> Iterator[ValidRow | list[RowError]]:
    """Validate every row of ``table``; see the module docstring for the checks and codes.

    ``refuse_formulas=False`` skips the ``formula_cell`` check, for values that never were
    spreadsheet cells (the API's JSON): a narrative may then start with a Markdown list's
    ``-``. Every export escapes such values anyway.
    """
    rows = map_rows(table, mapping, default_achievement=default_achievement)
    validator = _Validator(
        issuer_slug=issuer_slug,
        lookup_achievement=lookup_achievement,
        already_awarded=already_awarded,
        today=today or today_in_korea(),
        default_achievement=default_achievement,
        refuse_formulas=refuse_formulas,
    )
    return (validator.check(row) for row in rows)


class _Validator:
    def __init__(
        self,
        *,
        issuer_slug: str,
        lookup_achievement: Callable[[str], AchievementInfo | None],
        already_awarded: Callable[[str, str, date], bool],
        today: date,
        default_achievement: str | None,
        refuse_formulas: bool = True,
    ) -> None:
        self.issuer_slug = issuer_slug
        self.lookup_achievement = lookup_achievement
        self.already_awarded = already_awarded
        self.today = today
        self.default_achievement = (default_achievement or "").strip() or None
        self.refuse_formulas = refuse_formulas
        self.achievements: dict[str, AchievementInfo | None] = {}
        # First line of each row key seen, keyed by a 16-byte digest prefix to stay small.
        self.seen: dict[bytes, int] = {}

    def _clean(self, row: Row, errors: list[RowError]) -> dict[str, str | None]:
        clean: dict[str, str | None] = dict.fromkeys(FIELDS)
        for name, raw in row.values.items():
            if not raw:
                continue
            if self.refuse_formulas and raw[0] in "\t\r":
                char = "TAB" if raw[0] == "\t" else "CR"
                errors.append(RowError.make(row.line, name, "formula_cell", char=char))
                continue
            value = raw.strip(_TRIM)
            if self.refuse_formulas and value.startswith(_FORMULA_CHARS):
                errors.append(RowError.make(row.line, name, "formula_cell", char=value[0]))
                continue
            forbidden = _CONTROL if name == "narrative" else _CONTROL_OR_BREAK
            if forbidden.search(value):
                errors.append(RowError.make(row.line, name, "bad_characters"))
                continue
            limit = FIELD_MAX_LENGTH[name]
            if len(value) > limit:
                errors.append(
                    RowError.make(row.line, name, "too_long", length=len(value), max=limit)
                )
                continue
            clean[name] = value or None
        return clean

    def _achievement(self, code: str) -> AchievementInfo | None:
        if code not in self.achievements:
            self.achievements[code] = self.lookup_achievement(code)
        return self.achievements[code]

    def check(self, row: Row) -> ValidRow | list[RowError]:
        line = row.line
        errors: list[RowError] = []
        clean = self._clean(row, errors)
        failed = {error.field for error in errors}

        name = clean["name"]
        if name is None and "name" not in failed:
            errors.append(RowError.make(line, "name", "required"))

        email = clean["email"]
        email_ok = "email" not in failed
        if email is not None and not is_valid_email(email):
            errors.append(RowError.make(line, "email", "bad_email", value=_short(email)))
            email_ok = False

        info = None
        code = clean["achievement"] if "achievement" not in failed else None
        code = code or (self.default_achievement if "achievement" not in failed else None)
        if code is None and "achievement" not in failed:
            errors.append(RowError.make(line, "achievement", "required"))
        elif code is not None:
            info = self._achievement(code)
            if info is None:
                errors.append(
                    RowError.make(line, "achievement", "unknown_achievement", value=_short(code))
                )
            elif not info.assigned:
                errors.append(
                    RowError.make(
                        line, "achievement", "achievement_not_assigned", value=_short(code)
                    )
                )
            elif info.requires_result and clean["result"] is None and "result" not in failed:
                errors.append(RowError.make(line, "result", "result_required", value=info.slug))

        issued_on = None
        date_text = clean["issued_on"]
        if date_text is None and "issued_on" not in failed:
            errors.append(RowError.make(line, "issued_on", "required"))
        elif date_text is not None:
            parsed = parse_date(date_text)
            if parsed is None:
                errors.append(RowError.make(line, "issued_on", "bad_date", value=_short(date_text)))
            elif parsed < MIN_DATE:
                errors.append(
                    RowError.make(
                        line, "issued_on", "date_too_old", value=parsed, min_date=MIN_DATE
                    )
                )
            elif parsed > self.today:
                errors.append(
                    RowError.make(line, "issued_on", "future_date", value=parsed, today=self.today)
                )
            else:
                issued_on = parsed

        url = clean["evidence_url"]
        if url is not None and not is_valid_url(url):
            errors.append(RowError.make(line, "evidence_url", "bad_url"))

        learner = None
        if email_ok and "learner_id" not in failed and (email or clean["learner_id"] or name):
            learner = learner_key(email=email, learner_id=clean["learner_id"], name=name)
        key = None
        if learner is not None and info is not None and info.assigned and issued_on is not None:
            key = row_key(self.issuer_slug, learner, info.slug, issued_on)
            digest = bytes.fromhex(key[:32])
            first_line = self.seen.setdefault(digest, line)
            if first_line != line:
                errors.append(RowError.make(line, None, "duplicate_in_file", first_line=first_line))
        if errors:
            return errors
        assert learner is not None and info is not None and issued_on is not None
        assert key is not None and name is not None
        if self.already_awarded(learner, info.slug, issued_on):
            return [RowError.make(line, None, "already_awarded")]
        return ValidRow(
            line=line,
            name=name,
            email=email,
            achievement_slug=info.slug,
            issued_on=issued_on,
            evidence_url=url,
            narrative=clean["narrative"],
            result=clean["result"],
            learner_id=clean["learner_id"],
            learner=learner,
            key=key,
        )


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
