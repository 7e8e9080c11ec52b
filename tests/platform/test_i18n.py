"""The .po → .mo compiler that keeps binary catalogues out of git."""

from __future__ import annotations

import gettext
from pathlib import Path

import baeji
from baeji.core.i18n import compile_catalogue, compile_catalogues, source_locale_dirs

SAMPLE = """
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

msgid "Sign in"
msgstr "로그인"

msgid ""
"A long "
"message"
msgstr ""
"긴 "
"메시지"

#, fuzzy
msgid "Unsure"
msgstr "확실하지 않음"

msgctxt "Task"
msgid "Running"
msgstr "실행 중"

msgid "one badge"
msgid_plural "%(n)s badges"
msgstr[0] "배지 %(n)s개"

msgid "Untranslated"
msgstr ""
"""


def _catalog(tmp_path: Path, text: str) -> gettext.GNUTranslations:
    po = tmp_path / "t.po"
    po.write_text(text, "utf-8")
    mo = tmp_path / "t.mo"
    compile_catalogue(po, mo, language="ko")
    with mo.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def test_compiled_catalogue_reads_back_with_gettext(tmp_path):
    catalog = _catalog(tmp_path, SAMPLE)
    assert catalog.gettext("Sign in") == "로그인"
    assert catalog.gettext("A long message") == "긴 메시지"
    assert catalog.gettext("Unsure") == "Unsure"  # fuzzy entries are skipped, as msgfmt does
    assert catalog.pgettext("Task", "Running") == "실행 중"
    assert catalog.ngettext("one badge", "%(n)s badges", 3) == "배지 %(n)s개"
    assert catalog.gettext("Untranslated") == "Untranslated"


def test_the_korean_catalogue_compiles_completely(tmp_path):
    source = Path(baeji.__file__).parent / "locale"
    written = compile_catalogues(source, tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == ["ko/LC_MESSAGES/django.mo"]
    po_text = (source / "ko/LC_MESSAGES/django.po").read_text("utf-8")
    untranslated = po_text.count('msgstr ""\n\n')
    assert untranslated == 0  # every message is translated
    with (tmp_path / "ko/LC_MESSAGES/django.mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    assert catalog.gettext("Verify a badge") == "배지 확인"
    assert compile_catalogues(source, tmp_path) == []  # up to date: not rewritten


def test_every_app_catalogue_is_found():
    base = Path(baeji.__file__).parent
    sources = source_locale_dirs(base)
    assert sources[0] == base / "locale"
