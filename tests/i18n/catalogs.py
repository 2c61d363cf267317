"""Read the translation catalogs without GNU gettext: the .po files (a small parser for the
format ``makemessages`` writes) and the compiled .mo files (Python's ``gettext``)."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.LOCALE_PATHS[0])
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]

_FIELD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr\[\d+\]|msgstr) (".*")$')


@dataclass
class Entry:
    msgid: str
    context: str | None = None
    plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def po_entries(language: str) -> list[Entry]:
    """Every entry of a language's .po file, the header included (its msgid is empty)."""
    entries: list[Entry] = []
    fields: dict[str, list[str]] = {}
    flags: set[str] = set()
    current = None
    start = 0

    def close():
        if "msgid" in fields:
            strings = {
                name: "".join(ast.literal_eval(part) for part in parts)
                for name, parts in fields.items()
            }
            entries.append(
                Entry(
                    msgid=strings["msgid"],
                    context=strings.get("msgctxt"),
                    plural=strings.get("msgid_plural"),
                    msgstr=[strings[name] for name in sorted(strings) if name.startswith("msgstr")],
                    flags=set(flags),
                    line=start,
                )
            )

    for number, raw in enumerate(po_path(language).read_text().splitlines(), start=1):
        line = raw.strip()
        if not line:
            close()
            fields, flags, current = {}, set(), None
            continue
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        match = _FIELD.match(line)
        if match:
            if not fields:
                start = number
            current = match.group(1)
            fields[current] = [match.group(2)]
        elif line.startswith('"') and current:
            fields[current].append(line)
        else:
            raise ValueError(f"{po_path(language)}:{number}: cannot read {raw!r}")
    close()
    return entries


def mo_catalog(language: str) -> dict:
    """The compiled catalog as Python's gettext reads it, without the header."""
    with open(po_path(language).with_suffix(".mo"), "rb") as handle:
        catalog = dict(gettext.GNUTranslations(handle)._catalog)
    catalog.pop("", None)
    return catalog


def po_catalog(language: str) -> dict:
    """The .po file in the shape of ``mo_catalog``: what msgfmt should have compiled."""
    catalog = {}
    for entry in po_entries(language):
        if not entry.msgid or "fuzzy" in entry.flags:
            continue  # the header; msgfmt leaves fuzzy entries out
        key = entry.msgid if entry.context is None else f"{entry.context}\x04{entry.msgid}"
        if entry.plural is None:
            catalog[key] = entry.msgstr[0]
        else:
            for index, text in enumerate(entry.msgstr):
                catalog[(key, index)] = text
    return catalog
