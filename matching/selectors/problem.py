"""What a round's problem is made of: its people and tables, who sat together earlier, and the
ids (``p<pk>``, ``t<pk>``) that problem and plan files use.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F, QuerySet

from attendees.enums import RSVPStatus
from attendees.models import Person
from conferences.enums import PLAN_VISIBLE_STATUSES
from conferences.models import DrinkTable, MeetupRound
from matching.models import Seat

# ---------------------------------------------------------------------------------------------
# Ids in problem and solution files: p<person pk>, t<table pk>


def person_key(person_id: int) -> str:
    return f"p{person_id}"


def table_key(table_id: int) -> str:
    return f"t{table_id}"


def pk_of_key(key: str) -> int:
    return int(key[1:])


# ---------------------------------------------------------------------------------------------
# Who and where a round seats


def round_people(*, round: MeetupRound) -> QuerySet[Person]:
    """Who the matcher seats: RSVP'd going, not opted out, account not deleted."""
    return Person.objects.filter(
        rsvps__round=round,
        rsvps__status=RSVPStatus.GOING,
        opted_out=False,
        deleted_at__isnull=True,
    )


def round_tables(*, round: MeetupRound) -> list[DrinkTable]:
    """The round's active tables; when none were chosen, every active table of the conference."""
    chosen = round.tables.all()
    if not chosen.exists():
        chosen = DrinkTable.objects.filter(conference_id=round.conference_id)
    return list(chosen.filter(active=True).order_by("label", "pk"))


def earlier_tables(*, round: MeetupRound) -> list[tuple[int, list[int]]]:
    """(round id, people) for every table of the conference's other published or held rounds."""
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    seats = (
        Seat.objects.filter(
            run__round__conference_id=round.conference_id,
            run__round__status__in=PLAN_VISIBLE_STATUSES,
            run__round__published_run=F("run"),
        )
        .exclude(run__round=round)
        .order_by("run_id", "table_id", "person_id")
        .values_list("run__round_id", "run_id", "table_id", "person_id")
    )
    for round_id, run_id, table_id, person_id in seats:
        groups[(round_id, run_id, table_id)].append(person_id)
    return [(key[0], members) for key, members in groups.items()]


# ---------------------------------------------------------------------------------------------
# Runs
