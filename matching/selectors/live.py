"""What the pages show of a published round's changes: the waiting list, released seats, the
door's counts per table and tables left small (``matching.services.live`` writes them)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from attendees.enums import RSVPStatus
from attendees.models import Person, RoundRSVP
from attendees.selectors.people import newcomer_ids
from conferences.models import MeetupRound
from matching.models import Seat, SeatRelease, WaitingEntry
from matching.selectors.problem import round_tables

# A table with fewer people checked in than this is flagged, after the chosen time.
SMALL_TABLE = 3
# The default moment to look for small tables: this long after the round starts.
SMALL_TABLE_AFTER = dt.timedelta(minutes=20)


def _waiting(round: MeetupRound):
    """The round's waiting list without anyone the published plan seats (a plan published
    again after the list began may have seated them)."""
    entries = WaitingEntry.objects.filter(round=round)
    if round.published_run_id:
        entries = entries.exclude(
            person__seats__run_id=round.published_run_id,
        )
    return entries


def is_waiting(*, round: MeetupRound, person: Person) -> bool:
    return _waiting(round).filter(person=person).exists()


@dataclass(frozen=True)
class Waiting:
    person_id: int
    name: str
    since: dt.datetime
    reason: str


@dataclass(frozen=True)
class Released:
    name: str
    table_label: str
    released_at: dt.datetime
    taken_by: str


def waiting_list(*, round: MeetupRound) -> list[Waiting]:
    return [
        Waiting(entry.person_id, entry.person.display_name, entry.created_at, entry.reason)
        for entry in _waiting(round).select_related("person")
    ]


def releases(*, round: MeetupRound) -> list[Released]:
    return [
        Released(
            name=release.person.display_name,
            table_label=release.table.label,
            released_at=release.released_at,
            taken_by=release.taken_by.display_name if release.taken_by else "",
        )
        for release in SeatRelease.objects.filter(round=round).select_related(
            "person", "table", "taken_by"
        )
    ]


@dataclass(frozen=True)
class TableCount:
    table_id: int
    label: str
    location: str
    capacity: int
    seated: int
    checked_in: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.seated, 0)


@dataclass(frozen=True)
class MergeSuggestion:
    table_label: str
    checked_in: int
    into_label: str


@dataclass(frozen=True)
class DoorCounts:
    tables: list[TableCount]
    seated: int
    checked_in: int
    free: int
    small_after: dt.datetime
    small_flagged: bool  # the chosen time has passed: small tables are flagged
    merges: list[MergeSuggestion]


def door_counts(*, round: MeetupRound, small_after: dt.datetime | None = None) -> DoorCounts:
    """Per table of the published plan: seats taken, people checked in, free seats; and, once
    ``small_after`` (by default 20 minutes into the round) has passed, the tables with fewer
    than three people checked in, each with a table to merge into (the one with the most
    people checked in that has room for them all)."""
    small_after = small_after or round.starts_at + SMALL_TABLE_AFTER
    tables = round_tables(round=round)
    seated: dict[int, int] = defaultdict(int)
    checked: dict[int, int] = defaultdict(int)
    if round.published_run_id:
        checked_in_ids = set(
            RoundRSVP.objects.filter(
                round=round, status=RSVPStatus.GOING, checked_in_at__isnull=False
            ).values_list("person_id", flat=True)
        )
        for person_id, table_id in Seat.objects.filter(run_id=round.published_run_id).values_list(
            "person_id", "table_id"
        ):
            seated[table_id] += 1
            checked[table_id] += person_id in checked_in_ids
    counts = [
        TableCount(t.pk, t.label, t.location, t.capacity, seated[t.pk], checked[t.pk])
        for t in tables
    ]
    flagged = timezone.now() >= small_after
    merges = []
    if flagged:
        used = [c for c in counts if c.seated]
        for count in used:
            if count.checked_in >= SMALL_TABLE:
                continue
            targets = [
                other
                for other in used
                if other.table_id != count.table_id
                and other.capacity - other.checked_in >= count.checked_in
                and other.checked_in >= count.checked_in
            ]
            if targets:
                best = max(targets, key=lambda other: (other.checked_in, -other.table_id))
                merges.append(MergeSuggestion(count.label, count.checked_in, best.label))
            else:
                merges.append(MergeSuggestion(count.label, count.checked_in, ""))
    return DoorCounts(
        tables=counts,
        seated=sum(c.seated for c in counts),
        checked_in=sum(c.checked_in for c in counts),
        free=sum(c.free for c in counts),
        small_after=small_after,
        small_flagged=flagged,
        merges=merges,
    )


@dataclass(frozen=True)
class DoorPerson:
    person_id: int
    name: str
    organization: str
    newcomer: bool
    going: bool
    checked_in: bool
    table_label: str
    table_location: str
    waiting: bool


DOOR_RESULTS = 20


def door_search(*, round: MeetupRound, query: str) -> list[DoorPerson]:
    """People registered for the round's conference whose name or e-mail holds ``query``
    (at most 20, by name), with their RSVP, check-in and table at this round."""
    query = query.strip()
    if len(query) < 2:
        return []
    people = list(
        Person.objects.filter(
            attendances__conference_id=round.conference_id, deleted_at__isnull=True
        )
        .filter(Q(full_name__icontains=query) | Q(email__icontains=query))
        .order_by("full_name", "pk")[:DOOR_RESULTS]
    )
    ids = [p.pk for p in people]
    rsvps = {r.person_id: r for r in RoundRSVP.objects.filter(round=round, person_id__in=ids)}
    tables = (
        {
            seat.person_id: seat.table
            for seat in Seat.objects.filter(
                run_id=round.published_run_id, person_id__in=ids
            ).select_related("table")
        }
        if round.published_run_id
        else {}
    )
    waiting = set(
        WaitingEntry.objects.filter(round=round, person_id__in=ids).values_list(
            "person_id", flat=True
        )
    )
    newcomers = newcomer_ids(conference=round.conference, person_ids=ids)
    return [
        DoorPerson(
            person_id=p.pk,
            name=p.display_name,
            organization=p.organization if p.show_organization else "",
            newcomer=p.pk in newcomers,
            going=p.pk in rsvps and rsvps[p.pk].status == RSVPStatus.GOING,
            checked_in=p.pk in rsvps and rsvps[p.pk].checked_in_at is not None,
            table_label=tables[p.pk].label if p.pk in tables else "",
            table_location=tables[p.pk].location if p.pk in tables else "",
            waiting=p.pk in waiting,
        )
        for p in people
    ]


@dataclass(frozen=True)
class PlanChanges:
    """What changed in a published round since publishing, for the plan page."""

    waiting: list[Waiting]
    released: list[Released]
    merges: list[MergeSuggestion]


def plan_changes(*, round: MeetupRound) -> PlanChanges | None:
    """None unless the round is published (or held: what happened stays visible)."""
    if round.published_run_id is None or round.status not in ("published", "held"):
        return None
    return PlanChanges(
        waiting=waiting_list(round=round),
        released=releases(round=round),
        merges=door_counts(round=round).merges
        if round.status == "published" and timezone.now() >= round.starts_at + SMALL_TABLE_AFTER
        else [],
    )
