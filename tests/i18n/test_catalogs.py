"""Attendee templates are marked for translation, and every catalog translates them all.

A string added to an attendee template without ``{% translate %}`` fails the first test with the
file, line and words; a new marked string without Spanish, German or French (run ``make
messages`` and translate it) fails the second; a .po edited without compiling fails the third.
"""

import pytest

from tests.i18n.attendee_templates import (
    ATTENDEE_TEMPLATES,
    TEMPLATES,
    template_msgids,
    unmarked_text,
)
from tests.i18n.catalogs import TRANSLATED, mo_catalog, po_catalog, po_entries


def _name(path) -> str:
    return str(path.relative_to(TEMPLATES))


def test_the_attendee_templates_are_found():
    names = {_name(path) for path in ATTENDEE_TEMPLATES}
    assert {"base.html", "404.html", "dashboard/home.html", "dashboard/round.html"} <= names


@pytest.mark.parametrize("path", ATTENDEE_TEMPLATES, ids=_name)
def test_every_visible_string_of_an_attendee_template_is_marked(path):
    unmarked = [f"line {line}: {text!r}" for line, text in unmarked_text(path.read_text())]
    assert unmarked == [], (
        f"{_name(path)} has text outside {{% translate %}} / {{% blocktranslate %}}; wrap it, "
        "then run `make messages` and translate it (docs/development.md)"
    )


def test_the_check_finds_words_in_text_and_read_attributes_only():
    source = (
        '{% load i18n %}<p class="muted">Hello {{ name }}</p>'
        '<a href="/x/" aria-label="Close">×</a><span title="{% translate "Fine" %}">2 · 3</span>'
        "<script>var words = 1;</script><!-- a note --><p>{{ count }} – Drink Tables</p>"
        '<img alt="A photo">{% blocktranslate %}All {{ this }} counts{% endblocktranslate %}'
    )
    assert [text for _line, text in unmarked_text(source)] == ["Hello", "Close", "A photo"]


def _template_msgids():
    found = {}
    for path in ATTENDEE_TEMPLATES:
        for key in template_msgids(path.read_text()):
            found.setdefault(key, _name(path))
    return found


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_template_string_is_translated_in_each_catalog(language):
    translated = {
        entry.key
        for entry in po_entries(language)
        if entry.msgid and all(entry.msgstr) and "fuzzy" not in entry.flags
    }
    missing = sorted(
        f"{where}: {msgid!r}"
        for (context, msgid), where in _template_msgids().items()
        if (context, msgid) not in translated
    )
    assert missing == [], f"not translated in locale/{language}: run `make messages`"


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_catalog_entry_is_untranslated_or_fuzzy(language):
    entries = [entry for entry in po_entries(language) if entry.msgid]
    assert len(entries) > 100
    bad = [
        f"line {entry.line}: {entry.msgid[:60]!r}"
        for entry in entries
        if not all(entry.msgstr) or "fuzzy" in entry.flags
    ]
    assert bad == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_is_up_to_date_with_the_po_file(language):
    assert mo_catalog(language) == po_catalog(language), (
        f"locale/{language}/LC_MESSAGES/django.mo differs from its .po: run `make messages`"
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_survive_translation(language):
    """A translation that drops or renames a %(name)s would raise or lose a value at run time."""
    import re

    named = re.compile(r"%\((\w+)\)s")
    wrong = []
    for entry in po_entries(language):
        if not entry.msgid:
            continue
        expected = set(named.findall(entry.msgid)) | set(named.findall(entry.plural or ""))
        for text in entry.msgstr:
            # A singular may say "one" instead of %(counter)s / %(count)s; nothing else may go.
            if not set(named.findall(text)) <= expected or (
                expected - set(named.findall(text)) - {"counter", "count"}
            ):
                wrong.append(f"line {entry.line}: {text!r}")
    assert wrong == []
