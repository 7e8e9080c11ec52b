"""Helpers of the browser tests: CSV files, the outbox, the sign-in code and the age step."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

HEADER = ["name", "email", "achievement", "issued_on"]


def csv_file(name: str, rows: list[list[str]]) -> dict:
    """A CSV upload (template's English headers) in the shape Playwright's set_input_files takes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return {"name": name, "mimeType": "text/csv", "buffer": buffer.getvalue().encode("utf-8")}


def open_mail(page, base: str, email: str, subject: str | re.Pattern = "") -> None:
    """Open the newest outbox message to ``email`` (optionally by subject) in ``page``."""
    page.goto(f"{base}/dev/outbox")
    rows = page.get_by_role("row").filter(has_text=email)
    if subject:
        rows = rows.filter(has_text=subject)
    rows.first.get_by_role("link").first.click()
    expect(page.locator("pre")).to_be_visible()


def outbox_text(page, base: str, email: str, *, subject: str | re.Pattern = "") -> str:
    """The text part of the newest outbox message to ``email`` (optionally by subject), read
    in a page of its own beside ``page``."""
    outbox = page.context.new_page()
    try:
        open_mail(outbox, base, email, subject)
        return outbox.locator("pre").inner_text()
    finally:
        outbox.close()


def login_code_from(text: str) -> str:
    """allauth's sign-in code, alone on its line in the e-mail's text."""
    found = re.search(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]{3,})*)\s*$", text, re.M)
    assert found, f"no sign-in code in the e-mail:\n{text}"
    return found.group(1)


def finish_age_step(page) -> None:
    """A learner's first sign-in may ask the year of birth (under-14 consent rules); adult."""
    if "/me/age" in page.url:
        page.get_by_label("Year of birth").fill("1995")
        page.get_by_role("button", name="Continue").click()
