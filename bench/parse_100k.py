"""Benchmark: read and validate a 100,000-row bulk-issuance upload.

Run as ``.venv/bin/python bench/parse_100k.py [--rows N] [--xlsx]``. Generates, in a temporary
directory, a CP949 CSV as Korean Excel saves it (Korean headers, Korean names, one learner in
three without e-mail, about 1% of rows with mistakes) and optionally the same rows as XLSX;
then prints, per file: the time to open it (whole-file encoding check and row count), rows/s
for reading and for reading+validating, and the peak memory of the validating pass, measured
in a separate pass with tracemalloc (which slows Python down, so it is not timed) next to the
process's maximum resident size.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import zipfile
from datetime import date, timedelta
from pathlib import Path

from baeji.bulk.spreadsheet import TEMPLATE_HEADERS, detect_mapping, open_table
from baeji.bulk.validation import AchievementInfo, ValidRow, validate_rows

SURNAMES = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구"
GIVEN = [
    "민준",
    "서연",
    "지후",
    "하은",
    "도윤",
    "지우",
    "예준",
    "수아",
    "시우",
    "서윤",
    "주원",
    "하린",
    "똠이",
    "은서",
    "건우",
    "지민",
]
ACHIEVEMENTS = {
    "ai-basics": AchievementInfo("ai-basics"),
    "digital-citizenship": AchievementInfo("digital-citizenship"),
    "coding-instructor": AchievementInfo("coding-instructor", requires_result=True),
    "TR-2026-017": AchievementInfo("safety-training"),
}
TODAY = date(2026, 12, 31)
LIMITS = {"max_bytes": 200_000_000, "max_rows": 1_000_000}


def generate_rows(count: int, seed: int = 20260301):
    """Rows as an institution would send them: mostly valid, some typical mistakes."""
    rng = random.Random(seed)
    codes = list(ACHIEVEMENTS)
    start = date(2026, 1, 5)
    for i in range(count):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        email = f"teacher{i}@school{i % 400}.sen.go.kr" if i % 3 else ""
        code = codes[i % len(codes)]
        day = start + timedelta(days=rng.randrange(300))
        issued = rng.choice([day.isoformat(), day.strftime("%Y.%m.%d"), day.strftime("%Y%m%d")])
        result = str(rng.randrange(60, 101)) if code == "coding-instructor" else ""
        evidence = f"https://lms.example.kr/courses/{i % 97}/completion/{i}" if i % 5 == 0 else ""
        row = [name, email, code, issued, evidence, "직무연수 30시간 이수", result, f"T{i:07d}"]
        if rng.random() < 0.01:
            mistake = rng.randrange(4)
            if mistake == 0:
                row[1] = f"teacher{i}@school"
            elif mistake == 1:
                row[3] = "2026-13-45"
            elif mistake == 2:
                row[0] = '=HYPERLINK("http://evil.example")'
            else:
                row[2] = "unknown-course"
        yield row


def write_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="cp949", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(TEMPLATE_HEADERS["ko"])
        writer.writerows(generate_rows(count))


def write_xlsx(path: Path, count: int) -> None:
    """Write the rows as XLSX, then add the ``<dimension>`` element Excel always writes.

    openpyxl's write-only mode leaves it out, and openpyxl's reader then parses the whole
    sheet once just to look for it, which would not be what an Excel upload costs.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("연수 이수자")
    sheet.append(list(TEMPLATE_HEADERS["ko"]))
    for row in generate_rows(count):
        sheet.append(row)
    draft = path.with_suffix(".draft.xlsx")
    workbook.save(draft)
    dimension = f'<dimension ref="A1:H{count + 1}"/>'.encode()
    with zipfile.ZipFile(draft) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b"<sheetViews>", dimension + b"<sheetViews>", 1)
            out.writestr(info, data)
    draft.unlink()


def run(path: Path) -> tuple[int, int]:
    with path.open("rb") as handle:
        table = open_table(handle, path.name, **LIMITS)
        mapping, _ = detect_mapping(table.headers)
        valid = invalid = 0
        for result in validate_rows(
            table,
            mapping,
            issuer_slug="seoul-edu",
            lookup_achievement=ACHIEVEMENTS.get,
            already_awarded=lambda learner, slug, day: False,
            today=TODAY,
        ):
            if isinstance(result, ValidRow):
                valid += 1
            else:
                invalid += 1
        table.close()
    return valid, invalid


def measure(path: Path, rows: int) -> None:
    size = path.stat().st_size
    started = time.perf_counter()
    with path.open("rb") as handle:
        table = open_table(handle, path.name, **LIMITS)
        opened = time.perf_counter()
        read = sum(1 for _ in table)
        read_done = time.perf_counter()
        table.close()
    valid, invalid = run(path)
    validated = time.perf_counter() - read_done

    tracemalloc.start()
    run(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    maxrss_mb = maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024

    print(f"{path.name}: {size / 1e6:.1f} MB, {read} data rows ({valid} valid, {invalid} invalid)")
    print(f"  open (encoding scan + row count): {(opened - started) * 1000:8.0f} ms")
    print(f"  read rows:                        {read / (read_done - opened):8.0f} rows/s")
    print(f"  read + validate:                  {rows / validated:8.0f} rows/s")
    print(f"  peak traced memory (validating):  {peak / 1e6:8.1f} MB")
    print(f"  process max RSS so far:           {maxrss_mb:8.1f} MB")


def main() -> None:
    """Generate the files, then print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true", help="also generate and read an XLSX")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        csv_path = Path(directory) / "연수이수자_cp949.csv"
        write_csv(csv_path, args.rows)
        measure(csv_path, args.rows)
        if args.xlsx:
            xlsx_path = Path(directory) / "연수이수자.xlsx"
            write_xlsx(xlsx_path, args.rows)
            measure(xlsx_path, args.rows)


if __name__ == "__main__":
    main()
