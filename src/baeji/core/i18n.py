"""A small .po → .mo compiler, so translations need neither GNU gettext nor binaries in git.

Django reads GNU ``.mo`` catalogues. We keep only the ``.po`` text in the tree and compile it
at start-up into ``LOCALE_PATHS[0]`` (under the data directory). Only the subset of the PO format
that our catalogues use is supported: ``msgctxt``, ``msgid``, ``msgid_plural``, ``msgstr[n]``,
multi-line strings, comments and the fuzzy flag (fuzzy entries are skipped, as msgfmt does).
"""

from __future__ import annotations

import ast
import logging
import struct
from pathlib import Path

log = logging.getLogger(__name__)


def parse_po(text: str) -> dict[str, str]:
    """Parse PO text into the ``{key: value}`` map of a .mo file (plurals joined by NUL)."""
    messages: dict[str, str] = {}
    entry: dict[str, list[str]] = {}
    fuzzy = False
    current: str | None = None

    def flush() -> None:
        nonlocal entry, fuzzy
        if "msgid" in entry and not fuzzy:
            key = "".join(entry["msgid"])
            if "msgctxt" in entry:
                key = "".join(entry["msgctxt"]) + "\x04" + key
            if "msgid_plural" in entry:
                key += "\x00" + "".join(entry["msgid_plural"])
                forms = sorted(k for k in entry if k.startswith("msgstr["))
                value = "\x00".join("".join(entry[k]) for k in forms)
            else:
                value = "".join(entry.get("msgstr", []))
            if value.replace("\x00", "") or key == "":
                messages[key] = value
        entry, fuzzy = {}, False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            current = None
            continue
        if line.startswith("#,") and "fuzzy" in line:
            if "msgid" in entry:
                flush()
            fuzzy = True
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            if current is not None:
                entry[current].append(ast.literal_eval(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and "msgid" in entry:
            # A new entry without a blank line before it.
            flush()
        current = keyword
        entry[current] = [ast.literal_eval(rest.strip())]
    flush()
    return messages


def build_mo(messages: dict[str, str]) -> bytes:
    """Serialise messages as a little-endian GNU .mo file (no hash table, which is optional)."""
    keys = sorted(messages)
    ids = [k.encode("utf-8") for k in keys]
    strs = [messages[k].encode("utf-8") for k in keys]
    count = len(keys)
    header_size = 7 * 4
    ids_table = header_size
    strs_table = ids_table + count * 8
    data_start = strs_table + count * 8
    offsets_ids, offsets_strs, blob = [], [], b""
    for item in ids:
        offsets_ids.append((len(item), data_start + len(blob)))
        blob += item + b"\x00"
    for item in strs:
        offsets_strs.append((len(item), data_start + len(blob)))
        blob += item + b"\x00"
    out = struct.pack("<7I", 0x950412DE, 0, count, ids_table, strs_table, 0, data_start)
    for length, offset in offsets_ids:
        out += struct.pack("<2I", length, offset)
    for length, offset in offsets_strs:
        out += struct.pack("<2I", length, offset)
    return out + blob


def compile_catalogues(source: Path, target: Path) -> list[Path]:
    """Compile every ``<lang>/LC_MESSAGES/*.po`` under ``source`` into ``target`` when stale."""
    written: list[Path] = []
    for po in sorted(Path(source).glob("*/LC_MESSAGES/*.po")):
        mo = Path(target) / po.relative_to(source).with_suffix(".mo")
        try:
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            mo.parent.mkdir(parents=True, exist_ok=True)
            tmp = mo.with_suffix(".mo.tmp")
            tmp.write_bytes(build_mo(parse_po(po.read_text("utf-8"))))
            tmp.replace(mo)
            written.append(mo)
        except OSError as exc:
            # A read-only data directory must not stop the site: it then shows English.
            log.warning("could not compile %s: %s", po, exc)
    return written
