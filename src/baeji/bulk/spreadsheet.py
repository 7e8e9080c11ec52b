"""Reading the spreadsheets institutions send, mapping their columns, and writing safe reports.

Framework-free (no Django). The Django side stores uploads, remembers mappings per institution
and runs jobs; it calls this module and :mod:`baeji.bulk.validation`.

Reading
-------
``open_table(data, filename, *, max_bytes, max_rows, delimiter=None, sheet=None,
max_uncompressed_bytes=None) -> Table``

* The format is decided by the content, not the file name: a ZIP (``PK``) is read as XLSX with
  openpyxl in ``read_only`` mode; an old binary Excel file (``.xls``, also what an encrypted
  workbook looks like) or an HTML table saved as ``.xls`` is refused with a message asking
  for ``.xlsx`` or CSV; everything else is delimited text.
* Text encodings, as Korean spreadsheet programs write them: UTF-8, UTF-8 with BOM (Excel's
  "CSV UTF-8"), CP949 (Excel Korean default and Hangul Office; EUC-KR is a subset) and UTF-16
  with BOM (Excel's "Unicode text"). The WHOLE file is checked before any row is returned
  (one streaming pass over its lines), so a file that is ASCII for 50,000 lines and CP949
  afterwards is read as CP949, and nothing is ever decoded with replacement characters.
  EUC-KR's 8-byte "make-up" spellings of rare syllables (filler + jamo) are recomposed
  (reported as ``euc_kr``). A file that is UTF-8 with Hangul and then switches to CP949 (two
  exports glued together) is refused as ``mixed_encoding``; bytes that are neither are refused
  as ``unknown_encoding`` with the line.
* Delimiter: comma, or tab. Unless ``delimiter`` is given it is sniffed from the first ten
  lines (whichever of comma and tab is more frequent); on a tie, ``.tsv``/``.txt`` files are
  tab-separated and everything else comma-separated.
* Header row: the first of the first ten rows in which at least two cells are known headers
  (so a title row such as "2026년 연수 이수자 명단" above the header is skipped); if no row has
  known headers, the first non-empty row. ``Table.headers`` are stripped, BOM-free, NFC text.
* Rows: iterating a :class:`Table` yields :class:`SourceRow` ``(line, cells)`` lazily, where
  ``line`` is the row number the spreadsheet program shows (header row of a plain file = 1; a
  quoted cell with line breaks still counts as one row). Cells are NFC-normalised text, not
  stripped (validation decides about whitespace). Blank rows and comment rows (first cell
  starting with ``"# "`` or exactly ``"#"``, as in the templates' hint rows) are skipped. XLSX
  cells are converted to text: dates become ``2026-03-01`` (``2026-03-01 09:30:00`` with a
  time), whole numbers lose their ``.0``, formulas stay formulas (``=...``) so validation refuses
  them. A table may be iterated again (each pass starts at the top), one pass at a time.
* Limits: ``max_bytes`` is checked before reading (a non-seekable stream is copied to a
  spooled temporary file, stopping at the limit); ``max_rows`` counts data rows and is checked
  before the table is returned (cheaply from the physical line count, or the number of
  ``<row>`` elements in the sheet XML, and exactly by parsing only when those exceed the
  limit) and enforced again while iterating. XLSX
  files whose uncompressed size exceeds ``max_uncompressed_bytes`` (default 30 x ``max_bytes``)
  are refused before openpyxl parses them.

Columns
-------
``FIELDS`` are the template's columns. ``detect_mapping(headers) -> (mapping, unknown)`` maps
English or Korean template headers (and a few common synonyms, see ``HEADER_ALIASES``)
case-, space-, ``_``/``-``-insensitively; every other non-empty header is returned in
``unknown`` for the UI to ask about. ``resolve_mapping(headers, mapping, *,
default_achievement=None) -> dict[int, str]`` checks a mapping (detected, remembered or chosen)
against a file and returns column index -> field, raising :class:`MappingError`.

Templates
---------
``template_csv(language) -> bytes`` (UTF-8 with BOM so Excel shows Hangul) and
``template_xlsx(language) -> bytes`` for ``"ko"`` or ``"en"``: the header row, a hint row and an
example row. Both extra rows are comment rows (first cell starts with ``"# "``), so a filled-in
template can be uploaded as it is. The XLSX header cells also carry the hints as comments.

Reports
-------
``write_report(rows, out) -> int`` writes ``row,outcome,url,error`` as UTF-8 CSV with BOM to a
binary stream; ``report_chunks(rows)`` yields the same bytes for a streaming HTTP response.
Every cell goes through :func:`escape_cell` (OWASP CSV injection: a cell starting with
``= + - @`` TAB or CR gets a leading single quote). ``ReportRow.from_errors(line, errors,
language)`` builds the row for a failed validation (``already_issued`` when the only problem is
``already_awarded``).

Errors and languages
--------------------
File-level problems raise :class:`SpreadsheetError` (subclasses :class:`FileTooLarge`,
:class:`TooManyRows`, :class:`EncodingError`, :class:`MappingError`) carrying a stable ``code``,
``params``, ``line`` (when known), ``message_ko`` and ``message_en``; ``str(error)`` is English
and ``error.message("ko")`` Korean. Texts live in :mod:`baeji.bulk.messages`.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import BinaryIO, NamedTuple

from baeji.bulk.messages import FIELD_LABELS, LANGUAGES, message

__all__ = [
    "FIELDS",
    "HEADER_ALIASES",
    "OUTCOMES",
    "REQUIRED_FIELDS",
    "TEMPLATE_HEADERS",
    "EncodingError",
    "FileTooLarge",
    "MappingError",
    "ReportRow",
    "SourceRow",
    "SpreadsheetError",
    "Table",
    "TooManyRows",
    "detect_encoding",
    "detect_mapping",
    "escape_cell",
    "normalize_header",
    "open_table",
    "report_chunks",
    "resolve_mapping",
    "template_csv",
    "template_xlsx",
    "write_report",
]

FIELDS = (
    "name",
    "email",
    "achievement",
    "issued_on",
    "evidence_url",
    "narrative",
    "result",
    "learner_id",
)
# ``achievement`` may instead come from the upload form (``default_achievement``).
REQUIRED_FIELDS = ("name", "achievement", "issued_on")

TEMPLATE_HEADERS: dict[str, tuple[str, ...]] = {
    "en": FIELDS,
    "ko": tuple(FIELD_LABELS[field][0] for field in FIELDS),
}

OUTCOMES = ("issued", "already_issued", "invalid", "pending_claim")

HEADER_SCAN_ROWS = 10
SPOOL_MEMORY_BYTES = 8 * 1024 * 1024
UNCOMPRESSED_RATIO = 30
_COPY_CHUNK = 1024 * 1024
_SNIFF_BYTES = 64 * 1024

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HANGUL = re.compile("[\uac00-\ud7a3]")
_EUC_KR_FILLER = b"\xa4\xd4"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def normalize_header(text: str) -> str:
    """The comparison form of a header: NFKC, casefolded, without spaces, BOM, ``_ - . ( )``."""
    text = unicodedata.normalize("NFKC", text.replace("\ufeff", "")).casefold()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "_-.()·")


def _aliases() -> dict[str, str]:
    synonyms = {
        "name": ("성명", "학습자이름", "learner name", "full name"),
        "email": ("이메일주소", "전자우편", "e-mail", "mail", "email address"),
        "achievement": ("배지코드", "배지슬러그", "badge", "achievement code", "slug"),
        "issued_on": ("발급일자", "issued", "issue date", "date"),
        "evidence_url": ("증빙", "증빙자료", "evidence"),
        "narrative": ("narrative",),
        "result": ("result",),
        "learner_id": ("학습자번호", "learner id", "student id"),
    }
    table: dict[str, str] = {}
    for field in FIELDS:
        names = (field, FIELD_LABELS[field][0], FIELD_LABELS[field][1], *synonyms[field])
        for name in names:
            table[normalize_header(name)] = field
    return table


HEADER_ALIASES: dict[str, str] = _aliases()
"""Normalised header (see :func:`normalize_header`) -> field, for automatic mapping."""


class SpreadsheetError(Exception):
    """A file-level problem with an upload; carries a code and messages in Korean and English."""

    def __init__(self, code: str, *, line: int | None = None, **params: object) -> None:
        if line is not None:
            params["line"] = line
        self.code = code
        self.line = line
        self.params = params
        self.message_ko = message(code, "ko", **params)
        self.message_en = message(code, "en", **params)
        super().__init__(self.message_en)

    def message(self, language: str = "ko") -> str:
        """The message in ``language`` ("ko" or "en")."""
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
        return self.message_ko if language == "ko" else self.message_en


class FileTooLarge(SpreadsheetError):
    """The upload is larger than the configured byte limit (or, for XLSX, uncompressed limit)."""


class TooManyRows(SpreadsheetError):
    """The upload has more data rows than the configured limit."""


class EncodingError(SpreadsheetError):
    """The text is neither UTF-8 (with or without BOM), UTF-16 with BOM nor CP949."""


class MappingError(SpreadsheetError):
    """A column mapping does not fit the file (unknown column, duplicate, missing field)."""


class SourceRow(NamedTuple):
    """One data row of a table: its row number in the file and its cells as text."""

    line: int
    cells: tuple[str, ...]


# --------------------------------------------------------------------------------------------
# Encoding


def detect_encoding(sample: bytes) -> str:
    """The encoding of a sample of delimited text: ``utf-8-sig``, ``utf-16``, ``utf-8`` or
    ``cp949``.

    The sample may end in the middle of a character. Raises :class:`EncodingError` when the
    sample is none of these. :func:`open_table` checks the whole file, not just a sample.
    """
    if sample.startswith(codecs.BOM_UTF8):
        candidates = ("utf-8-sig",)
    elif sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    else:
        candidates = ("utf-8", "cp949")
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            decoder.decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise EncodingError("unknown_encoding", line=_line_of_first_bad_byte(sample))


def _line_of_first_bad_byte(sample: bytes) -> int:
    for number, raw in enumerate(sample.split(b"\n"), 1):
        try:
            raw.decode("cp949")
        except UnicodeDecodeError:
            return number
    return 1


def _scan_encoding(stream: BinaryIO) -> tuple[str, int | None]:
    """Check the whole stream and return (encoding, number of physical lines or None).

    Splitting on ``\\n`` is safe for UTF-8 and CP949 because neither uses 0x0A inside a
    multi-byte character; UTF-16 is left to the strict decoder while reading.
    """
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", None
    has_bom = head.startswith(codecs.BOM_UTF8)
    lines = 0
    first_hangul_line = None
    for raw in stream:
        lines += 1
        if raw.isascii():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            # Hangul decoded as UTF-8 on an earlier line means the start really was UTF-8,
            # so CP949 would turn it into wrong-but-valid characters: refuse instead.
            if first_hangul_line is not None or has_bom:
                mixed = first_hangul_line is not None and _decodes(raw, "cp949")
                code = "mixed_encoding" if mixed else "unknown_encoding"
                raise EncodingError(code, line=lines) from None
            break
        if first_hangul_line is None and _HANGUL.search(text):
            first_hangul_line = lines
    else:
        stream.seek(0)
        return ("utf-8-sig" if has_bom else "utf-8"), lines
    stream.seek(0)
    lines = 0
    makeup = False
    for raw in stream:
        lines += 1
        try:
            raw.decode("cp949")
        except UnicodeDecodeError:
            raise EncodingError("unknown_encoding", line=lines) from None
        makeup = makeup or _EUC_KR_FILLER in raw
    stream.seek(0)
    if makeup and _decodes_fully(stream, "euc_kr"):
        # Old EUC-KR writers spell syllables outside KS X 1001 as 8-byte filler+jamo sequences;
        # CP949 would show those as loose jamo, the euc_kr codec composes them back.
        return "euc_kr", lines
    return "cp949", lines


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _decodes_fully(stream: BinaryIO, encoding: str) -> bool:
    try:
        for raw in stream:
            raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


# --------------------------------------------------------------------------------------------
# Tables


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    elif isinstance(value, date | time):
        text = value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return unicodedata.normalize("NFC", text)


def _is_blank(cells: Sequence[str]) -> bool:
    return all(not cell.strip() for cell in cells)


def _is_comment(cells: Sequence[str]) -> bool:
    first = cells[0].lstrip() if cells else ""
    return first == "#" or first.startswith("# ")


class Table:
    """An opened upload: headers plus rows read lazily from the file.

    Attributes: ``format`` ("csv" or "xlsx"), ``headers`` (list of str), ``header_line``,
    ``encoding`` (None for XLSX), ``delimiter`` (None for XLSX), ``sheet_name`` (None for CSV),
    ``max_rows``. Iterate it for :class:`SourceRow` objects; use it as a context manager or
    call :meth:`close` to release the temporary file or workbook.
    """

    def __init__(
        self,
        *,
        format: str,
        records: Callable[[], Iterator[tuple[int, list[str]]]],
        max_rows: int,
        encoding: str | None = None,
        delimiter: str | None = None,
        sheet_name: str | None = None,
        closers: Sequence[Callable[[], object]] = (),
    ) -> None:
        self.format = format
        self.encoding = encoding
        self.delimiter = delimiter
        self.sheet_name = sheet_name
        self.max_rows = max_rows
        self._records = records
        self._closers = list(closers)
        self.header_line, self.headers = self._find_header()

    def _find_header(self) -> tuple[int, list[str]]:
        first_nonblank: tuple[int, list[str]] | None = None
        records = self._records()
        try:
            for index, (line, cells) in enumerate(records):
                if index >= HEADER_SCAN_ROWS:
                    break
                if _is_blank(cells):
                    continue
                if first_nonblank is None:
                    first_nonblank = (line, cells)
                known = sum(1 for cell in cells if normalize_header(cell) in HEADER_ALIASES)
                if known >= 2:
                    return line, _clean_headers(cells)
        finally:
            close = getattr(records, "close", None)
            if close is not None:
                close()
        if first_nonblank is None:
            raise SpreadsheetError("empty_file")
        return first_nonblank[0], _clean_headers(first_nonblank[1])

    def __iter__(self) -> Iterator[SourceRow]:
        count = 0
        for line, cells in self._records():
            if line <= self.header_line or _is_blank(cells) or _is_comment(cells):
                continue
            count += 1
            if count > self.max_rows:
                raise TooManyRows("too_many_rows", max=self.max_rows)
            yield SourceRow(line, tuple(cells))

    def count_rows(self) -> int:
        """The number of data rows (a full pass; raises :class:`TooManyRows` past the limit)."""
        return sum(1 for _ in self)

    def close(self) -> None:
        """Release the workbook or temporary copy (a caller's own stream is left open)."""
        while self._closers:
            self._closers.pop()()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _clean_headers(cells: Sequence[str]) -> list[str]:
    headers = [unicodedata.normalize("NFC", cell.replace("\ufeff", "")).strip() for cell in cells]
    while headers and not headers[-1]:
        headers.pop()
    return headers


def open_table(
    data: BinaryIO | bytes,
    filename: str,
    *,
    max_bytes: int,
    max_rows: int,
    delimiter: str | None = None,
    sheet: str | None = None,
    max_uncompressed_bytes: int | None = None,
) -> Table:
    """Open an uploaded CSV/TSV/XLSX file (bytes or a binary stream, read from its start).

    Raises :class:`FileTooLarge`, :class:`TooManyRows`, :class:`EncodingError` or
    :class:`SpreadsheetError` (``empty_file``, ``legacy_xls``, ``bad_xlsx``, ``xlsx_too_large``,
    ``sheet_not_found``, ``csv_malformed``) before any row is handed out.
    """
    stream, closers = _bounded_stream(data, max_bytes)
    try:
        head = stream.read(512)
        stream.seek(0)
        if not head.strip():
            raise SpreadsheetError("empty_file")
        lowered = filename.lower()
        if head.startswith(_ZIP_MAGIC):
            limit = max_uncompressed_bytes or UNCOMPRESSED_RATIO * max_bytes
            table = _open_xlsx(stream, max_rows, sheet, limit, closers)
        elif head.startswith(_OLE2_MAGIC) or lowered.endswith(".xls") or _looks_like_html(head):
            raise SpreadsheetError("legacy_xls")
        else:
            table = _open_text(stream, lowered, max_rows, delimiter, closers)
    except BaseException:
        for close in reversed(closers):
            close()
        raise
    return table


def _bounded_stream(data: BinaryIO | bytes, max_bytes: int) -> tuple[BinaryIO, list]:
    if isinstance(data, bytes | bytearray | memoryview):
        size = len(data)
        if size > max_bytes:
            raise FileTooLarge("file_too_large", size=size, max=max_bytes)
        return io.BytesIO(data), []
    if data.seekable():
        size = data.seek(0, io.SEEK_END)
        if size > max_bytes:
            raise FileTooLarge("file_too_large", size=size, max=max_bytes)
        data.seek(0)
        return data, []
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115
    size = 0
    while chunk := data.read(_COPY_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            spool.close()
            raise FileTooLarge("file_too_large", size=f"{size}+", max=max_bytes)
        spool.write(chunk)
    spool.seek(0)
    return spool, [spool.close]  # type: ignore[return-value]


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip(codecs.BOM_UTF8 + b" \t\r\n").lower()
    return start.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml"))


def _open_text(
    stream: BinaryIO,
    lowered_name: str,
    max_rows: int,
    delimiter: str | None,
    closers: list,
) -> Table:
    encoding, physical_lines = _scan_encoding(stream)
    if delimiter is None:
        delimiter = _sniff_delimiter(stream, encoding, lowered_name)

    def records() -> Iterator[tuple[int, list[str]]]:
        stream.seek(0)
        text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
        try:
            reader = csv.reader(text, delimiter=delimiter, strict=False)
            line = 0
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise SpreadsheetError("csv_malformed", line=line + 1) from exc
                except UnicodeDecodeError as exc:
                    raise EncodingError("unknown_encoding", line=line + 1) from exc
                line += 1
                yield line, [unicodedata.normalize("NFC", cell) for cell in cells]
        finally:
            # The caller owns ``stream``: detach so the wrapper does not close it.
            text.detach()

    table = Table(
        format="csv",
        records=records,
        max_rows=max_rows,
        encoding=encoding,
        delimiter=delimiter,
        closers=closers,
    )
    if physical_lines is None or physical_lines - table.header_line > max_rows:
        # Quoted line breaks, blank and comment rows make the line count an upper bound.
        table.count_rows()
    return table


def _sniff_delimiter(stream: BinaryIO, encoding: str, lowered_name: str) -> str:
    stream.seek(0)
    sample = stream.read(_SNIFF_BYTES).decode(encoding, errors="ignore")
    stream.seek(0)
    lines = sample.splitlines()[:HEADER_SCAN_ROWS]
    commas = sum(line.count(",") for line in lines)
    tabs = sum(line.count("\t") for line in lines)
    if tabs != commas:
        return "\t" if tabs > commas else ","
    return "\t" if lowered_name.endswith((".tsv", ".txt")) else ","


def _open_xlsx(
    stream: BinaryIO, max_rows: int, sheet: str | None, max_uncompressed: int, closers: list
) -> Table:
    import openpyxl  # imported here so CSV-only callers do not pay for it

    try:
        with zipfile.ZipFile(stream) as archive:
            uncompressed = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise SpreadsheetError("bad_xlsx") from exc
    if uncompressed > max_uncompressed:
        raise FileTooLarge("xlsx_too_large", size=uncompressed, max=max_uncompressed)
    stream.seek(0)
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise SpreadsheetError("bad_xlsx") from exc
    closers.append(workbook.close)
    names = workbook.sheetnames
    if sheet is not None and sheet not in names:
        raise SpreadsheetError("sheet_not_found", sheet=sheet, sheets=", ".join(names))
    if not workbook.worksheets:
        raise SpreadsheetError("empty_file")
    worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
    row_elements = _count_row_elements(worksheet)
    # Declared dimensions are often wrong (some generators write A1:A1); read the real rows.
    reset = getattr(worksheet, "reset_dimensions", None)
    if reset is not None:
        reset()

    def records() -> Iterator[tuple[int, list[str]]]:
        try:
            rows = worksheet.iter_rows(min_row=1, values_only=True)
            for line, values in enumerate(rows, 1):
                yield line, [_cell_text(value) for value in values]
        except SpreadsheetError:
            raise
        except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
            raise SpreadsheetError("bad_xlsx") from exc

    table = Table(
        format="xlsx",
        records=records,
        max_rows=max_rows,
        sheet_name=worksheet.title,
        closers=closers,
    )
    # At least the header row is a <row> element, so this is an upper bound on data rows.
    if row_elements is None or row_elements - 1 > max_rows:
        table.count_rows()
    return table


_ROW_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")


def _count_row_elements(worksheet: object) -> int | None:
    """Count ``<row>`` elements in the sheet XML at C speed (openpyxl parses ~10k rows/s).

    Uses openpyxl's read-only internals; None when they are not there, and the caller then
    counts by parsing. The declared ``<dimension>`` is not used: writers get it wrong.
    """
    archive = getattr(getattr(worksheet, "parent", None), "_archive", None)
    path = getattr(worksheet, "_worksheet_path", None)
    if archive is None or path is None:
        return None
    count = 0
    carry = b""
    with archive.open(path) as source:
        while chunk := source.read(_COPY_CHUNK):
            buffer = carry + chunk
            # Every match starts with "<" and holds no other "<": cutting at the last "<"
            # never splits a match, the tail is searched again with the next chunk.
            cut = buffer.rfind(b"<")
            cut = len(buffer) if cut < 0 else cut
            count += len(_ROW_ELEMENT.findall(buffer, 0, cut))
            carry = buffer[cut:]
    return count + len(_ROW_ELEMENT.findall(carry))


# --------------------------------------------------------------------------------------------
# Column mapping


def detect_mapping(headers: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """Map known headers to fields: returns ({source header: field}, [unknown headers]).

    Empty headers are ignored. A header that appears twice, or a second header for a field
    already mapped, is returned as unknown so that a person decides.
    """
    counts: dict[str, int] = {}
    for header in headers:
        key = header.strip()
        counts[key] = counts.get(key, 0) + 1
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    taken: set[str] = set()
    for header in headers:
        key = header.strip()
        if not key or key in mapping or key in unknown:
            continue
        field = HEADER_ALIASES.get(normalize_header(key))
        if field is None or field in taken or counts[key] > 1:
            unknown.append(key)
            continue
        mapping[key] = field
        taken.add(field)
    return mapping, unknown


def resolve_mapping(
    headers: Sequence[str],
    mapping: Mapping[str, str],
    *,
    default_achievement: str | None = None,
) -> dict[int, str]:
    """Check ``mapping`` ({source header: field}) against ``headers``; return {column: field}.

    Headers are compared after stripping spaces and a BOM. Fields mapped to ``""`` or ``None``
    are ignored (the UI's "skip this column"). Raises :class:`MappingError` for a header that is
    not in the file or appears twice, an unknown field, two columns for one field, or a
    missing required field (``achievement`` is optional when ``default_achievement`` is given).
    """
    positions: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        key = unicodedata.normalize("NFC", header.replace("\ufeff", "")).strip()
        positions.setdefault(key, []).append(index)
    columns: dict[int, str] = {}
    chosen: dict[str, str] = {}
    for source, field in mapping.items():
        if not field:
            continue
        if field not in FIELDS:
            raise MappingError("mapping_unknown_field", field=field, fields=", ".join(FIELDS))
        key = unicodedata.normalize("NFC", source.replace("\ufeff", "")).strip()
        found = positions.get(key)
        if not found:
            raise MappingError("mapping_unknown_header", header=source)
        if len(found) > 1:
            raise MappingError("mapping_duplicate_header", header=source)
        if field in chosen:
            raise MappingError(
                "mapping_duplicate_field", field=field, header=chosen[field], other=source
            )
        chosen[field] = source
        columns[found[0]] = field
    for field in REQUIRED_FIELDS:
        if field == "achievement" and default_achievement:
            continue
        if field not in chosen:
            raise MappingError("mapping_missing_required", field=field)
    return columns


# --------------------------------------------------------------------------------------------
# Templates

_HINTS = {
    "ko": (
        "# 필수: 학습자 이름 ('# '로 시작하는 행은 읽지 않습니다)",
        "선택: 비우면 수령 링크로 발급",
        "필수: 배지 슬러그 또는 코드",
        "필수: 2026-03-01 형식, 미래 날짜 불가",
        "선택: http:// 또는 https:// 주소",
        "선택: 활동 내용",
        "배지에 따라 필수: 점수나 등급",
        "선택: 기관의 학습자 번호",
    ),
    "en": (
        "# Required: learner's name (rows starting with '# ' are not read)",
        "Optional: leave empty to issue a claim link",
        "Required: the achievement's slug or code",
        "Required: like 2026-03-01, not in the future",
        "Optional: an http:// or https:// address",
        "Optional: what the learner did",
        "Required for some achievements: score or grade",
        "Optional: your learner number",
    ),
}
_EXAMPLES = {
    "ko": (
        "# 홍길동",
        "hong@example.com",
        "ai-basics",
        "2026-03-01",
        "https://example.kr/evidence/1",
        "AI 기초 연수 30시간 이수",
        "A",
        "T2026001",
    ),
    "en": (
        "# Jane Doe",
        "jane@example.com",
        "ai-basics",
        "2026-03-01",
        "https://example.org/evidence/1",
        "Completed 30 hours of AI basics",
        "A",
        "T2026001",
    ),
}


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")


def template_csv(language: str = "ko") -> bytes:
    """The upload template as CSV (UTF-8 with BOM): header, hint row and example row."""
    _check_language(language)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_HEADERS[language])
    writer.writerow(_HINTS[language])
    writer.writerow(_EXAMPLES[language])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def template_xlsx(language: str = "ko") -> bytes:
    """The upload template as XLSX: header (with hint comments), hint row and example row."""
    _check_language(language)
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "명단" if language == "ko" else "Learners"
    sheet.append(list(TEMPLATE_HEADERS[language]))
    sheet.append(list(_HINTS[language]))
    example: list[object] = list(_EXAMPLES[language])
    example[FIELDS.index("issued_on")] = date(2026, 3, 1)
    sheet.append(example)
    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    for column, hint in enumerate(_HINTS[language], 1):
        header = sheet.cell(row=1, column=column)
        header.font = bold
        header.comment = Comment(hint.removeprefix("# "), "Baeji")
        sheet.cell(row=2, column=column).font = grey
        sheet.cell(row=3, column=column).font = grey
        letter = header.column_letter
        sheet.column_dimensions[letter].width = 24
    sheet.cell(row=3, column=FIELDS.index("issued_on") + 1).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Reports


def escape_cell(value: object) -> str:
    """Text safe to put in an exported CSV cell: a leading ``= + - @`` TAB or CR gets a ``'``.

    This is OWASP's advice against CSV injection: spreadsheet programs would otherwise run
    such a cell as a formula (``=HYPERLINK(...)``, ``@SUM(...)``).
    """
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


@dataclass(frozen=True)
class ReportRow:
    """One line of the per-row report: ``line`` in the upload, ``outcome``, ``url``, ``error``."""

    line: int
    outcome: str
    url: str = ""
    error: str = ""

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, not {self.outcome!r}")

    @classmethod
    def from_errors(
        cls, line: int, errors: Iterable[object], language: str = "ko", url: str = ""
    ) -> ReportRow:
        """The report row for a row that failed validation.

        ``errors`` are :class:`baeji.bulk.validation.RowError` objects (anything with ``code``
        and ``message(language)``). Only ``already_awarded`` -> ``already_issued``; anything
        else -> ``invalid`` with the messages joined by ``" / "``.
        """
        _check_language(language)
        errors = list(errors)
        codes = {error.code for error in errors}  # type: ignore[attr-defined]
        text = " / ".join(error.message(language) for error in errors)  # type: ignore[attr-defined]
        if codes == {"already_awarded"}:
            return cls(line, "already_issued", url, text)
        return cls(line, "invalid", url, text)


REPORT_HEADER = ("row", "outcome", "url", "error")
_REPORT_FLUSH_ROWS = 1000


def report_chunks(rows: Iterable[ReportRow], *, bom: bool = True) -> Iterator[bytes]:
    """The report as UTF-8 CSV byte chunks (with BOM by default), every cell escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REPORT_HEADER)
    pending = 0
    prefix = codecs.BOM_UTF8 if bom else b""
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in (row.line, row.outcome, row.url, row.error)])
        pending += 1
        if pending >= _REPORT_FLUSH_ROWS:
            yield prefix + buffer.getvalue().encode("utf-8")
            prefix = b""
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield prefix + buffer.getvalue().encode("utf-8")


def write_report(rows: Iterable[ReportRow], out: BinaryIO) -> int:
    """Write the ``row,outcome,url,error`` report to binary ``out``; return the rows written."""
    count = 0

    def counted() -> Iterator[ReportRow]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    for chunk in report_chunks(counted()):
        out.write(chunk)
    return count
