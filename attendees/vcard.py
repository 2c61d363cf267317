"""A shared contact as a vCard (RFC 6350, version 4.0), for "stay in touch"."""

from attendees.selectors.contacts import SharedContact

CONTENT_TYPE = "text/vcard; charset=utf-8"


def _escape(value: str) -> str:
    """RFC 6350 §3.4: backslash, comma, semicolon and newlines escaped in text values."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """RFC 6350 §3.2: lines longer than 75 octets are folded (CRLF and one space), never
    inside a UTF-8 character."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _structured_name(full_name: str) -> str:
    """N (family;given;;;) from one full name: the last word as the family name, a guess that
    address books only use to sort."""
    given, _, family = full_name.strip().rpartition(" ")
    return f"{_escape(family)};{_escape(given)};;;"


def vcard_for(contact: SharedContact) -> str:
    """The contact as a vCard 4.0: name, organization, e-mail and link."""
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"FN:{_escape(contact.name)}",
        f"N:{_structured_name(contact.name)}",
    ]
    if contact.organization:
        lines.append(f"ORG:{_escape(contact.organization)}")
    lines.append(f"EMAIL;TYPE=home:{_escape(contact.email)}")
    if contact.link:
        lines.append(f"URL:{contact.link}")
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)


def vcard_filename(contact: SharedContact) -> str:
    return f"contact-{contact.person_id}.vcf"
