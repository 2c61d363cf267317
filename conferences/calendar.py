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
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, ngettext

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


MAX_NAMES = 7


def names_sentence(first_names: list[str]) -> str:
    """Tablemates in a sentence ("Ann, Bob and Cy"), at most ``MAX_NAMES`` of them by name, in
    the active language."""
    if not first_names:
        return gettext("You are the first at this table; others may join.")
    shown = first_names[:MAX_NAMES]
    more = len(first_names) - len(shown)
    if more:
        return ngettext("%(names)s and %(count)s more", "%(names)s and %(count)s more", more) % {
            "names": ", ".join(shown),
            "count": more,
        }
    if len(shown) == 1:
        return shown[0]
    return gettext("%(names)s and %(last)s") % {"names": ", ".join(shown[:-1]), "last": shown[-1]}


def table_description(*, table_label: str, first_names: list[str]) -> str:
    """The event's text, the same in the e-mail's .ics and the subscription: the table and who
    sits there (first names, as the e-mail says them)."""
    return gettext("Drink Tables: table %(table)s. At your table: %(names)s") % {
        "table": table_label,
        "names": names_sentence(first_names),
    }


def round_page_url(*, round_id: int) -> str:
    """The attendee's page of a round, as an absolute link for e-mails and calendars
    (``settings.SITE_URL``)."""
    return settings.SITE_URL.rstrip("/") + f"/rounds/{round_id}/"


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


def _vevent(event: TableEvent, *, sequence: int, cancelled: bool) -> icalendar.Event:
    """The VEVENT of one person's table at one round; downloads, e-mails and feeds share it."""
    meetup_round = event.round
    zone = meetup_round.conference.tzinfo
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(round_id=meetup_round.pk, person_id=event.person_id))
    vevent.add("dtstamp", timezone.now().astimezone(dt.UTC))
    vevent.add("sequence", sequence)
    vevent.add("dtstart", timezone.localtime(meetup_round.starts_at, zone))
    vevent.add("dtend", timezone.localtime(meetup_round.ends_at, zone))
    summary = (
        gettext("%(round)s: table %(table)s")
        % {"round": meetup_round.name, "table": event.table_label}
        if event.table_label
        else meetup_round.name
    )
    vevent.add("summary", _text(summary))
    if event.location:
        vevent.add("location", _text(event.location))
    vevent.add("description", _text(event.description))
    if event.url:
        vevent.add("url", event.url)
    if cancelled:
        vevent.add("status", "CANCELLED")
    return vevent


def _add_timezones(calendar: icalendar.Calendar, rounds: list[MeetupRound]) -> None:
    """A VTIMEZONE for every zone the events use, with its rules for the years they span and
    the next: enough for any calendar to place them."""
    if not rounds:
        return
    years = [
        timezone.localtime(moment, meetup_round.conference.tzinfo).year
        for meetup_round in rounds
        for moment in (meetup_round.starts_at, meetup_round.ends_at)
    ]
    calendar.add_missing_timezones(
        first_date=dt.date(min(years), 1, 1), last_date=dt.date(max(years) + 1, 12, 31)
    )


def _calendar(method: str | None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def table_event_ics(
    event: TableEvent, *, method: str = "PUBLISH", sequence: int | None = None
) -> str:
    """The event as an iCalendar file (one VEVENT and the conference's VTIMEZONE)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    calendar = _calendar(method)
    calendar.add_component(
        _vevent(
            event,
            sequence=sequence if sequence is not None else event_sequence(round=event.round),
            cancelled=method == "CANCEL",
        )
    )
    _add_timezones(calendar, [event.round])
    return calendar.to_ical().decode()


@dataclass(frozen=True)
class FeedEvent:
    """One event of a calendar subscription: a table, its revision, and whether it is off."""

    event: TableEvent
    sequence: int
    cancelled: bool = False


# How often a subscribed calendar should read the feed again (RFC 7986 REFRESH-INTERVAL).
FEED_REFRESH = dt.timedelta(hours=1)
FEED_NAME = "Drink Tables"


def table_events_ics(events: list[FeedEvent], *, name: str = FEED_NAME) -> str:
    """A calendar subscription: the events of all a person's tables in one VCALENDAR, with a
    VTIMEZONE for each zone involved. The same UIDs as the downloads and e-mails, so a calendar
    that holds both keeps one event per round; cancelled events say STATUS:CANCELLED."""
    calendar = _calendar("PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", FEED_REFRESH)
    for item in events:
        calendar.add_component(
            _vevent(item.event, sequence=item.sequence, cancelled=item.cancelled)
        )
    _add_timezones(calendar, [item.event.round for item in events])
    return calendar.to_ical().decode()
