"""iCalendar (.ics) files for a round, so attendees can add their table to a calendar."""

import re
from datetime import UTC, datetime

from django.utils import timezone

from conferences.models import MeetupRound

PRODUCT_ID = "-//Drink Tables//Drink Tables//EN"


# RFC 5545 text may hold no control characters but tab; a line break is written as "\n".
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    # A bare carriage return in a name or a place would end the line early in some readers.
    return _CONTROL.sub("", _LINE_BREAK.sub("\\\\n", text))


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> list[str]:
    """Split a content line into 75-octet pieces, as RFC 5545 asks."""
    encoded = line.encode()
    pieces, start = [], 0
    while start < len(encoded):
        width = 75 if start == 0 else 74
        end = min(start + width, len(encoded))
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:
            end -= 1  # never cut a UTF-8 character in half
        pieces.append(("" if start == 0 else " ") + encoded[start:end].decode())
        start = end
    return pieces or [""]


def round_ics(
    *, round: MeetupRound, table_label: str, location: str, description: str, uid: str
) -> str:
    """One VEVENT for the round at the given table; ``uid`` keeps updates on the same event."""
    summary = f"{round.name}: table {table_label}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{_escape(uid)}",
        f"DTSTAMP:{_stamp(timezone.now())}",
        f"DTSTART:{_stamp(round.starts_at)}",
        f"DTEND:{_stamp(round.ends_at)}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(location)}",
        f"DESCRIPTION:{_escape(description)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(piece for line in lines for piece in _fold(line)) + "\r\n"
