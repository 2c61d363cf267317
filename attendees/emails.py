"""One canonical form of an e-mail address, so two spellings of one address are one person and
two look-alike addresses are never taken for each other.

Every comparison of addresses in the app (sign-in links, linking a person to an account,
registrations by e-mail) compares canonical forms exactly, in Python and in the database alike.
PostgreSQL's ``UPPER``/``LOWER`` follow Unicode (``UPPER('ı') = 'I'``, ``UPPER('ſ') = 'S'``),
so a case-insensitive lookup there would take ``admın@x.org`` for ``admin@x.org``; exact
comparison of canonical forms cannot.

The canonical form (docs/security.md, "E-mail addresses"):

- the whole address in Unicode NFKC (compatibility characters become their plain form: the
  long s ``ſ`` is ``s``, the Kelvin sign ``K`` is ``K``, full-width letters are ASCII);
- the domain through IDNA (nameprep: case-folded and normalized), kept in its Unicode form;
- the local part lower-cased, as the app has always treated addresses case-insensitively
  (``str.lower``, not ``casefold``: ``ß`` stays ``ß``, it is not ``ss``), so Python and the
  database's ``lower()`` agree.

Refused, with a message that says so: invisible characters, letters of more than one script
in the local part or in a domain label (``pаypal`` with a Cyrillic ``а``), and non-ASCII
letters that only look like ASCII ones next to ASCII letters (``admın`` with a dotless ``ı``).
"""

import unicodedata

from django.utils.translation import gettext, gettext_lazy

MAX_LENGTH = 254


class InvalidEmail(ValueError):
    """The address cannot be used; ``str(error)`` says why and what to do."""


# Letters outside ASCII that are read as an ASCII letter (after NFKC, which already folds the
# compatibility forms). Next to ASCII letters they only serve to imitate another address.
_LOOK_ALIKES = {
    "ı": "i", "ȷ": "j", "ɩ": "i", "ɑ": "a", "ɡ": "g", "ʟ": "l", "ɪ": "i", "ᴏ": "o", "ᴄ": "c",
    "ѕ": "s", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ո": "n", "ս": "u", "օ": "o",
    "α": "a", "ο": "o", "ν": "v", "τ": "t", "ρ": "p", "ι": "i", "κ": "k", "υ": "u",
}  # fmt: skip
# Scripts written together: Japanese mixes its three.
_SCRIPT_GROUPS = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "CJK": "CJK", "HANGUL": "CJK"}


def _script(char: str) -> str | None:
    """The script of a letter (LATIN, CYRILLIC, GREEK, CJK, ...), None for anything else."""
    if not unicodedata.category(char).startswith("L"):
        return None
    word = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
    return _SCRIPT_GROUPS.get(word, word)


# Each message names the part of the address it is about, whole, so each language can say it.
_INVISIBLE = {
    "local": gettext_lazy(
        "The name before the @ of the e-mail address holds invisible characters: type it again."
    ),
    "domain": gettext_lazy(
        "The domain of the e-mail address holds invisible characters: type it again."
    ),
}
_MIXED = {
    "local": gettext_lazy(
        "The name before the @ of the e-mail address mixes alphabets (%(scripts)s), which is "
        "how look-alike addresses are made: type it with one alphabet."
    ),
    "domain": gettext_lazy(
        "The domain of the e-mail address mixes alphabets (%(scripts)s), which is how "
        "look-alike addresses are made: type it with one alphabet."
    ),
}
_LOOK_ALIKE = {
    "local": gettext_lazy(
        "The name before the @ of the e-mail address holds letters that only look like Latin "
        "ones (such as a dotless ı): type it with plain letters."
    ),
    "domain": gettext_lazy(
        "The domain of the e-mail address holds letters that only look like Latin ones (such "
        "as a dotless ı): type it with plain letters."
    ),
}


def _check_part(text: str, part: str) -> None:
    if any(unicodedata.category(c) in ("Cf", "Cc", "Co", "Cs", "Zs") for c in text):
        raise InvalidEmail(str(_INVISIBLE[part]))
    scripts = {s for s in map(_script, text) if s}
    if len(scripts) > 1:
        raise InvalidEmail(str(_MIXED[part]) % {"scripts": ", ".join(sorted(scripts))})
    if any(c.isascii() and c.isalpha() for c in text) and any(c in _LOOK_ALIKES for c in text):
        raise InvalidEmail(str(_LOOK_ALIKE[part]))


def email_normalize(address: str) -> str:
    """The canonical form of ``address``; ``InvalidEmail`` when it cannot be one."""
    if not isinstance(address, str):
        raise InvalidEmail(gettext("Enter an e-mail address, such as ann@example.org."))
    text = unicodedata.normalize("NFKC", address.strip())
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise InvalidEmail(
            gettext("%(address)s is not an e-mail address, such as ann@example.org.")
            % {"address": repr(address.strip())}
        )
    _check_part(local, "local")
    labels = domain.rstrip(".").split(".")
    for label in labels:
        _check_part(label, "domain")
    if domain.isascii():
        domain = domain.lower()
    else:
        try:
            domain = domain.encode("idna").decode("idna")
        except UnicodeError:
            raise InvalidEmail(
                gettext("The domain %(domain)s of the e-mail address is not a valid domain name.")
                % {"domain": repr(domain)}
            ) from None
    canonical = f"{local.lower()}@{domain.lower()}"
    if len(canonical) > MAX_LENGTH:
        raise InvalidEmail(
            gettext("The e-mail address is longer than %(limit)s characters.")
            % {"limit": MAX_LENGTH}
        )
    return canonical


def email_canonical(address: str) -> str:
    """``email_normalize`` where it can be done, else the address trimmed and lower-cased (for
    saving rows that were validated elsewhere, and for lookups that must simply miss)."""
    try:
        return email_normalize(address)
    except InvalidEmail:
        return (address or "").strip().lower()
