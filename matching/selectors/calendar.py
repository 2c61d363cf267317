"""A person's calendar subscription: the events of all their tables, at every conference.

Which rounds are in it, and how:

- a round whose published plan seats the person (published or held): their table, with the
  tablemates named as in the e-mail;
- a round unpublished after the person was told a table: that table, as they were told it
  (attendees keep what they were told until the plan is published again);
- a cancelled round they had a table at, or a round whose plan no longer seats someone who was
  told a table: the event, marked STATUS:CANCELLED, so a subscribed calendar takes it out.

Only the person's own tables: nobody else's seat, no blocks.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F

from attendees.models import Person, first_name_of
from conferences.calendar import (
    FeedEvent,
    TableEvent,
    event_sequence,
    round_page_url,
    seat_location,
    table_description,
)
from conferences.enums import PLAN_VISIBLE_STATUSES, RoundStatus
from conferences.models import DrinkTable, MeetupRound
from matching.models import Seat, SeatNotification


def _event(meetup_round: MeetupRound, person_id: int, table: DrinkTable | None, description: str):
    return TableEvent(
        round=meetup_round,
        person_id=person_id,
        table_label=table.label if table else "",
        location=seat_location(
            table_location=table.location if table else "", round_location=meetup_round.location
        ),
        description=description,
        url=round_page_url(round_id=meetup_round.pk),
    )


def feed_events_for(*, person: Person) -> list[FeedEvent]:
    """The events of ``person``'s calendar subscription, in the order of the rounds."""
    seats = list(
        Seat.objects.filter(person=person, run__round__published_run_id=F("run_id"))
        .select_related("table", "run__round__conference")
        .order_by()
    )
    seated = {seat.run.round_id: seat for seat in seats}
    told = {
        notice.round_id: notice
        for notice in SeatNotification.objects.filter(person=person)
        .select_related("table", "round__conference")
        .order_by()
    }

    # Tablemates at the tables where the person sits now, by first name, as the e-mail has them.
    live = [seat for seat in seats if seat.run.round.status in PLAN_VISIBLE_STATUSES]
    mates: dict[tuple[int, int], list[str]] = defaultdict(list)
    if live:
        for run_id, table_id, full_name, deleted_at in (
            Seat.objects.filter(
                run_id__in={seat.run_id for seat in live},
                table_id__in={seat.table_id for seat in live},
            )
            .exclude(person=person)
            .order_by("person__full_name", "person_id")
            .values_list("run_id", "table_id", "person__full_name", "person__deleted_at")
        ):
            mates[(run_id, table_id)].append(
                first_name_of(full_name=full_name, deleted_at=deleted_at)
            )

    events: list[FeedEvent] = []
    for round_id in set(seated) | set(told):
        seat = seated.get(round_id)
        notice = told.get(round_id)
        meetup_round = seat.run.round if seat else notice.round
        if seat is not None and meetup_round.status in PLAN_VISIBLE_STATUSES:
            names = mates[(seat.run_id, seat.table_id)]
            description = table_description(table_label=seat.table.label, first_names=names)
            events.append(
                FeedEvent(
                    _event(meetup_round, person.pk, seat.table, description),
                    sequence=event_sequence(round=meetup_round),
                )
            )
            continue
        if (
            meetup_round.status not in (RoundStatus.CANCELLED, *PLAN_VISIBLE_STATUSES)
            and notice is not None
            and notice.table is not None
        ):
            # Unpublished after they were told: they keep the table they know.
            description = f"Drink Tables: table {notice.table.label}."
            events.append(
                FeedEvent(
                    _event(meetup_round, person.pk, notice.table, description),
                    sequence=notice.sequence,  # the revision they were told
                )
            )
            continue
        if seat is None and notice is None:
            continue
        table = seat.table if seat else notice.table
        if meetup_round.status == RoundStatus.CANCELLED:
            description = f"{meetup_round.name} is cancelled."
        else:
            description = f"You no longer have a table at {meetup_round.name}."
        # Cancelling, or a plan that drops them, raised the round's revision past the event's.
        events.append(
            FeedEvent(
                _event(meetup_round, person.pk, table, description),
                sequence=event_sequence(round=meetup_round),
                cancelled=True,
            )
        )
    events.sort(key=lambda item: (item.event.round.starts_at, item.event.round.pk))
    return events
