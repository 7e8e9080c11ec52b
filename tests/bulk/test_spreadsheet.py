"""Spreadsheet intake for bulk issuance: reading, mapping, validation, keys and reports.

Everything goes through the public API of baeji.bulk.spreadsheet and baeji.bulk.validation;
no Django is involved.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import sys
import tracemalloc
import zipfile
from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest
from openpyxl.comments import Comment

from baeji.bulk import messages
from baeji.bulk.spreadsheet import (
    FIELDS,
    TEMPLATE_HEADERS,
    EncodingError,
    FileTooLarge,
    MappingError,
    ReportRow,
    SpreadsheetError,
    TooManyRows,
    detect_encoding,
    detect_mapping,
    escape_cell,
    open_table,
    report_chunks,
    resolve_mapping,
    template_csv,
    template_xlsx,
    write_report,
)
from baeji.bulk.validation import (
    AchievementInfo,
    RowError,
    ValidRow,
    learner_key,
    map_rows,
    parse_date,
    row_key,
    today_in_korea,
    validate_rows,
)

HANGUL = re.compile("[\uac00-\ud7a3]")
TODAY = date(2026, 5, 1)
ISSUER = "seoul-edu"
LIMITS = {"max_bytes": 20_000_000, "max_rows": 200_000}
NAMES = ["홍길동", "김민준", "이서연", "박지후", "최예은", "정하늘", "강다온", "윤슬기"]

ACHIEVEMENTS = {
    "ai-basics": AchievementInfo("ai-basics"),
    "AI-101": AchievementInfo("ai-basics"),
    "graded": AchievementInfo("graded", requires_result=True),
    "elsewhere": AchievementInfo("elsewhere", assigned=False),
}


def lookup(code: str) -> AchievementInfo | None:
    return ACHIEVEMENTS.get(code)


def row(**overrides: str) -> list[str]:
    values = {
        "name": "홍길동",
        "email": "hong@example.com",
        "achievement": "ai-basics",
        "issued_on": "2026-03-01",
        "evidence_url": "",
        "narrative": "",
        "result": "",
        "learner_id": "",
    }
    values.update(overrides)
    return [values[field] for field in FIELDS]


def csv_bytes(rows: list[list[str]], header=FIELDS, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def validate(data, *, filename="upload.csv", awarded=frozenset(), mapping=None, **kwargs):
    table = open_table(data, filename, **LIMITS)
    if mapping is None:
        mapping, unknown = detect_mapping(table.headers)
        assert unknown == []
    return list(
        validate_rows(
            table,
            mapping,
            issuer_slug=ISSUER,
            lookup_achievement=lookup,
            already_awarded=lambda learner, slug, day: (learner, slug, day) in awarded,
            today=TODAY,
            **kwargs,
        )
    )


def only_errors(result) -> list[RowError]:
    assert isinstance(result, list), f"expected errors, got {result!r}"
    return result


# --- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp949", "cp949"), ("euc_kr", "cp949")],
)
def test_each_encoding_round_trips_korean_names_exactly(encoding, expected):
    data = csv_bytes([row(name=name, email="") for name in NAMES], encoding=encoding)
    table = open_table(data, "명단.csv", **LIMITS)
    assert table.encoding == expected
    assert [source.cells[0] for source in table] == NAMES


def test_cp949_only_syllables_are_read_exactly():
    names = ["김똠", "박햏", "이뷁"]  # outside KS X 1001: CP949 extension bytes, not EUC-KR
    with pytest.raises(UnicodeDecodeError):
        "똠".encode("cp949").decode("euc_kr")
    table = open_table(csv_bytes([row(name=n) for n in names], encoding="cp949"), "a.csv", **LIMITS)
    assert table.encoding == "cp949"
    assert [source.cells[0] for source in table] == names


def test_euc_kr_makeup_sequences_are_recomposed_not_shown_as_jamo():
    names = ["김똠", "홍길동"]
    data = csv_bytes([row(name=n) for n in names], encoding="euc_kr")
    assert b"\xa4\xd4" in data  # the 8-byte filler + jamo spelling of 똠
    table = open_table(data, "a.csv", **LIMITS)
    assert table.encoding == "euc_kr"
    assert [source.cells[0] for source in table] == names


def test_cp949_file_that_is_ascii_for_many_lines_is_still_cp949():
    rows = [row(name=f"Learner {i}", email=f"l{i}@example.com") for i in range(300)]
    rows.append(row(name="홍길동", email=""))
    data = csv_bytes(rows, encoding="cp949")
    assert detect_encoding(data[:4096]) == "utf-8"  # a sample alone would be fooled
    table = open_table(data, "a.csv", **LIMITS)
    assert table.encoding == "cp949"
    assert list(table)[-1].cells[0] == "홍길동"


def test_utf8_file_continued_in_cp949_is_refused_not_mangled():
    data = csv_bytes([row(name="홍길동")]) + ",".join(row(name="김민준")).encode("cp949")
    with pytest.raises(EncodingError) as caught:
        open_table(data, "a.csv", **LIMITS)
    assert caught.value.code == "mixed_encoding"
    assert caught.value.line == 3
    assert HANGUL.search(caught.value.message("ko"))
    assert "line 3" in caught.value.message("en")


def test_bytes_that_are_no_known_encoding_are_refused_with_the_line():
    data = csv_bytes([row()]) + b"\xff\xfe\xff,x\n"
    with pytest.raises(EncodingError) as caught:
        open_table(data, "a.csv", **LIMITS)
    assert caught.value.code == "unknown_encoding"
    assert caught.value.line == 3


def test_utf16_unicode_text_from_excel_is_tab_separated():
    text = "\t".join(TEMPLATE_HEADERS["ko"]) + "\r\n" + "\t".join(row(name="윤슬기")) + "\r\n"
    table = open_table(text.encode("utf-16"), "명단.txt", **LIMITS)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert [source.cells[0] for source in table] == ["윤슬기"]


def test_detect_encoding_accepts_a_sample_cut_inside_a_character():
    data = "이름\n홍길동\n".encode()
    assert detect_encoding(data[:5]) == "utf-8"
    assert detect_encoding("이름\n홍길동\n".encode("cp949")[:5]) == "cp949"
    assert detect_encoding(codecs.BOM_UTF8 + data) == "utf-8-sig"
    with pytest.raises(EncodingError):
        detect_encoding(b"\xff\xff\xff\xff")


# --- headers and mapping --------------------------------------------------------------------


def test_english_template_headers_are_detected():
    mapping, unknown = detect_mapping(list(FIELDS))
    assert mapping == {field: field for field in FIELDS}
    assert unknown == []


def test_korean_template_headers_are_detected():
    mapping, unknown = detect_mapping(
        ["이름", "이메일", "배지", "발급일", "증빙URL", "설명", "결과", "학습자ID"]
    )
    assert list(mapping.values()) == list(FIELDS)
    assert unknown == []


def test_headers_match_case_space_and_bom_insensitively():
    data = "\ufeff Name ,E-Mail, ACHIEVEMENT ,Issued_On,증빙 URL, 학습자 id \n".encode()
    data += "홍길동,hong@example.com,ai-basics,2026-03-01,,T1\n".encode()
    table = open_table(data, "a.csv", **LIMITS)
    mapping, unknown = detect_mapping(table.headers)
    assert unknown == []
    assert mapping == {
        "Name": "name",
        "E-Mail": "email",
        "ACHIEVEMENT": "achievement",
        "Issued_On": "issued_on",
        "증빙 URL": "evidence_url",
        "학습자 id": "learner_id",
    }
    [valid] = validate(data)
    assert (valid.name, valid.learner_id) == ("홍길동", "T1")


def test_unknown_headers_need_a_mapping_then_an_explicit_mapping_works():
    header = ["성함", "메일", "과정코드", "수료일", "비고"]
    data = csv_bytes([["홍길동", "hong@example.com", "AI-101", "2026.03.01", "x"]], header=header)
    table = open_table(data, "기관A.csv", **LIMITS)
    mapping, unknown = detect_mapping(table.headers)
    assert mapping == {}
    assert unknown == header
    with pytest.raises(MappingError) as caught:
        validate_rows(
            table,
            mapping,
            issuer_slug=ISSUER,
            lookup_achievement=lookup,
            already_awarded=lambda *a: False,
        )
    assert caught.value.code == "mapping_missing_required"
    chosen = {"성함": "name", "메일": "email", "과정코드": "achievement", "수료일": "issued_on"}
    chosen["비고"] = ""  # the UI's "skip this column"
    [valid] = validate(data, mapping=chosen)
    assert (valid.name, valid.achievement_slug, valid.issued_on) == (
        "홍길동",
        "ai-basics",
        date(2026, 3, 1),
    )


BASE_MAPPING = {"이름": "name", "이메일": "email", "배지": "achievement", "발급일": "issued_on"}


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"이메일": None, "없는열": "email"}, "mapping_unknown_header"),
        ({"이메일": "phone"}, "mapping_unknown_field"),
        ({"이메일": "name"}, "mapping_duplicate_field"),
        ({"발급일": None}, "mapping_missing_required"),
        ({"비고": "narrative"}, "mapping_duplicate_header"),
    ],
)
def test_bad_explicit_mappings_are_refused_clearly(changes, code):
    mapping = {**BASE_MAPPING, **changes}
    mapping = {header: field for header, field in mapping.items() if field is not None}
    headers = ["이름", "이메일", "배지", "발급일", "비고", "비고"]
    with pytest.raises(MappingError) as caught:
        resolve_mapping(headers, mapping)
    assert caught.value.code == code
    assert HANGUL.search(caught.value.message_ko)
    assert not HANGUL.search(re.sub("'[^']*'", "", caught.value.message_en))


def test_duplicate_or_repeated_known_headers_are_left_to_a_person():
    mapping, unknown = detect_mapping(["이름", "name", "비고", "비고", ""])
    assert mapping == {"이름": "name"}
    assert unknown == ["name", "비고"]


def test_default_achievement_replaces_a_missing_column():
    data = csv_bytes([["홍길동", "", "2026-03-01"]], header=["이름", "이메일", "발급일"])
    [valid] = validate(data, default_achievement="AI-101")
    assert valid.achievement_slug == "ai-basics"
    assert valid.pending_claim and valid.outcome == "pending_claim"


def test_title_row_above_the_header_is_skipped_and_rows_keep_their_numbers():
    data = "2026년 교원 연수 이수자 명단,,,\n\n이름,이메일,배지,발급일\n".encode("cp949")
    data += "홍길동,,ai-basics,2026.3.1\n,,,\n# 메모 행\n김민준,,ai-basics,2026.3.2\n".encode(
        "cp949"
    )
    table = open_table(data, "a.csv", **LIMITS)
    assert table.header_line == 3
    assert [source.line for source in table] == [4, 7]


def test_tab_separated_and_explicit_delimiter():
    text = "이름\t이메일\t배지\t발급일\n홍길동\t\tai-basics\t2026-03-01\n"
    assert open_table(text.encode(), "a.tsv", **LIMITS).delimiter == "\t"
    assert open_table(text.encode(), "a.csv", **LIMITS).delimiter == "\t"
    forced = open_table(text.encode(), "a.csv", delimiter=",", **LIMITS)
    assert forced.delimiter == ","
    assert len(forced.headers) == 1


def test_quoted_cells_with_line_breaks_count_as_one_row():
    rows = [row(narrative="첫째 줄\n둘째 줄"), row(name="김민준", email="")]
    results = validate(csv_bytes(rows))
    assert [r.line for r in results] == [2, 3]
    assert results[0].narrative == "첫째 줄\n둘째 줄"


def test_map_rows_gives_raw_values_for_every_field():
    table = open_table(csv_bytes([row(name="  홍길동 ")]), "a.csv", **LIMITS)
    [mapped] = map_rows(table, detect_mapping(table.headers)[0])
    assert mapped.line == 2
    assert mapped.values["name"] == "  홍길동 "
    assert set(mapped.values) == set(FIELDS)


# --- validation, one test per code ----------------------------------------------------------

CASES = [
    ("required", "name", {"name": "  "}),
    ("required", "achievement", {"achievement": ""}),
    ("required", "issued_on", {"issued_on": ""}),
    ("bad_email", "email", {"email": "hong@naver"}),
    ("unknown_achievement", "achievement", {"achievement": "no-such-badge"}),
    ("achievement_not_assigned", "achievement", {"achievement": "elsewhere"}),
    ("result_required", "result", {"achievement": "graded"}),
    ("bad_date", "issued_on", {"issued_on": "2026-02-30"}),
    ("date_too_old", "issued_on", {"issued_on": "1899-12-30"}),
    ("future_date", "issued_on", {"issued_on": "2026-05-02"}),
    ("bad_url", "evidence_url", {"evidence_url": "javascript:alert(1)"}),
    ("too_long", "name", {"name": "가" * 101}),
    ("bad_characters", "name", {"name": "홍\n길동"}),
    ("formula_cell", "name", {"name": '=HYPERLINK("http://evil.example","click")'}),
]


@pytest.mark.parametrize(("code", "field", "overrides"), CASES, ids=[c[0] for c in CASES])
def test_each_error_code_is_reported_in_both_languages(code, field, overrides):
    [result] = validate(csv_bytes([row(**overrides)]))
    [error] = only_errors(result)
    assert (error.line, error.field, error.code) == (2, field, code)
    assert HANGUL.search(error.message_ko)
    assert not HANGUL.search(error.message_en)
    assert error.message("ko") == error.message_ko
    assert error.message("en") == error.message_en
    assert len(error.message_en) > 20


def test_every_error_code_has_both_texts():
    for code, (ko, en) in messages.MESSAGES.items():
        assert HANGUL.search(ko), code
        assert en and not HANGUL.search(en), code
    with pytest.raises(ValueError):
        messages.message("required", "ja", field="name")


def test_duplicate_within_file_names_the_first_row():
    rows = [row(email="Hong@Example.com"), row(name="김민준", email="kim@example.com")]
    rows.append(row(email="hong@example.COM", learner_id="T9"))  # e-mail decides identity
    results = validate(csv_bytes(rows))
    assert isinstance(results[0], ValidRow) and isinstance(results[1], ValidRow)
    [error] = only_errors(results[2])
    assert (error.code, error.params["first_line"], error.field) == ("duplicate_in_file", 2, None)
    assert "2행" in error.message_ko and "row 2" in error.message_en


def test_same_name_without_email_is_told_apart_by_learner_id():
    rows = [
        row(name="김민준", email="", learner_id="S1"),
        row(name="김민준", email="", learner_id="S2"),
    ]
    assert all(isinstance(r, ValidRow) for r in validate(csv_bytes(rows)))
    rows = [row(name="김민준", email=""), row(name="김민준 ", email="")]
    assert only_errors(validate(csv_bytes(rows))[1])[0].code == "duplicate_in_file"


def test_already_awarded_comes_from_the_callback():
    awarded = {("email:hong@example.com", "ai-basics", date(2026, 3, 1))}
    results = validate(csv_bytes([row(), row(issued_on="2026-03-02")]), awarded=awarded)
    [error] = only_errors(results[0])
    assert error.code == "already_awarded"
    assert isinstance(results[1], ValidRow)
    report = ReportRow.from_errors(error.line, results[0], language="en")
    assert (report.outcome, report.error) == ("already_issued", error.message_en)


@pytest.mark.parametrize(
    "cell",
    ["=1+1", "+82-10-1234", "-2+3", "@SUM(A1)", "\t홍길동", "\r홍길동", "  =cmd|' /C calc'!A0"],
)
def test_formula_looking_cells_are_refused_as_input(cell):
    [result] = validate(csv_bytes([row(name=cell)]))
    [error] = only_errors(result)
    assert error.code == "formula_cell"
    assert "formula" in error.message_en and "수식" in error.message_ko


def test_all_problems_of_a_row_are_reported_together():
    bad = row(email="a@@b", achievement="no-such", issued_on="어제", evidence_url="ftp://x")
    [result] = validate(csv_bytes([bad]))
    assert [e.code for e in only_errors(result)] == [
        "bad_email",
        "unknown_achievement",
        "bad_date",
        "bad_url",
    ]


@pytest.mark.parametrize(
    "email", ["hong", "hong@", "hong.example.com", "hong@@example.com", "홍 길동@example.com",
              "hong@example", "hong..gil@example.com", "hong@-example.com", "hong@example.c"],
)  # fmt: skip
def test_malformed_emails_are_errors(email):
    [result] = validate(csv_bytes([row(email=email)]))
    assert [e.code for e in only_errors(result)] == ["bad_email"]


@pytest.mark.parametrize(
    "email", ["hong@example.com", "Hong.Gil-dong+badge@mail.example.co.kr", "kim@교육청.한국"]
)
def test_wellformed_emails_are_accepted(email):
    [valid] = validate(csv_bytes([row(email=email)]))
    assert valid.email == email and not valid.pending_claim and valid.outcome == "issued"


def test_empty_email_makes_a_pending_claim():
    [valid] = validate(csv_bytes([row(email="", learner_id="S-17")]))
    assert valid.email is None and valid.pending_claim
    assert valid.learner == "id:S-17"


@pytest.mark.parametrize(
    "text",
    ["2026-03-01", "2026.03.01", "2026. 3. 1.", "2026/3/1", "20260301", "2026년 3월 1일",
     "2026-03-01 00:00:00", "2026-03-01T09:30", "2026-03-01 오후 3:15:00"],
)  # fmt: skip
def test_accepted_date_formats(text):
    assert parse_date(text) == date(2026, 3, 1)


@pytest.mark.parametrize("text", ["2026-13-01", "01/03/2026", "2026-3", "202631", "3월 1일", ""])
def test_unreadable_dates(text):
    assert parse_date(text) is None


def test_today_in_korea_is_allowed_and_tomorrow_is_not():
    results = validate(csv_bytes([row(issued_on="2026-05-01"), row(issued_on="2026-05-02")]))
    assert isinstance(results[0], ValidRow)
    [error] = only_errors(results[1])
    assert error.code == "future_date"
    assert error.params == {"value": "2026-05-02", "today": "2026-05-01"}  # JSON-ready


def test_default_today_is_the_date_in_korea():
    korea = timezone(timedelta(hours=9))
    before = datetime.now(korea).date()
    today = today_in_korea()
    after = datetime.now(korea).date()
    assert today in {before, after}


def test_achievements_are_looked_up_once_per_code():
    calls = []

    def counting(code):
        calls.append(code)
        return lookup(code)

    table = open_table(csv_bytes([row(name=n) for n in NAMES] * 3), "a.csv", **LIMITS)
    list(
        validate_rows(
            table,
            detect_mapping(table.headers)[0],
            issuer_slug=ISSUER,
            lookup_achievement=counting,
            already_awarded=lambda *a: False,
            today=TODAY,
        )
    )
    assert calls == ["ai-basics"]


def test_values_are_trimmed_and_optional_fields_kept():
    data = csv_bytes(
        [row(name=" 홍길동 ", evidence_url="https://example.kr/e/1", narrative="설명", result="A")]
    )
    [valid] = validate(data)
    assert (valid.name, valid.evidence_url, valid.narrative, valid.result) == (
        "홍길동",
        "https://example.kr/e/1",
        "설명",
        "A",
    )


# --- idempotency keys -----------------------------------------------------------------------


def test_row_keys_are_stable_across_reuploads_and_encodings():
    rows = [row(name=name, email=f"u{i}@example.com") for i, name in enumerate(NAMES)]
    first = validate(csv_bytes(rows, encoding="cp949"))
    again = validate(csv_bytes(rows, encoding="utf-8-sig"), filename="다시.csv")
    assert [r.key for r in first] == [r.key for r in again]
    assert len({r.key for r in first}) == len(rows)
    assert all(re.fullmatch("[0-9a-f]{64}", r.key) for r in first)


def test_fixed_file_keeps_the_keys_of_rows_that_were_already_fine():
    broken = [row(email="a@example.com"), row(name="김민준", email="kim@", issued_on="2026-03-02")]
    fixed = [row(email="a@example.com"), row(name="김민준", email="kim@example.com")]
    first, second = validate(csv_bytes(broken)), validate(csv_bytes(fixed))
    assert isinstance(first[1], list) and isinstance(second[1], ValidRow)
    assert first[0].key == second[0].key
    assert second[1].key != second[0].key


def test_row_key_changes_with_each_part_and_ignores_email_case():
    day = date(2026, 3, 1)
    base = row_key(ISSUER, learner_key(email="A@x.kr", learner_id=None, name=None), "b", day)
    assert base == row_key(ISSUER, learner_key(email="a@x.kr", learner_id="1", name="n"), "b", day)
    assert base != row_key("other", "email:a@x.kr", "b", day)
    assert base != row_key(ISSUER, "email:b@x.kr", "b", day)
    assert base != row_key(ISSUER, "email:a@x.kr", "c", day)
    assert base != row_key(ISSUER, "email:a@x.kr", "b", date(2026, 3, 2))
    assert learner_key(email=None, learner_id=" S1 ", name="김") == "id:S1"
    assert learner_key(email=None, learner_id=None, name=" 김  민준 ") == "name:김 민준"
    with pytest.raises(ValueError):
        learner_key(email=None, learner_id=None, name=None)


# --- XLSX -----------------------------------------------------------------------------------


def build_xlsx(rows, *, sheet_title="연수 명단", title_row=True, extra_sheet=False) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    if title_row:
        sheet.append(["2026년 상반기 교원 연수 이수자"])
    sheet.append(list(TEMPLATE_HEADERS["ko"]))
    for values in rows:
        sheet.append(values)
    if extra_sheet:
        workbook.create_sheet("요약").append(["합계", len(rows)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_with_date_cells_and_korean_sheet_name_is_read_in_read_only_mode(monkeypatch):
    opened = []
    real_load = openpyxl.load_workbook

    def spy(*args, **kwargs):
        opened.append(kwargs)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", spy)
    data = build_xlsx(
        [
            [
                "홍길동",
                "hong@example.com",
                "ai-basics",
                datetime(2026, 3, 1),
                None,
                None,
                None,
                1001,
            ],
            ["김민준", None, "AI-101", date(2026, 3, 2), None, "설명", 95, 1002.0],
            ["이서연", None, "graded", "=TODAY()", None, None, None, None],
        ]
    )
    table = open_table(data, "명단.xlsx", **LIMITS)
    assert opened and all(kwargs.get("read_only") is True for kwargs in opened)
    assert (table.format, table.sheet_name, table.header_line) == ("xlsx", "연수 명단", 2)
    results = validate(data, filename="명단.xlsx")
    first, second, third = results
    assert (first.line, first.issued_on, first.learner_id) == (3, date(2026, 3, 1), "1001")
    assert (second.issued_on, second.result, second.learner_id) == (date(2026, 3, 2), "95", "1002")
    assert second.pending_claim
    assert [e.code for e in only_errors(third)] == ["formula_cell", "result_required"]
    table.close()


def test_xlsx_sheet_can_be_chosen_by_name():
    data = build_xlsx([row()], extra_sheet=True)
    table = open_table(data, "a.xlsx", sheet="요약", **LIMITS)
    assert table.headers == ["합계", "1"]
    with pytest.raises(SpreadsheetError) as caught:
        open_table(data, "a.xlsx", sheet="없음", **LIMITS)
    assert caught.value.code == "sheet_not_found"
    assert "연수 명단" in caught.value.message_en


def test_xlsx_uncompressed_size_is_bounded():
    data = build_xlsx([row()])
    with pytest.raises(FileTooLarge) as caught:
        open_table(data, "a.xlsx", max_uncompressed_bytes=1000, **LIMITS)
    assert caught.value.code == "xlsx_too_large"


def test_damaged_and_legacy_excel_files_are_refused_clearly():
    cases = {
        "bad_xlsx": (build_xlsx([row()])[:300], "a.xlsx"),
        "legacy_xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "a.xls"),
    }
    for code, (data, name) in cases.items():
        with pytest.raises(SpreadsheetError) as caught:
            open_table(data, name, **LIMITS)
        assert caught.value.code == code
    html = "<html><table><tr><td>이름</td></tr></table></html>".encode()
    with pytest.raises(SpreadsheetError) as caught:
        open_table(html, "export.xls", **LIMITS)
    assert caught.value.code == "legacy_xls"
    assert ".xlsx" in caught.value.message_ko
    not_zip = io.BytesIO()
    with zipfile.ZipFile(not_zip, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(SpreadsheetError) as caught:
        open_table(not_zip.getvalue(), "a.xlsx", **LIMITS)
    assert caught.value.code == "bad_xlsx"


def test_empty_files_are_refused():
    for data in (b"", codecs.BOM_UTF8, b"\n\n", b",,,\n,,,\n"):
        with pytest.raises(SpreadsheetError) as caught:
            open_table(data, "a.csv", **LIMITS)
        assert caught.value.code == "empty_file"


def test_oversized_csv_cell_is_reported_as_malformed():
    data = csv_bytes([row(narrative="가" * 200_000)])
    table = open_table(data, "a.csv", **LIMITS)
    with pytest.raises(SpreadsheetError) as caught:
        list(table)
    assert (caught.value.code, caught.value.line) == ("csv_malformed", 2)


# --- limits ---------------------------------------------------------------------------------


class Pipe(io.RawIOBase):
    """A non-seekable stream, like a request body."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._inner.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_too_large_file_is_refused_before_reading():
    data = csv_bytes([row()] * 50)
    for source in (data, io.BytesIO(data), Pipe(data)):
        with pytest.raises(FileTooLarge) as caught:
            open_table(source, "a.csv", max_bytes=1000, max_rows=1000)
        assert caught.value.code == "file_too_large"
        assert "1000" in caught.value.message_en and "바이트" in caught.value.message_ko
    assert len(list(open_table(Pipe(data), "a.csv", max_bytes=len(data), max_rows=50))) == 50


def test_too_many_rows_is_refused_at_open_for_csv_and_xlsx():
    rows = [row(name=f"학습자{i}", email=f"u{i}@example.com") for i in range(30)]
    with pytest.raises(TooManyRows) as caught:
        open_table(csv_bytes(rows), "a.csv", max_bytes=10**6, max_rows=29)
    assert caught.value.code == "too_many_rows"
    assert "29" in caught.value.message_ko and "29" in caught.value.message_en
    assert len(list(open_table(csv_bytes(rows), "a.csv", max_bytes=10**6, max_rows=30))) == 30
    with pytest.raises(TooManyRows):
        open_table(build_xlsx(rows), "a.xlsx", max_bytes=10**6, max_rows=29)
    assert len(list(open_table(build_xlsx(rows), "a.xlsx", max_bytes=10**6, max_rows=30))) == 30


def test_row_limit_counts_records_not_physical_lines():
    rows = [row(name=f"학습자{i}", narrative="한 줄\n두 줄\n세 줄") for i in range(10)]
    rows.append(["# 메모"] + [""] * 7)
    table = open_table(csv_bytes(rows), "a.csv", max_bytes=10**6, max_rows=10)
    assert table.count_rows() == 10


def write_large_csv(path, count: int) -> None:
    with open(path, "w", encoding="cp949", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(TEMPLATE_HEADERS["ko"])
        for i in range(count):
            name = NAMES[i % len(NAMES)] + str(i)
            email = f"t{i}@school.example.kr" if i % 3 else ""
            writer.writerow(
                [name, email, "ai-basics", f"2026.03.{i % 28 + 1:02d}", "", "", "", f"S{i}"]
            )


def test_100k_rows_stream_lazily_in_bounded_memory(tmp_path):
    path = tmp_path / "100k.csv"
    write_large_csv(path, 100_000)
    size = path.stat().st_size
    with open(path, "rb") as handle:
        tracemalloc.start()
        try:
            table = open_table(handle, "100k.csv", max_bytes=50_000_000, max_rows=100_000)
            results = validate_rows(
                table,
                detect_mapping(table.headers)[0],
                issuer_slug=ISSUER,
                lookup_achievement=lookup,
                already_awarded=lambda *a: False,
                today=TODAY,
            )
            first = [next(results) for _ in range(10)]
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        # Opening checked the encoding of all ~3 MB and the row count without keeping them,
        # and ten rows in, only the first buffer of the file has been read.
        assert table.encoding == "cp949" and size > 3_000_000
        assert peak < 1_000_000, peak
        assert handle.tell() < 64 * 1024
        assert all(isinstance(r, ValidRow) for r in first)
        middle = next(itertools.islice(results, 49_990, None))
        assert middle.line == 50_002
        assert 0.4 * size < handle.tell() < 0.6 * size
        rest = list(results)
    assert len(rest) == 49_999
    assert all(isinstance(r, ValidRow) for r in rest)
    assert sum(r.pending_claim for r in rest) == 16_667  # rows 50,001-99,999, every third


# --- templates ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ko", "en"])
def test_csv_template_has_bom_header_and_only_comment_rows(language):
    data = template_csv(language)
    assert data.startswith(codecs.BOM_UTF8)
    table = open_table(data, "template.csv", **LIMITS)
    assert table.encoding == "utf-8-sig"
    assert tuple(table.headers) == TEMPLATE_HEADERS[language]
    assert detect_mapping(table.headers) == (
        {h: f for h, f in zip(table.headers, FIELDS, strict=True)},
        [],
    )
    assert list(table) == []
    lines = data.decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and lines[2].startswith("# ")


@pytest.mark.parametrize("language", ["ko", "en"])
def test_xlsx_template_has_hints_example_and_comments(language):
    data = template_xlsx(language)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.title == ("명단" if language == "ko" else "Learners")
    assert tuple(c.value for c in sheet[1]) == TEMPLATE_HEADERS[language]
    assert all(isinstance(c.comment, Comment) for c in sheet[1])
    assert sheet.cell(row=3, column=FIELDS.index("issued_on") + 1).value == datetime(2026, 3, 1)
    table = open_table(data, "template.xlsx", **LIMITS)
    assert tuple(table.headers) == TEMPLATE_HEADERS[language]
    assert list(table) == []
    with pytest.raises(ValueError):
        template_xlsx("ja")


def test_filled_in_template_validates():
    data = template_csv("ko") + ",".join(row(email="")).encode()
    [valid] = validate(data)
    assert valid.line == 4 and valid.name == "홍길동"


# --- reports --------------------------------------------------------------------------------


def test_report_escapes_every_formula_looking_cell():
    rows = [
        ReportRow(2, "issued", "https://badges.example.kr/c/1"),
        ReportRow(3, "invalid", "", '=HYPERLINK("http://evil.example","x")'),
        ReportRow(4, "invalid", "+cmd", "-1"),
        ReportRow(5, "invalid", "@SUM(A1)", "\tTAB"),
        ReportRow(6, "pending_claim", "", "\rCR"),
        ReportRow(7, "already_issued", "", "이미 발급됨"),
    ]
    out = io.BytesIO()
    assert write_report(rows, out) == len(rows)
    data = out.getvalue()
    assert data.startswith(codecs.BOM_UTF8)
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed[0] == ["row", "outcome", "url", "error"]
    assert parsed[1] == ["2", "issued", "https://badges.example.kr/c/1", ""]
    assert parsed[2][3] == '\'=HYPERLINK("http://evil.example","x")'
    assert parsed[3][2:] == ["'+cmd", "'-1"]
    assert parsed[4][2:] == ["'@SUM(A1)", "'\tTAB"]
    assert parsed[5][3] == "'\rCR"
    assert parsed[6] == ["7", "already_issued", "", "이미 발급됨"]
    for cells in parsed[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_escape_cell_leaves_ordinary_text_alone():
    assert escape_cell("홍길동") == "홍길동"
    assert escape_cell("a=b") == "a=b"
    assert escape_cell(None) == ""
    assert escape_cell("=1") == "'=1"


def test_report_rows_from_validation_errors_in_either_language():
    [result] = validate(csv_bytes([row(name="=1+1", email="x@")]))
    korean = ReportRow.from_errors(2, result, language="ko")
    english = ReportRow.from_errors(2, result, language="en")
    assert korean.outcome == english.outcome == "invalid"
    assert HANGUL.search(korean.error) and " / " in korean.error
    assert "formula" in english.error
    with pytest.raises(ValueError):
        ReportRow(2, "done")


def test_report_streams_in_chunks_with_one_bom():
    rows = (ReportRow(i, "issued", f"https://b.example.kr/{i}") for i in range(2, 2503))
    chunks = list(report_chunks(rows))
    assert len(chunks) > 2
    joined = b"".join(chunks)
    assert joined.count(codecs.BOM_UTF8) == 1
    assert joined.decode("utf-8-sig").count("\r\n") == 2502


def test_module_does_not_import_django():
    import subprocess

    code = (
        "import sys, baeji.bulk.spreadsheet, baeji.bulk.validation;"
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
