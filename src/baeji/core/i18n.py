"""Translation catalogues: only the text ``.po`` files are in git; Babel compiles them.

Each app may keep its own catalogue in ``<app>/locale/<lang>/LC_MESSAGES/django.po`` (the
project-wide one is ``baeji/locale``), so teams working on different apps never edit the same
file. At start-up every stale catalogue is compiled with Babel into the data directory, into
the folder that ``settings.LOCALE_PATHS`` lists for it. Neither GNU gettext nor binary ``.mo``
files are needed in the tree.
"""

from __future__ import annotations

import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)


def source_locale_dirs(base: Path) -> list[Path]:
    """Every ``locale`` folder under ``base`` that holds catalogues, project-wide one first."""
    found = sorted(p for p in Path(base).glob("**/locale") if p.is_dir())
    return sorted(found, key=lambda p: (p != Path(base) / "locale", str(p)))


def target_dir(base: Path, source: Path, data_locale: Path) -> Path:
    """Where the catalogues of ``source`` are compiled to, under ``data_locale``."""
    relative = source.parent.relative_to(base).as_posix()
    return Path(data_locale) / (relative.replace("/", "-") if relative != "." else "baeji")


def compile_catalogue(po: Path, mo: Path, language: str | None = None) -> None:
    """Compile one ``.po`` into ``.mo`` (fuzzy entries left out, as msgfmt does).

    ``language`` (e.g. ``ko``) gives the plural rules; by default it is read from the path
    ``<language>/LC_MESSAGES/<domain>.po``.
    """
    if language is None and po.parent.name == "LC_MESSAGES":
        language = po.parent.parent.name
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    mo.parent.mkdir(parents=True, exist_ok=True)
    tmp = mo.with_suffix(".mo.tmp")
    with tmp.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
    tmp.replace(mo)


def compile_catalogues(source: Path, target: Path) -> list[Path]:
    """Compile every stale ``<lang>/LC_MESSAGES/*.po`` under ``source`` into ``target``."""
    written: list[Path] = []
    for po in sorted(Path(source).glob("*/LC_MESSAGES/*.po")):
        mo = Path(target) / po.relative_to(source).with_suffix(".mo")
        try:
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            compile_catalogue(po, mo)
            written.append(mo)
        except OSError as exc:
            # A read-only data directory must not stop the site: it then shows English.
            log.warning("could not compile %s: %s", po, exc)
    return written
