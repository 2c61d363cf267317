"""The one calendar event of a person's table at a round (RFC 5545, built with ``icalendar``).

The .ics an attendee downloads and the one attached to their e-mail are built here, so they
agree: the same UID per person and round (a calendar replaces the event when the table
changes), the same place (``seat_location``), texts in the active language (the recipient's,
set by the sender), times in the conference's time zone with its
VTIMEZONE. ``method`` is PUBLISH for an event to add, REQUEST for an invitation, CANCEL (with
STATUS:CANCELLED) to take it out of the calendar; ``sequence`` orders revisions of one event.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import icalendar
from django.utils import timezone
from django.utils.translation import gettext

from conferences.models import MeetupRound

PRODUCT_ID = "-//Drink Tables//Drink Tables//EN"
METHODS = ("PUBLISH", "REQUEST", "CANCEL")

# RFC 5545 text holds no control characters but tab and a line break (written "\n").
_LINE_BREAK = re.compile(r"\r\n|\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(value: str) -> str:
    return _CONTROL.sub("", _LINE_BREAK.sub("\n", value))


def seat_location(*, table_location: str, round_location: str) -> str:
    """Where a person sits: the table's place and the round's, as far as each is known
    ("By the window, Hotel bar"); the e-mail, its .ics and the download all say this."""
    parts = [part.strip() for part in (table_location, round_location) if part and part.strip()]
    unique = [part for index, part in enumerate(parts) if part not in parts[:index]]
    return ", ".join(unique)


def event_uid(*, round_id: int, person_id: int) -> str:
    """Stable per person and round, so a calendar replaces the event when the table changes."""
    return f"round-{round_id}-person-{person_id}@drinktables"


def event_sequence(*, round: MeetupRound) -> int:
    """The revision of the round's calendar events, ``MeetupRound.calendar_sequence``: it grows
    with each change people are told of (a plan published, the time or place changed, a table
    moved, the round cancelled), so the download, the e-mail and a feed carry the same one."""
    return round.calendar_sequence


@dataclass(frozen=True)
class TableEvent:
    """What the calendar event says: the round, the person's table and who sits there."""

    round: MeetupRound
    person_id: int
    table_label: str
    location: str
    description: str
    url: str = ""


def table_event_ics(
    event: TableEvent, *, method: str = "PUBLISH", sequence: int | None = None
) -> str:
    """The event as an iCalendar file (one VEVENT and the conference's VTIMEZONE)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    meetup_round = event.round
    zone = meetup_round.conference.tzinfo
    starts = timezone.localtime(meetup_round.starts_at, zone)
    ends = timezone.localtime(meetup_round.ends_at, zone)

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(round_id=meetup_round.pk, person_id=event.person_id))
    vevent.add("dtstamp", timezone.now().astimezone(dt.UTC))
    vevent.add("sequence", sequence if sequence is not None else event_sequence(round=meetup_round))
    vevent.add("dtstart", starts)
    vevent.add("dtend", ends)
    summary = gettext("%(round)s: table %(table)s") % {
        "round": meetup_round.name,
        "table": event.table_label,
    }
    vevent.add("summary", _text(summary))
    if event.location:
        vevent.add("location", _text(event.location))
    vevent.add("description", _text(event.description))
    if event.url:
        vevent.add("url", event.url)
    if method == "CANCEL":
        vevent.add("status", "CANCELLED")
    calendar.add_component(vevent)
    # The zone's rules for the event's year and the next: enough for any calendar to place it.
    calendar.add_missing_timezones(
        first_date=dt.date(starts.year, 1, 1), last_date=dt.date(ends.year + 1, 12, 31)
    )
    return calendar.to_ical().decode()
