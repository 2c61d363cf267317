"""Notices: tell each attendee their table, once, and again only when it changes.

What a person was told is recorded per seat (``SeatNotification``: the table, and the round's
``calendar_sequence`` at the time). Whoever should know another table, or no table, or whose
record is older than the round's sequence (its time or place changed, or their table moved)
is owed an e-mail with the calendar event at the current sequence: same UID, higher SEQUENCE,
so their calendar replaces the event (or, for a cancellation, removes it).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext

from attendees.enums import RSVPStatus
from attendees.models import Person, RoundRSVP, first_name_of
from conferences.calendar import (
    TableEvent,
    names_sentence,
    round_page_url,
    seat_location,
    table_description,
    table_event_ics,
)
from conferences.enums import RoundStatus
from conferences.models import DrinkTable, MeetupRound
from conferences.times import local_time_range
from config.db import locked
from config.i18n import language_of
from config.queue import Dispatch, task_send_on_commit
from matching.models import Seat, SeatNotification

logger = logging.getLogger(__name__)


NOTICE_BATCH_SIZE = 50


@dataclass(frozen=True)
class NoticeBatch:
    sent: int
    remaining: int


def notices_send_batch(*, round_id: int, batch_size: int | None = None) -> NoticeBatch:
    """Send the next batch of table notices for a round and record what each person was told.

    What a person should know: their table in the published plan, or no table (they lost their
    seat, or the round was cancelled). Whoever was told something else, or nothing while they
    have a table, gets an e-mail. Runs under the round's row lock so two deliveries never send
    the same batch; a crash before the commit may send a batch twice (at-least-once).
    """

    with transaction.atomic():
        meetup_round = (
            locked(MeetupRound.objects.filter(pk=round_id)).select_related("conference").first()
        )
        if meetup_round is None:
            return NoticeBatch(sent=0, remaining=0)
        pending = pending_notices(meetup_round)
        batch = pending[: batch_size or NOTICE_BATCH_SIZE]
        if not batch:
            return NoticeBatch(sent=0, remaining=0)
        messages, told = build_notice(round=meetup_round, changes=batch)
        sequence = meetup_round.calendar_sequence
        if messages:
            from django.core.mail import get_connection

            with get_connection() as mail:
                mail.send_messages(messages)
        now = timezone.now()
        SeatNotification.objects.bulk_create(
            [
                SeatNotification(
                    round=meetup_round,
                    person_id=person_id,
                    table_id=table_id,
                    sent_at=now,
                    sequence=sequence,
                )
                for person_id, table_id in told
            ],
            update_conflicts=True,
            unique_fields=["round", "person"],
            update_fields=["table", "sent_at", "sequence"],
        )
    return NoticeBatch(sent=len(messages), remaining=len(pending) - len(batch))


@dataclass(frozen=True)
class NoticeChange:
    person_id: int
    table_id: int | None  # the table they should know about; None: no table any more
    previous_table_id: int | None  # what they were told; None: nothing, or "no table"
    told_before: bool
    updated: bool = False  # the same table, but the round's time or place (or the table's) moved


def pending_notices(meetup_round: MeetupRound) -> list[NoticeChange]:
    told: dict[int, tuple[int | None, int]] = {
        person_id: (table_id, sequence)
        for person_id, table_id, sequence in SeatNotification.objects.filter(
            round=meetup_round
        ).values_list("person_id", "table_id", "sequence")
    }
    if meetup_round.status == RoundStatus.PUBLISHED:
        should_know = dict(
            Seat.objects.filter(run_id=meetup_round.published_run_id).values_list(
                "person_id", "table_id"
            )
        )
    elif meetup_round.status == RoundStatus.CANCELLED:
        should_know = {}
    else:
        return []  # unpublished: people keep what they know until the next publish
    changes = []
    for person_id in sorted(set(told) | set(should_know)):
        table_id = should_know.get(person_id)
        previous, sequence = told.get(person_id, (None, 0))
        outdated = table_id is not None and sequence < meetup_round.calendar_sequence
        if table_id != previous or outdated:
            changes.append(
                NoticeChange(
                    person_id=person_id,
                    table_id=table_id,
                    previous_table_id=previous,
                    told_before=person_id in told,
                    updated=table_id == previous,
                )
            )
    return changes


def notices_settle_unchanged(
    *,
    round: MeetupRound,
    previous_sequence: int,
    keep_table_of_run: int | None = None,
    except_table_id: int | None = None,
) -> int:
    """After ``round``'s calendar_sequence grew past ``previous_sequence``, record as told those
    for whom nothing they know changed, so only the people affected are e-mailed.

    Only people up to date before (told at ``previous_sequence``) are settled: someone still
    owed an earlier change keeps it. ``keep_table_of_run``: a new plan, which changes nothing
    for those it seats where they were told. ``except_table_id``: a table that moved, which
    changes nothing for those told another table. Call it under the round's row lock.
    """
    told = SeatNotification.objects.filter(
        round=round, sequence=previous_sequence, table__isnull=False
    )
    if keep_table_of_run is not None:
        told = told.filter(
            table_id=Subquery(
                Seat.objects.filter(
                    run_id=keep_table_of_run, person_id=OuterRef("person_id")
                ).values("table_id")[:1]
            )
        )
    if except_table_id is not None:
        told = told.exclude(table_id=except_table_id)
    return told.update(sequence=round.calendar_sequence)


def queue_unreachable_notices_message(*, pending: int, cancelled: bool = False) -> str:
    """What the organizer is told when the e-mails to attendees could not be queued."""
    what = (
        "the e-mails telling attendees the round is cancelled"
        if cancelled
        else f"the e-mails telling attendees their table ({pending} to send)"
    )
    return (
        f"Done, but the task queue (Redis) is not reachable, so {what} have not gone out yet. "
        "They go out by themselves once the queue is back."
    )


# Notices about a round that ended this long ago are no use any more.
NOTICE_SWEEP_AFTER_START = timedelta(hours=6)


def notices_sweep_pending() -> int:
    """Send the notices task again for every round that still owes notices.

    Publishing sends the task once; if the task queue was down then, or the task gave up (the
    mail server was down too long), this catches up (Celery beat calls it). A round counts while
    its evening has not long passed. A second delivery is harmless: batches are sent under the
    round's row lock and each person is told once. Returns how many rounds it sent again.
    """
    rounds = MeetupRound.objects.filter(
        status__in=(RoundStatus.PUBLISHED, RoundStatus.CANCELLED),
        starts_at__gt=timezone.now() - NOTICE_SWEEP_AFTER_START,
    )
    sent = 0
    for meetup_round in rounds:
        if pending_notices(meetup_round):
            dispatch = notices_enqueue(meetup_round.pk)
            sent += not dispatch.failed
            logger.info("round %s: notices still owed, sent again", meetup_round.pk)
    return sent


def notices_enqueue(round_id: int) -> Dispatch:
    """Send the notices task after the commit; if the task queue is down, the notices stay
    pending in the database and ``notices_sweep_pending`` sends the task again later."""
    from matching import tasks

    return task_send_on_commit(tasks.send_round_notices, kwargs={"round_id": round_id})


# ---------------------------------------------------------------------------------------------
# The e-mails


def _when(meetup_round: MeetupRound) -> str:
    """The evening in the conference's local time, its zone named ("… 18:30–20:30 CST"), in the
    words and order of the active language."""
    return local_time_range(
        meetup_round.starts_at, meetup_round.ends_at, zone=meetup_round.conference.tzinfo
    )


_names = names_sentence


def build_notice(
    *, round: MeetupRound, changes: list[NoticeChange]
) -> tuple[list[EmailMessage], list[tuple[int, int | None]]]:
    """The e-mails for a batch of changes, and (person, table) pairs to record as told.

    People without an e-mail address (deleted accounts) are recorded without a message.
    """
    people = Person.objects.in_bulk([change.person_id for change in changes])
    table_ids = {change.table_id for change in changes if change.table_id is not None}
    tables = DrinkTable.objects.in_bulk(
        table_ids | {c.previous_table_id for c in changes if c.previous_table_id is not None}
    )
    mates: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if table_ids:
        for table_id, person_id, full_name, deleted_at in (
            Seat.objects.filter(run_id=round.published_run_id, table_id__in=table_ids)
            .order_by("person__full_name", "person_id")
            .values_list("table_id", "person_id", "person__full_name", "person__deleted_at")
        ):
            first = first_name_of(full_name=full_name, deleted_at=deleted_at)
            mates[table_id].append((person_id, first))

    messages: list[EmailMessage] = []
    told: list[tuple[int, int | None]] = []
    for change in changes:
        person = people.get(change.person_id)
        told.append((change.person_id, change.table_id))
        if person is None or not person.email or person.deleted_at:
            continue
        with translation.override(language_of(person)):  # the recipient's language
            if change.table_id is not None:
                table = tables[change.table_id]
                others = [name for pid, name in mates[table.pk] if pid != person.pk]
                messages.append(
                    _table_message(
                        round,
                        person,
                        table,
                        others,
                        moved=change.told_before and not change.updated,
                        updated=change.updated,
                    )
                )
            else:
                previous = tables.get(change.previous_table_id)
                if round.status == RoundStatus.CANCELLED:
                    messages.append(_cancelled_message(round, person, previous))
                else:
                    messages.append(_unseated_message(round, person, previous))
    return messages, told


def _calendar(
    meetup_round: MeetupRound,
    person: Person,
    table: DrinkTable | None,
    *,
    description: str,
    method: str = "PUBLISH",
) -> str:
    label = table.label if table is not None else "-"
    location = seat_location(
        table_location=table.location if table is not None else "",
        round_location=meetup_round.location,
    )
    return table_event_ics(
        TableEvent(
            round=meetup_round,
            person_id=person.pk,
            table_label=label,
            location=location,
            description=description,
            url=round_page_url(round_id=meetup_round.pk),
        ),
        method=method,
    )


def _message(person: Person, subject: str, lines: list[str], calendar: str) -> EmailMessage:
    message = EmailMessage(
        subject=subject,
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
    )
    message.attach("drink-table.ics", calendar, "text/calendar")
    return message


def _table_message(
    meetup_round: MeetupRound,
    person: Person,
    table: DrinkTable,
    others: list[str],
    *,
    moved: bool,
    updated: bool = False,
) -> EmailMessage:
    location = seat_location(table_location=table.location, round_location=meetup_round.location)
    conference = meetup_round.conference.name
    when = _when(meetup_round)
    words = {"round": meetup_round.name, "table": table.label, "when": when}
    if updated:
        subject = gettext("Changed: %(round)s, %(when)s") % words
        opening = (
            gettext(
                "%(round)s has changed: see when and where below. You still sit at table %(table)s."
            )
            % words
        )
    elif moved:
        subject = gettext("Your table changed: %(table)s at %(round)s") % words
        opening = (
            gettext("The seating for %(round)s changed: you now sit at table %(table)s.") % words
        )
    else:
        subject = gettext("Your table at %(round)s: %(table)s") % words
        opening = gettext("You sit at table %(table)s at %(round)s.") % words
    lines = [
        gettext("Hello %(name)s,") % {"name": person.first_name},
        "",
        opening,
        "",
        (
            gettext("Where: %(place)s (%(conference)s)")
            % {"place": location, "conference": conference}
            if location
            else gettext("Where: %(conference)s") % {"conference": conference}
        ),
        gettext("When: %(when)s (%(zone)s)")
        % {"when": when, "zone": meetup_round.conference.time_zone},
        gettext("At your table: %(names)s") % {"names": _names(others)},
        "",
        (
            gettext("The attached calendar file updates the evening in your calendar.")
            if updated or moved
            else gettext("The attached calendar file adds the evening to your calendar.")
        ),
        gettext("See who they are and why you sit together on your Drink Tables page."),
        round_page_url(round_id=meetup_round.pk),
    ]
    calendar = _calendar(
        meetup_round,
        person,
        table,
        description=table_description(table_label=table.label, first_names=others),
    )
    return _message(person, subject, lines, calendar)


def _cancelled_message(
    meetup_round: MeetupRound, person: Person, table: DrinkTable | None
) -> EmailMessage:
    words = {"round": meetup_round.name, "when": _when(meetup_round)}
    lines = [
        gettext("Hello %(name)s,") % {"name": person.first_name},
        "",
        gettext(
            "%(round)s (%(when)s) is cancelled, so your table is released. Please "
            "remove it from your calendar."
        )
        % words,
    ]
    calendar = _calendar(
        meetup_round,
        person,
        table,
        description=gettext("Cancelled: %(round)s") % words,
        method="CANCEL",
    )
    return _message(person, gettext("Cancelled: %(round)s") % words, lines, calendar)


def _unseated_message(
    meetup_round: MeetupRound, person: Person, table: DrinkTable | None
) -> EmailMessage:
    """ "No table any more": their RSVP changed to not going ("I can't come"), or a new plan
    left them out. Carries a calendar cancellation of the table they had been told."""
    words = {"round": meetup_round.name, "when": _when(meetup_round)}
    not_going = RoundRSVP.objects.filter(
        person=person, round=meetup_round, status=RSVPStatus.NOT_GOING
    ).exists()
    reason = (
        gettext(
            "You told us you can't come to %(round)s (%(when)s), so your table is released. "
            "Thanks for letting us know: someone else can take the seat."
        )
        % words
        if not_going
        else gettext(
            "The seating for %(round)s changed and you no longer have a table. If you are still "
            "coming, say so on your Drink Tables page and you get a seat as soon as one is free."
        )
        % words
    )
    lines = [
        gettext("Hello %(name)s,") % {"name": person.first_name},
        "",
        reason,
        round_page_url(round_id=meetup_round.pk),
        "",
        gettext("The attached calendar file takes the table out of your calendar."),
    ]
    calendar = _calendar(
        meetup_round,
        person,
        table,
        description=gettext("Your table at %(round)s was released") % words,
        method="CANCEL",
    )
    return _message(
        person, gettext("Your table at %(round)s was released") % words, lines, calendar
    )
