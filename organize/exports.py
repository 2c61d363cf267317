"""A round's plan for print and spreadsheets: the plan as CSV, table cards, a check-in list.

A round's plan is ``matching.selectors.runs.plan_run_for``: the seating of its published run
or, before publishing, of its latest succeeded run (under review); each export says which.
Everything here reads the plan in a fixed number of queries, however many tables and people it
has.
"""

import csv
import io
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby

from attendees.enums import RSVPStatus
from attendees.models import Person, RoundRSVP
from attendees.selectors.people import newcomer_ids
from conferences.calendar import seat_location
from conferences.models import DrinkTable, MeetupRound
from matching.models import MatchingRun, Seat
from matching.selectors.runs import PlanRun, plan_run_for

STARTERS = (
    "{count} of you picked {topic}. What is one thing about it you would love to try this year?",
    "{topic} came up {count} times at this table: what got each of you into it?",
    "Share one {topic} idea you have seen at {conference} that you want to take home.",
)
FALLBACK_STARTER = (
    "Go around the table: what brought you to {conference}, and what is one thing you hope "
    "to take home?"
)
# Spreadsheets run a cell starting with these as a formula; a leading apostrophe stops that.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def name_key(name: str) -> tuple[str, str]:
    """Sort names as people read them: accents and case do not change the order."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.casefold(), name


@dataclass
class SeatedPerson:
    pk: int
    name: str
    email: str
    organization: str
    show_organization: bool
    newcomer: bool
    topics: list[str] = field(default_factory=list)

    @property
    def public_organization(self) -> str:
        return self.organization if self.show_organization else ""


@dataclass
class TablePlan:
    table: DrinkTable
    location: str
    people: list[SeatedPerson]
    starter: str
    starter_topic: str | None

    @property
    def newcomer_count(self) -> int:
        return sum(p.newcomer for p in self.people)


@dataclass
class CheckInEntry:
    person: SeatedPerson
    table: TablePlan | None


@dataclass
class RoundPlan:
    round: MeetupRound
    plan: PlanRun  # which run: published, or under review
    tables: list[TablePlan]
    unseated: list[SeatedPerson]

    @property
    def run(self) -> MatchingRun:
        return self.plan.run

    @property
    def description(self) -> str:
        return self.plan.describe(tz=self.round.conference.tzinfo)

    @property
    def seated_count(self) -> int:
        return sum(len(t.people) for t in self.tables)

    def check_in(self) -> list[CheckInEntry]:
        entries = [CheckInEntry(p, t) for t in self.tables for p in t.people]
        entries += [CheckInEntry(p, None) for p in self.unseated]
        return sorted(entries, key=lambda e: name_key(e.person.name))

    def check_in_by_letter(self) -> list[tuple[str, list[CheckInEntry]]]:
        return [
            (letter, list(entries))
            for letter, entries in groupby(
                self.check_in(), key=lambda e: (name_key(e.person.name)[0][:1] or "#").upper()
            )
        ]


def conversation_starter(
    *, people: list[SeatedPerson], conference_name: str, variant: int
) -> tuple[str, str | None]:
    """A first question for the table, from a topic several of them share.

    A topic that a newcomer shares with a returning person wins over one only returning
    people share, then the topic most of them picked, then the alphabet.
    """
    counts = Counter(topic for person in people for topic in set(person.topics))
    newcomer_topics = {t for p in people if p.newcomer for t in p.topics}
    returning_topics = {t for p in people if not p.newcomer for t in p.topics}
    shared = [topic for topic, count in counts.items() if count >= 2]
    if not shared:
        return FALLBACK_STARTER.format(conference=conference_name), None
    topic = min(
        shared,
        key=lambda t: (not (t in newcomer_topics and t in returning_topics), -counts[t], t),
    )
    template = STARTERS[variant % len(STARTERS)]
    return template.format(topic=topic, count=counts[topic], conference=conference_name), topic


def _people(person_ids: list[int], *, newcomers: set[int]) -> dict[int, SeatedPerson]:
    people: dict[int, SeatedPerson] = {}
    for person in Person.objects.filter(pk__in=person_ids).only(
        "full_name", "email", "organization", "show_organization", "deleted_at"
    ):
        people[person.pk] = SeatedPerson(
            pk=person.pk,
            name=person.display_name,
            email=person.email,
            organization=person.organization,
            show_organization=person.show_organization,
            newcomer=person.pk in newcomers,
        )
    through = Person.topics.through
    for person_id, topic in (
        through.objects.filter(person_id__in=person_ids)
        .order_by("topic__name")
        .values_list("person_id", "topic__name")
    ):
        people[person_id].topics.append(topic)
    return people


def round_plan(*, round: MeetupRound) -> RoundPlan | None:
    """The round's tables with their people, and who is going but has no seat; None if unplanned."""
    chosen = plan_run_for(round=round)
    if chosen is None:
        return None
    run = chosen.run
    conference = round.conference
    seats = list(Seat.objects.filter(run=run).values_list("person_id", "table_id"))
    going = set(
        RoundRSVP.objects.filter(round=round, status=RSVPStatus.GOING).values_list(
            "person_id", flat=True
        )
    )
    seated_ids = {person_id for person_id, _ in seats}
    unseated_ids = sorted(going - seated_ids)
    people = _people(
        sorted(seated_ids) + unseated_ids, newcomers=newcomer_ids(conference=conference)
    )
    tables = {t.pk: t for t in DrinkTable.objects.filter(pk__in={t for _, t in seats})}
    by_table: dict[int, list[SeatedPerson]] = {}
    for person_id, table_id in seats:
        by_table.setdefault(table_id, []).append(people[person_id])
    plans = []
    for table_id, seated in by_table.items():
        table = tables[table_id]
        seated.sort(key=lambda p: name_key(p.name))
        starter, topic = conversation_starter(
            people=seated, conference_name=conference.name, variant=table.pk
        )
        where = seat_location(table_location=table.location, round_location=round.location)
        plans.append(TablePlan(table, where, seated, starter, topic))
    plans.sort(key=lambda t: name_key(t.table.label))
    unseated = sorted((people[pk] for pk in unseated_ids), key=lambda p: name_key(p.name))
    return RoundPlan(round=round, plan=chosen, tables=plans, unseated=unseated)


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    # A byte-order mark makes spreadsheet programs read the names as UTF-8.
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(str(value)) for value in row] for row in rows)
    return out.getvalue()


PLAN_HEADER = ["table", "location", "name", "email", "organization", "newcomer", "topics"]
CHECK_IN_HEADER = ["name", "organization", "table", "location", "newcomer"]


def plan_csv(*, plan: RoundPlan) -> str:
    """One line per seat, by table then name."""
    return _csv(
        PLAN_HEADER,
        [
            [
                table.table.label,
                table.location,
                person.name,
                person.email,
                person.organization,
                "yes" if person.newcomer else "no",
                "|".join(person.topics),
            ]
            for table in plan.tables
            for person in table.people
        ],
    )


def check_in_csv(*, plan: RoundPlan) -> str:
    """Everyone going, by name, with their table (blank for people without a seat)."""
    return _csv(
        CHECK_IN_HEADER,
        [
            [
                entry.person.name,
                entry.person.organization,
                entry.table.table.label if entry.table else "",
                entry.table.location if entry.table else "",
                "yes" if entry.person.newcomer else "no",
            ]
            for entry in plan.check_in()
        ],
    )
