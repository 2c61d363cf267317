"""The templates attendees see, and what in them is (or is not) marked for translation.

``unmarked_text`` reads a template with Django's own lexer and follows the HTML through its text
tokens: words between tags, and the values of the attributes a person reads or hears
(``aria-label``, ``title``, ``alt``, ``placeholder``), must come from ``{% translate %}`` or
``{% blocktranslate %}``. Variables, tags, punctuation, numbers and the brand name pass.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from django.conf import settings
from django.template.base import Lexer, TokenType
from django.utils.translation.template import templatize

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Attendee pages, the base layout and the error pages; the organizer pages may stay English.
ATTENDEE_TEMPLATES = sorted(
    [
        *TEMPLATES.glob("*.html"),
        *TEMPLATES.glob("dashboard/**/*.html"),
        *TEMPLATES.glob("dashboard/**/*.txt"),
        *TEMPLATES.glob("emails/**/*"),
        *TEMPLATES.glob("registration/**/*.html"),
    ]
)
READ_ATTRIBUTES = {"aria-label", "aria-description", "title", "alt", "placeholder"}
SKIPPED_ELEMENTS = {"script", "style"}
BRAND = "Drink Tables"
_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
_LETTER = re.compile(r"[^\W\d_]")


def _has_words(text: str) -> bool:
    return bool(_LETTER.search(_ENTITY.sub(" ", text.replace(BRAND, " "))))


class _Html:
    """Just enough of an HTML tokenizer to tell text and read attributes from markup."""

    def __init__(self):
        self.state = "text"  # text, tag, name, value, comment, skipped
        self.buffer = ""
        self.tag = ""
        self.attribute = ""
        self.quote = ""
        self.skipping = ""
        self.found: list[tuple[int, str]] = []

    def placeholder(self):
        """A variable or tag stands in for text: it is not a word of ours."""
        if self.state in ("text", "value"):
            self.buffer += " "

    def feed(self, text: str, line: int):
        index = 0
        while index < len(text):
            char = text[index]
            if self.state == "text":
                if char == "<":
                    self._flush(line)
                    if text.startswith("<!--", index):
                        self.state, index = "comment", index + 4
                        continue
                    self.state, self.tag = "tag", ""
                else:
                    self.buffer += char
            elif self.state == "comment":
                if text.startswith("-->", index):
                    self.state, index = "text", index + 3
                    continue
            elif self.state == "skipped":
                if text.startswith(f"</{self.skipping}", index):
                    self.state, self.tag = "tag", ""
                    self.skipping = ""
            elif self.state == "tag":  # the element's name, then its attributes
                if char == ">":
                    self._end_tag()
                elif char.isspace():
                    self.state, self.attribute = "name", ""
                else:
                    self.tag += char
            elif self.state == "name":
                if char == ">":
                    self._end_tag()
                elif char == "=":
                    self.quote = ""
                    if index + 1 < len(text) and text[index + 1] in "\"'":
                        index += 1
                        self.quote = text[index]
                    self.state, self.buffer = "value", ""
                elif char.isspace():
                    self.attribute = ""
                else:
                    self.attribute += char
            elif self.state == "value":
                if (self.quote and char == self.quote) or (
                    not self.quote and (char.isspace() or char == ">")
                ):
                    if self.attribute.lower() in READ_ATTRIBUTES:
                        self._flush(line)
                    self.buffer, self.attribute = "", ""
                    self.state = "name"
                    if char == ">":
                        self._end_tag()
                else:
                    self.buffer += char
            index += 1

    def _end_tag(self):
        name = self.tag.strip("/").lower()
        if name in SKIPPED_ELEMENTS and not self.tag.startswith("/"):
            self.state, self.skipping = "skipped", name
        else:
            self.state = "text"
        self.buffer = ""

    def _flush(self, line: int):
        if _has_words(self.buffer):
            self.found.append((line, " ".join(self.buffer.split())))
        self.buffer = ""


def unmarked_text(source: str) -> list[tuple[int, str]]:
    """(line, text) of each piece of words in ``source`` that is not marked for translation."""
    html = _Html()
    translating = skipping = False
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            command = token.contents.split()[0] if token.contents.split() else ""
            if command in ("blocktranslate", "blocktrans"):
                translating = True
            elif command in ("endblocktranslate", "endblocktrans"):
                translating = False
            elif command == "comment":
                skipping = True
            elif command == "endcomment":
                skipping = False
            html.placeholder()
        elif token.token_type == TokenType.VAR:
            html.placeholder()
        elif token.token_type == TokenType.TEXT:
            if translating:
                html.placeholder()
            elif not skipping:
                html.feed(token.contents, token.lineno)
    html._flush(0)
    return html.found


_CALLS = {"gettext": 1, "ngettext": 2, "pgettext": 2, "npgettext": 3}


def template_msgids(source: str) -> set[tuple[str | None, str]]:
    """(context, msgid) of every string a template marks, as makemessages collects them."""
    tokens = list(tokenize.generate_tokens(io.StringIO(templatize(source)).readline))
    found = set()
    for index, token in enumerate(tokens):
        if token.type != tokenize.NAME or token.string not in _CALLS:
            continue
        if index + 1 >= len(tokens) or tokens[index + 1].string != "(":
            continue
        strings = []
        for following in tokens[index + 2 :]:
            if following.string == ")":
                break
            if following.type == tokenize.STRING:
                strings.append(ast.literal_eval(following.string))
        if token.string.startswith(("pgettext", "npgettext")):
            found.add((strings[0], strings[1]))
        elif strings:
            found.add((None, strings[0]))
    return found
