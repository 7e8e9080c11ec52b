"""Korean and English texts for every error the spreadsheet intake reports.

Design: errors carry a stable ``code`` (for programs, tests and the per-row report) plus
``params``; this module turns a code into a message for people in ``"ko"`` or ``"en"``. Both
texts are also stored on each error (``message_ko`` / ``message_en``) so that a job can keep
them without importing this module again. Messages never end with a formula-looking character
and are escaped anyway when exported (see :func:`baeji.bulk.spreadsheet.escape_cell`).

Public names: :data:`MESSAGES` (code -> (ko, en) templates using ``str.format`` fields),
:data:`FIELD_LABELS` (field -> (ko, en) column label), :data:`KINDS` (row error code -> short
(ko, en) name), :data:`LANGUAGES`, :func:`message` and :func:`kind`.
"""

from __future__ import annotations

LANGUAGES = ("ko", "en")

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "name": ("이름", "name"),
    "email": ("이메일", "email"),
    "achievement": ("배지", "achievement"),
    "issued_on": ("발급일", "issued_on"),
    "evidence_url": ("증빙URL", "evidence_url"),
    "narrative": ("설명", "narrative"),
    "result": ("결과", "result"),
    "learner_id": ("학습자ID", "learner_id"),
}

MESSAGES: dict[str, tuple[str, str]] = {
    # --- row errors -------------------------------------------------------------------------
    "required": (
        "'{label}' 값이 비어 있습니다. 반드시 입력해야 합니다.",
        "'{label}' is empty but required.",
    ),
    "bad_email": (
        "'{label}' 값 '{value}'은(는) 올바른 이메일 주소가 아닙니다. "
        "이메일이 없으면 칸을 비워 두세요(수령 링크로 발급됩니다).",
        "'{label}' value '{value}' is not a valid e-mail address. "
        "Leave the cell empty if the learner has none (a claim link is issued instead).",
    ),
    "unknown_achievement": (
        "배지 '{value}'을(를) 찾을 수 없습니다. 배지의 슬러그나 코드를 확인하세요.",
        "No achievement '{value}' exists. Check the achievement's slug or code.",
    ),
    "achievement_not_assigned": (
        "배지 '{value}'은(는) 이 기관에 발급 권한이 배정되지 않았습니다.",
        "Achievement '{value}' is not assigned to this institution for issuing.",
    ),
    "bad_date": (
        "'{label}' 값 '{value}'을(를) 날짜로 읽을 수 없습니다. "
        "2026-03-01, 2026.03.01, 2026/3/1, 20260301 형식으로 입력하세요.",
        "'{label}' value '{value}' is not a date we can read. "
        "Use 2026-03-01, 2026.03.01, 2026/3/1 or 20260301.",
    ),
    "date_too_old": (
        "'{label}' 값 '{value}'은(는) {min_date} 이전입니다. 빈 날짜 칸이 0으로 저장된 것은 아닌지 "
        "확인하세요.",
        "'{label}' value '{value}' is before {min_date}. Check that an empty date cell was not "
        "saved as zero.",
    ),
    "future_date": (
        "'{label}' 값 {value}은(는) 미래의 날짜입니다(오늘: {today}, 한국 시간).",
        "'{label}' value {value} is in the future (today is {today}, Korea time).",
    ),
    "result_required": (
        "배지 '{value}'은(는) 결과(점수·등급)가 필요합니다. '{label}' 칸을 채워 주세요.",
        "Achievement '{value}' requires a result (score or grade). Fill in '{label}'.",
    ),
    "duplicate_in_file": (
        "{first_line}행과 같은 학습자·배지·발급일입니다. 중복 행을 지우거나, 이름이 같은 "
        "다른 학습자라면 이메일이나 학습자ID를 넣어 구분하세요.",
        "Same learner, achievement and date as row {first_line}. Remove the duplicate, or if "
        "these are two learners with the same name, add an e-mail or learner_id.",
    ),
    "already_awarded": (
        "이 학습자는 같은 날짜로 이 배지를 이미 받았습니다.",
        "This learner has already been awarded this achievement on this date.",
    ),
    # --- why a valid row was not issued (the per-row report) -------------------------------
    "not_issued_invalid_rows": (
        "발급되지 않았습니다: 파일의 다른 행에 오류가 있습니다. 오류를 고쳐 다시 올리거나 "
        "올바른 행만 발급하세요.",
        "Not issued: other rows of the file are invalid. Fix them and upload the file again, "
        "or issue only the valid rows.",
    ),
    "not_issued_yet": (
        "아직 발급되지 않았습니다: 검사만 마쳤습니다.",
        "Not issued yet: the row was only checked.",
    ),
    "not_issued_review": (
        "아직 발급되지 않았습니다: 상위 기관의 승인을 기다리고 있습니다.",
        "Not issued yet: waiting for the authority's approval.",
    ),
    "not_issued_running": (
        "아직 발급되지 않았습니다: 발급 작업이 진행 중입니다.",
        "Not issued yet: the issuing job is still running.",
    ),
    "not_issued_rejected": (
        "발급되지 않았습니다: 요청이 반려되었습니다.",
        "Not issued: the request was rejected.",
    ),
    "not_issued_cancelled": (
        "발급되지 않았습니다: 작업이 취소되었습니다.",
        "Not issued: the job was cancelled.",
    ),
    "not_issued_failed": (
        "발급되지 않았습니다: 발급 작업이 실패했습니다.",
        "Not issued: the issuing job failed.",
    ),
    # --- a check that never finished (stored as the batch's error) ----------------------------
    "check_interrupted": (
        "파일 검사가 {attempts}번 시작되었지만 매번 끝나기 전에 작업 프로세스가 멈췄습니다. "
        "파일이 너무 크거나 복잡할 수 있습니다. 파일을 나누거나 CSV로 저장해 다시 올려 주세요.",
        "Checking the file was started {attempts} times, and each time the worker stopped "
        "before it finished. The file may be too large or too complex: split it, or save it "
        "as CSV, and upload it again.",
    ),
    "chunk_interrupted": (
        "{number}번째 묶음의 발급이 {attempts}번 시작되었지만 매번 작업 프로세스가 멈췄습니다. "
        "이미 발급된 배지는 그대로 유효합니다. 운영자에게 작업 프로세스의 기록(메모리 부족 등)을 "
        "확인해 달라고 요청한 뒤 같은 파일을 다시 올리면 남은 행만 발급됩니다.",
        "Issuing chunk {number} was started {attempts} times, and each time the worker "
        "stopped. What was issued stays issued. Ask the operator to look at the workers' logs "
        "(memory, for instance), then upload the same file again: only the rest is issued.",
    ),
    "formula_cell": (
        "'{label}' 칸이 '{char}' 문자로 시작합니다. 수식으로 실행될 수 있는 값은 받지 않습니다. "
        "앞의 문자를 지우거나 수식 대신 값을 붙여 넣으세요.",
        "'{label}' starts with '{char}'. Cells that spreadsheet programs could run as a formula "
        "are refused: remove the leading character, or paste values instead of formulas.",
    ),
    "bad_url": (
        "'{label}' 값은 http:// 또는 https://로 시작하는 올바른 웹 주소여야 합니다.",
        "'{label}' must be a valid web address starting with http:// or https://.",
    ),
    "too_long": (
        "'{label}' 값이 너무 깁니다({length}자). 최대 {max}자까지 입력할 수 있습니다.",
        "'{label}' is too long ({length} characters); at most {max} are allowed.",
    ),
    "bad_characters": (
        "'{label}' 값에 보이지 않는 제어 문자(줄바꿈 등)가 들어 있습니다.",
        "'{label}' contains invisible control characters (such as line breaks).",
    ),
    # --- file errors ------------------------------------------------------------------------
    "file_too_large": (
        "파일이 너무 큽니다({size} 바이트). 최대 {max} 바이트까지 올릴 수 있습니다. "
        "파일을 나누어 올려 주세요.",
        "The file is too large ({size} bytes); at most {max} bytes are accepted. "
        "Split it into several files.",
    ),
    "too_many_rows": (
        "행이 너무 많습니다. 한 파일에 최대 {max}행까지 처리할 수 있습니다. 파일을 나누어 "
        "올려 주세요.",
        "Too many rows: at most {max} rows are processed per file. Split it into several files.",
    ),
    "empty_file": (
        "파일이 비어 있습니다.",
        "The file is empty.",
    ),
    "no_header": (
        "머리글 행을 찾을 수 없습니다. 첫 행에 열 이름(이름, 이메일, 배지, 발급일...)을 "
        "넣어 주세요.",
        "No header row was found. Put the column names (name, email, achievement, "
        "issued_on...) in the first row.",
    ),
    "unknown_encoding": (
        "{line}행의 문자를 읽을 수 없습니다. 파일을 'CSV UTF-8' 또는 한글(CP949) CSV로 "
        "다시 저장해 주세요.",
        "Line {line} cannot be read as text. Save the file again as 'CSV UTF-8' or as a "
        "Korean (CP949) CSV.",
    ),
    "mixed_encoding": (
        "{line}행부터 글자 인코딩이 바뀝니다(앞부분은 UTF-8, 뒷부분은 CP949). 서로 다른 파일을 "
        "이어 붙인 것 같습니다. 한 프로그램에서 'CSV UTF-8'로 다시 저장해 주세요.",
        "The text encoding changes at line {line} (UTF-8 before, CP949 after): the file looks "
        "like two files joined together. Save it again as 'CSV UTF-8' from one program.",
    ),
    "legacy_xls": (
        "예전 Excel 형식(.xls)이거나 암호가 걸린 파일은 읽을 수 없습니다. 암호를 풀고 "
        "'Excel 통합 문서(.xlsx)' 또는 CSV로 저장해 주세요.",
        "Old Excel files (.xls) and password-protected workbooks cannot be read. Remove the "
        "password and save as 'Excel Workbook (.xlsx)' or CSV.",
    ),
    "bad_xlsx": (
        "Excel 파일(.xlsx)을 열 수 없습니다. 파일이 손상되었을 수 있습니다.",
        "The Excel file (.xlsx) cannot be opened; it may be damaged.",
    ),
    "xlsx_too_large": (
        "Excel 파일의 압축을 푼 크기가 너무 큽니다. 불필요한 시트나 서식을 지우거나 CSV로 "
        "저장해 주세요.",
        "The Excel file is too large once uncompressed. Remove unneeded sheets or formatting, "
        "or save it as CSV.",
    ),
    "sheet_not_found": (
        "'{sheet}' 시트가 없습니다. 있는 시트: {sheets}",
        "There is no sheet '{sheet}'. Sheets in the file: {sheets}",
    ),
    "csv_malformed": (
        "{line}행 근처의 CSV 형식이 잘못되었습니다: 따옴표가 닫히지 않았거나 칸이 너무 큽니다.",
        "The CSV is malformed near line {line}: an unclosed quote or an oversized cell.",
    ),
    "mapping_unknown_header": (
        "열 '{header}'이(가) 파일에 없습니다.",
        "The column '{header}' is not in the file.",
    ),
    "mapping_duplicate_header": (
        "열 이름 '{header}'이(가) 파일에 두 번 이상 나옵니다. 열 이름을 서로 다르게 고쳐 주세요.",
        "The column name '{header}' appears more than once in the file. Rename one of them.",
    ),
    "mapping_unknown_field": (
        "'{field}'은(는) 알 수 없는 항목입니다. 가능한 항목: {fields}",
        "'{field}' is not a known field. Known fields: {fields}",
    ),
    "mapping_duplicate_field": (
        "열 '{header}'과(와) '{other}'이(가) 모두 '{label}'에 연결되어 있습니다. 하나만 고르세요.",
        "Both '{header}' and '{other}' are mapped to '{label}'. Choose one.",
    ),
    "mapping_missing_required": (
        "'{label}' 열이 필요합니다. 파일의 열 하나를 '{label}'에 연결해 주세요.",
        "A '{label}' column is required. Map one of the file's columns to '{label}'.",
    ),
}


# Short names of the row errors, for the per-kind summary of a checked file.
KINDS: dict[str, tuple[str, str]] = {
    "required": ("필수 값 없음", "Required value missing"),
    "bad_email": ("이메일 형식 오류", "Not an e-mail address"),
    "unknown_achievement": ("없는 배지", "Unknown badge"),
    "achievement_not_assigned": ("배정되지 않은 배지", "Badge not assigned here"),
    "bad_date": ("날짜 형식 오류", "Not a date"),
    "date_too_old": ("너무 이른 날짜", "Date too early"),
    "future_date": ("미래 날짜", "Date in the future"),
    "result_required": ("결과 없음", "Result missing"),
    "duplicate_in_file": ("파일 안의 중복", "Duplicate in the file"),
    "already_awarded": ("이미 발급됨", "Already awarded"),
    "formula_cell": ("수식처럼 보이는 값", "Looks like a formula"),
    "bad_url": ("URL 형식 오류", "Not a web address"),
    "too_long": ("너무 긴 값", "Value too long"),
    "bad_characters": ("허용되지 않는 문자", "Characters not allowed"),
}


def kind(code: str, language: str) -> str:
    """The short name of a row error's ``code`` in ``language`` (the code itself if unknown)."""
    ko, en = KINDS.get(code, (code, code))
    return ko if language == "ko" else en


def message(code: str, language: str, **params: object) -> str:
    """The message for ``code`` in ``language`` ("ko" or "en"), filled with ``params``.

    A ``field`` parameter also provides ``{label}``, the column's label in that language.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    ko, en = MESSAGES[code]
    template = ko if language == "ko" else en
    values = dict(params)
    field = params.get("field")
    if isinstance(field, str) and field in FIELD_LABELS and "label" not in values:
        values["label"] = FIELD_LABELS[field][0 if language == "ko" else 1]
    return template.format(**values)
