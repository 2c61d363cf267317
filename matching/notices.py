"""The e-mails that tell attendees their table: composed here, sent by ``notices_send_batch``."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import dateformat, timezone

from attendees.models import Person
from conferences.calendar import round_ics
from conferences.enums import RoundStatus
from conferences.models import DrinkTable, MeetupRound

from .models import Seat

if TYPE_CHECKING:
    from .services import NoticeChange

MAX_NAMES = 7


def _when(meetup_round: MeetupRound) -> str:
    zone = meetup_round.conference.tzinfo
    starts = timezone.localtime(meetup_round.starts_at, zone)
    ends = timezone.localtime(meetup_round.ends_at, zone)
    return f"{dateformat.format(starts, 'l j F, H:i')}–{dateformat.format(ends, 'H:i')}"


def _names(first_names: list[str]) -> str:
    if not first_names:
        return "You are the first at this table; others may join."
    shown = first_names[:MAX_NAMES]
    more = len(first_names) - len(shown)
    if more:
        return ", ".join(shown) + f" and {more} more"
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def ics_uid(*, round_id: int, person_id: int) -> str:
    """Stable per person and round, so a calendar replaces the event when the table changes."""
    return f"round-{round_id}-person-{person_id}@drinktables"


def build_notice(
    *, round: MeetupRound, changes: list[NoticeChange]
) -> tuple[list[EmailMessage], list[tuple[int, int | None]]]:
    """The e-mails for a batch of changes, and (person, table) pairs to record as told.

    People without an e-mail address (deleted accounts) are recorded without a message.
    """
    people = Person.objects.in_bulk([change.person_id for change in changes])
    table_ids = {change.table_id for change in changes if change.table_id is not None}
    tables = DrinkTable.objects.in_bulk(table_ids)
    mates: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if table_ids:
        for table_id, person_id, full_name, deleted_at in (
            Seat.objects.filter(run_id=round.published_run_id, table_id__in=table_ids)
            .order_by("person__full_name", "person_id")
            .values_list("table_id", "person_id", "person__full_name", "person__deleted_at")
        ):
            first = "A former attendee" if deleted_at else full_name.split(" ", 1)[0]
            mates[table_id].append((person_id, first))

    messages: list[EmailMessage] = []
    told: list[tuple[int, int | None]] = []
    for change in changes:
        person = people.get(change.person_id)
        told.append((change.person_id, change.table_id))
        if person is None or not person.email or person.deleted_at:
            continue
        if change.table_id is not None:
            table = tables[change.table_id]
            others = [name for pid, name in mates[table.pk] if pid != person.pk]
            messages.append(_table_message(round, person, table, others, moved=change.told_before))
        elif round.status == RoundStatus.CANCELLED:
            messages.append(_cancelled_message(round, person))
        else:
            messages.append(_unseated_message(round, person))
    return messages, told


def _table_message(
    meetup_round: MeetupRound, person: Person, table: DrinkTable, others: list[str], *, moved: bool
) -> EmailMessage:
    location = table.location or meetup_round.location
    conference = meetup_round.conference.name
    subject = (
        f"Your table changed: {table.label} at {meetup_round.name}"
        if moved
        else f"Your table at {meetup_round.name}: {table.label}"
    )
    lines = [
        f"Hello {person.first_name},",
        "",
        (
            f"The seating for {meetup_round.name} changed: you now sit at table {table.label}."
            if moved
            else f"You sit at table {table.label} at {meetup_round.name}."
        ),
        "",
        f"Where: {location} ({conference})" if location else f"Where: {conference}",
        f"When: {_when(meetup_round)} ({meetup_round.conference.time_zone})",
        f"At your table: {_names(others)}",
        "",
        "The attached calendar file adds the evening to your calendar.",
        "See who they are and why you sit together on your Drink Tables page.",
    ]
    message = EmailMessage(
        subject=subject,
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
    )
    message.attach(
        "drink-table.ics",
        round_ics(
            round=meetup_round,
            table_label=table.label,
            location=location,
            description=f"Drink Tables: table {table.label}. At your table: {_names(others)}",
            uid=ics_uid(round_id=meetup_round.pk, person_id=person.pk),
        ),
        "text/calendar",
    )
    return message


def _cancelled_message(meetup_round: MeetupRound, person: Person) -> EmailMessage:
    return EmailMessage(
        subject=f"Cancelled: {meetup_round.name}",
        body="\n".join(
            [
                f"Hello {person.first_name},",
                "",
                f"{meetup_round.name} ({_when(meetup_round)}) is cancelled, so your table is "
                "released. Please remove it from your calendar.",
            ]
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
    )


def _unseated_message(meetup_round: MeetupRound, person: Person) -> EmailMessage:
    return EmailMessage(
        subject=f"Your table at {meetup_round.name} was released",
        body="\n".join(
            [
                f"Hello {person.first_name},",
                "",
                f"The seating for {meetup_round.name} changed and you no longer have a table "
                "(for example because your RSVP changed). If you are still coming, update your "
                "RSVP on your Drink Tables page and the organizers will find you a seat.",
            ]
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
    )
