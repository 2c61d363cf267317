"""A round's plan for the organizer: its tables and seats, the metrics against their targets."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from attendees.models import Person, display_name_of
from attendees.selectors.people import encounters_before_round, newcomer_ids
from attendees.selectors.wishes import mutual_sit_together_pairs
from conferences.models import DrinkTable, MeetupRound
from config.exceptions import Conflict
from matching import engine
from matching.models import MatchingRun, Seat, SeatNotification
from matching.selectors.problem import (
    earlier_tables,
    person_key,
    round_people,
    round_tables,
    table_key,
)
from matching.selectors.runs import PlanRun, plan_run_among, plan_run_for, plan_run_of

# ---------------------------------------------------------------------------------------------
# Ids in problem and solution files: p<person pk>, t<table pk>


# ---------------------------------------------------------------------------------------------
# Exports


@dataclass(frozen=True)
class PlanFile:
    """A plan as a format-v1 solution (``data``), and which plan it is."""

    data: dict[str, Any]
    plan: PlanRun


def solution_export(*, round: MeetupRound) -> PlanFile:
    """The round's plan (``plan_run_for``) as a format-v1 solution; ids match
    ``services.problem_export``. Raises ``Conflict`` when the round has no plan yet.
    """
    chosen = plan_run_for(round=round)
    if chosen is None:
        raise Conflict("This round has no plan yet: run the matching first.")
    run = chosen.run
    tables = {table_key(table.pk): [] for table in round_tables(round=round)}
    seated = set()
    for table_id, person_id in (
        Seat.objects.filter(run=run)
        .order_by("table_id", "person_id")
        .values_list("table_id", "person_id")
    ):
        tables.setdefault(table_key(table_id), []).append(person_key(person_id))
        seated.add(person_id)
    going = round_people(round=round).order_by("pk").values_list("pk", flat=True)
    plan = engine.RoundPlan(
        round=1,
        tables={table: tuple(members) for table, members in tables.items()},
        unseated=tuple(person_key(pk) for pk in going if pk not in seated),
    )
    solution = engine.Solution(rounds=(plan,), metrics=run.metrics, elapsed_s=run.elapsed_s or 0.0)
    return PlanFile(data=engine.solution_to_dict(solution), plan=chosen)


# ---------------------------------------------------------------------------------------------
# The organizer's plan


@dataclass(frozen=True)
class MetricTarget:
    key: str
    label: str
    target: str
    help: str


# The round's targets (docs/design.md §3): hard constraints never broken, then the goals in order.
METRIC_TARGETS = (
    MetricTarget("violations", "Hard constraints broken", "0", "Never produced by the solver."),
    MetricTarget("unseated", "Going but without a seat", "0", "Add tables if this is not 0."),
    MetricTarget("repeat_pairs", "Pairs seated together again", "0", "No repeats at a conference."),
    MetricTarget(
        "welcome_rate",
        "Newcomers welcomed",
        "≥ 98%",
        "Newcomers at a table with two returning people who know each other.",
    ),
    MetricTarget(
        "anchor_rate",
        "Returning people with a friend",
        "≥ 98%",
        "Returning people with a friend in the room who sit with one.",
    ),
    MetricTarget("small_tables", "Tables under 3 people", "0", "Avoided whenever possible."),
    MetricTarget(
        "newcomer_spread",
        "Newcomer share spread",
        "≤ 50 points",
        "Difference between the tables with the most and the fewest newcomers.",
    ),
    MetricTarget(
        "topic_rate",
        "Newcomers sharing a topic",
        "≥ 80%",
        "Newcomers with topics who share one with a tablemate.",
    ),
)
RATE_TARGET = 0.98
TOPIC_TARGET = 0.8
SPREAD_TARGET = 0.5


@dataclass
class MetricView:
    label: str
    value: str
    target: str
    ok: bool
    help: str


def metric_views(metrics: dict[str, Any]) -> list[MetricView]:
    """The run's metrics against the round's targets, ready to show."""
    if not metrics:
        return []
    views = []
    for target in METRIC_TARGETS:
        value = metrics.get(target.key)
        if target.key == "violations":
            broken = sum((value or {}).values())
            views.append(
                MetricView(target.label, str(broken), target.target, broken == 0, target.help)
            )
        elif target.key in ("welcome_rate", "anchor_rate", "topic_rate"):
            rate = float(value if value is not None else 1.0)
            goal = TOPIC_TARGET if target.key == "topic_rate" else RATE_TARGET
            ok = rate >= goal
            shown = f"{rate:.0%}"
            help_text = target.help
            if target.key == "welcome_rate":
                shown += f" ({metrics.get('welcomed', 0)} of {metrics.get('newcomers', 0)})"
            if target.key == "topic_rate":
                shown += (
                    f" ({metrics.get('topic_matched', 0)} of {metrics.get('topic_newcomers', 0)})"
                )
            if target.key == "anchor_rate":
                shown += f" ({metrics.get('anchored', 0)} of {metrics.get('anchor_eligible', 0)})"
                bound = metrics.get("anchor_bound")
                if bound is not None:
                    ok = ok or rate >= float(bound) - 1e-9
                    help_text += f" At most {float(bound):.0%} is possible without repeats."
            views.append(MetricView(target.label, shown, target.target, ok, help_text))
        elif target.key == "newcomer_spread":
            spread = float(value or 0.0)
            views.append(
                MetricView(
                    target.label,
                    f"{spread * 100:.0f} points",
                    target.target,
                    spread <= SPREAD_TARGET,
                    target.help,
                )
            )
        else:
            count = int(value or 0)
            views.append(
                MetricView(target.label, str(count), target.target, count == 0, target.help)
            )
    return views


@dataclass
class SeatView:
    pk: int  # the person's
    name: str
    newcomer: bool = False
    host: bool = False
    friends: list[str] = field(default_factory=list)
    shared_topics: list[str] = field(default_factory=list)
    together_with: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _SeatingFacts:
    """What the reasons and warnings of every table are made from, read once per plan."""

    names_by_table: dict[int, dict[int, str]]
    newcomers: set[int]
    hosts: dict[int, int | None]
    topics: dict[int, set[str]]
    friends_of: dict[int, set[int]]
    together: dict[int, set[int]]
    sat_before: dict[int, set[int]]
    seated: set[int]

    def table_details(self, table: DrinkTable) -> tuple[list[SeatView], tuple[str, str] | None]:
        """The table's seats with their reasons and warnings, and its circle."""
        names = self.names_by_table.get(table.pk, {})
        here = set(names)
        newcomers, friends_of = self.newcomers, self.friends_of
        returning = [pk for pk in names if pk not in newcomers]
        circle = next(
            (
                (names[a], names[b])
                for i, a in enumerate(returning)
                for b in returning[i + 1 :]
                if b in friends_of[a]
            ),
            None,
        )
        views = []
        for pk, name in names.items():
            others = here - {pk}
            view = SeatView(
                pk=pk,
                name=name,
                newcomer=pk in newcomers,
                host=self.hosts.get(table.pk) == pk,
                friends=sorted(names[f] for f in friends_of[pk] & others),
                shared_topics=sorted(
                    self.topics[pk] & set().union(*(self.topics[o] for o in others))
                    if others
                    else set()
                ),
                together_with=sorted(names[f] for f in self.together[pk] & others),
            )
            view.reasons = _reasons(view, welcomed=circle is not None)
            if view.newcomer and circle is None:
                view.warnings.append("No circle of friends at this table")
            if not view.newcomer and not view.friends and friends_of[pk] & self.seated:
                view.warnings.append("No friend at this table, though some are in the room")
            repeats = sorted(names[f] for f in self.sat_before[pk] & others)
            if repeats:
                view.warnings.append("Already sat with " + ", ".join(repeats))
            views.append(view)
        views.sort(key=lambda v: (not v.host, v.newcomer, v.name, v.pk))
        return views, circle


class TableView:
    """A table of the plan and who sits there. Its seats' reasons and warnings are worked out
    when first asked for, so a page showing a few tables of a big plan pays for those only."""

    def __init__(self, *, table: DrinkTable, facts: _SeatingFacts):
        self.table = table
        self._facts = facts
        #: person id → display name of everyone at the table, by name
        self.names: dict[int, str] = facts.names_by_table.get(table.pk, {})

    @cached_property
    def _details(self) -> tuple[list[SeatView], tuple[str, str] | None]:
        return self._facts.table_details(self.table)

    @property
    def seats(self) -> list[SeatView]:
        return self._details[0]

    @property
    def circle(self) -> tuple[str, str] | None:
        """Two returning people at the table who know each other."""
        return self._details[1]

    @property
    def seated(self) -> int:
        return len(self.names)

    @property
    def newcomer_count(self) -> int:
        return sum(1 for pk in self.names if pk in self._facts.newcomers)

    @property
    def free(self) -> int:
        return max(0, self.table.capacity - self.seated)

    @property
    def small(self) -> bool:
        """Fewer than 3 people, but someone: a table the organizer should look at."""
        return 0 < self.seated < 3

    @property
    def warning_count(self) -> int:
        return sum(len(seat.warnings) for seat in self.seats) + (1 if self.small else 0)


@dataclass
class PlanView:
    round: MeetupRound
    plan: PlanRun | None  # which run this is: published, or under review
    run: MatchingRun | None
    latest_run: MatchingRun | None
    tables: list[TableView]
    unseated: list[Person]
    metrics: list[MetricView]
    is_published: bool
    pending_notices: int
    seated: int

    @property
    def occupied(self) -> int:
        return sum(1 for view in self.tables if view.seated)

    @property
    def all_targets_met(self) -> bool:
        return bool(self.metrics) and all(metric.ok for metric in self.metrics)


def plan_for(
    *, round: MeetupRound, run: MatchingRun | None = None, review: bool = False
) -> PlanView:
    """Every table of the plan with its people and why they are there, and the run's metrics.

    The plan is ``plan_run_for(round, review=review)``, or ``run`` when one is asked for.

    Reasons are for organizers: friends at the table, the circle that welcomes newcomers,
    shared topics, hosts, sit-together requests, and warnings (no circle, no friend, sat
    together before). Blocks are never shown. A fixed number of queries, however big the plan.
    """
    meetup_round = round
    # Every run of the round in one query: the latest (for its progress) and the plan.
    runs = list(MatchingRun.objects.filter(round=meetup_round).order_by("-created_at", "-pk"))
    last = runs[0] if runs else None
    if run is not None:
        chosen = plan_run_of(round=meetup_round, run=run)
    else:
        chosen = plan_run_among(meetup_round, runs, review=review)
    run = chosen.run if chosen is not None else None
    tables = round_tables(round=meetup_round)
    # Plain rows, not model instances: a big round has thousands of seats.
    seats = (
        list(
            Seat.objects.filter(run=run)
            .order_by("person__full_name", "person_id")
            .values_list("person_id", "table_id", "person__full_name", "person__deleted_at")
        )
        if run is not None
        else []
    )
    seated_ids = [person_id for person_id, _, _, _ in seats]
    seated = set(seated_ids)
    going = set(round_people(round=meetup_round).values_list("pk", flat=True))
    unseated = list(Person.objects.filter(pk__in=going - seated).order_by("full_name", "pk"))

    # Lists of ids, not subqueries (see services.build_problem for why).
    topics: dict[int, set[str]] = defaultdict(set)
    for person_id, name in Person.topics.through.objects.filter(
        person_id__in=seated_ids
    ).values_list("person_id", "topic__name"):
        topics[person_id].add(name)
    newcomers = newcomer_ids(conference=meetup_round.conference) if seats else set()
    friends_of: dict[int, set[int]] = defaultdict(set)
    if seats:
        # Who knew whom before this round (the pairs are enough here, not their weights).
        for a, b in (
            encounters_before_round(round=meetup_round, person_ids=seated_ids)
            .order_by()  # the model's ordering would defeat DISTINCT
            .values_list("person_a_id", "person_b_id")
            .distinct()
        ):
            friends_of[a].add(b)
            friends_of[b].add(a)
    together: dict[int, set[int]] = defaultdict(set)
    for a, b in mutual_sit_together_pairs(conference=meetup_round.conference, among=seated):
        together[a].add(b)
        together[b].add(a)
    sat_before: dict[int, set[int]] = defaultdict(set)
    for _round_id, members in earlier_tables(round=meetup_round):
        members = [pk for pk in members if pk in seated]
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                sat_before[a].add(b)
                sat_before[b].add(a)

    by_table: dict[int, dict[int, str]] = defaultdict(dict)
    for person_id, table_id, full_name, deleted_at in seats:
        by_table[table_id][person_id] = display_name_of(full_name=full_name, deleted_at=deleted_at)
    known = {table.pk for table in tables}
    extra = sorted(set(by_table) - known)
    if extra:  # a table deactivated since the run still shows, so nobody disappears
        tables += list(DrinkTable.objects.filter(pk__in=extra).order_by("label", "pk"))
    facts = _SeatingFacts(
        names_by_table=by_table,
        newcomers=newcomers,
        hosts={table.pk: table.host_id for table in tables},
        topics=topics,
        friends_of=friends_of,
        together=together,
        sat_before=sat_before,
        seated=seated,
    )
    table_views = [TableView(table=table, facts=facts) for table in tables]

    is_published = chosen is not None and chosen.published
    return PlanView(
        round=meetup_round,
        plan=chosen,
        run=run,
        latest_run=last,
        tables=table_views,
        unseated=unseated,
        metrics=metric_views(run.metrics if run is not None else {}),
        is_published=is_published,
        pending_notices=would_notify_count(
            round=meetup_round, run=run, seats={p: t for p, t, _, _ in seats}
        )
        if run is not None
        else 0,
        seated=len(seats),
    )


def _natural_key(label: str) -> tuple:
    """``A2`` before ``A10``: digits compare as numbers, the rest case-folded."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", label.casefold())
        if part
    )


def _folded(text: str) -> str:
    """``text`` case-folded, without accents: "José" is found by "jose"."""
    return "".join(
        char
        for char in unicodedata.normalize("NFKD", text.casefold())
        if not unicodedata.combining(char)
    )


@dataclass(frozen=True)
class PlanSearch:
    """The tables of a plan an organizer asked to see, and who matched."""

    tables: list[TableView]
    found_people: frozenset[int]  # people whose name matched the query, seated or not
    unseated: list[Person]  # people without a seat whose name matched (all of them without query)
    query: str
    warnings_only: bool

    @property
    def filtered(self) -> bool:
        return bool(self.query) or self.warnings_only


def plan_search(*, plan: PlanView, query: str = "", warnings_only: bool = False) -> PlanSearch:
    """The tables matching ``query`` (a part of a person's name or of a table's label, accents
    and case ignored) and, with ``warnings_only``, only tables with a warning."""
    needle = _folded(query.strip())
    found: set[int] = set()
    tables = []
    for view in plan.tables:
        if warnings_only and not view.warning_count:
            continue
        if needle:
            people = {pk for pk, name in view.names.items() if needle in _folded(name)}
            if not people and needle not in _folded(view.table.label):
                continue
            found |= people
        tables.append(view)
    unseated = plan.unseated
    if needle:
        unseated = [person for person in unseated if needle in _folded(person.display_name)]
        found |= {person.pk for person in unseated}
    return PlanSearch(
        tables=tables,
        found_people=frozenset(found),
        unseated=unseated,
        query=query.strip(),
        warnings_only=warnings_only,
    )


@dataclass(frozen=True)
class MoveTarget:
    table: DrinkTable
    seated: int
    free: int


def move_targets(*, plan: PlanView, query: str = "") -> list[MoveTarget]:
    """The plan's tables in alphabetical order of their labels (A2 before A10), for the move
    dialog; ``query`` keeps those whose label or location contains it."""
    needle = _folded(query.strip())
    targets = [
        MoveTarget(table=view.table, seated=view.seated, free=view.free)
        for view in plan.tables
        if not needle or needle in _folded(f"{view.table.label} {view.table.location}")
    ]
    targets.sort(key=lambda target: (_natural_key(target.table.label), target.table.pk))
    return targets


def _reasons(view: SeatView, *, welcomed: bool) -> list[str]:
    """Why the person sits here, in the organizer's words."""
    reasons = []
    if view.host:
        reasons.append("Hosts this table")
    if view.friends:
        reasons.append("Friends here: " + ", ".join(view.friends))
    if view.newcomer and welcomed:
        reasons.append("First time here, welcomed by a circle of friends")
    if view.shared_topics:
        reasons.append("Shares " + ", ".join(view.shared_topics))
    if view.together_with:
        reasons.append("Asked to sit with " + ", ".join(view.together_with))
    return reasons


def would_notify_count(
    *, round: MeetupRound, run: MatchingRun, seats: dict[int, int] | None = None
) -> int:
    """How many people publishing ``run`` would e-mail: a new table, a changed one, or none any
    more. ``seats`` (person → table of the run) saves reading them again."""
    told = dict(SeatNotification.objects.filter(round=round).values_list("person_id", "table_id"))
    if seats is None:
        seats = dict(Seat.objects.filter(run=run).values_list("person_id", "table_id"))
    return sum(
        1 for person_id in set(told) | set(seats) if seats.get(person_id) != told.get(person_id)
    )
