"""Build an engine problem from a round: who goes, which tables, ties, history, blocks, pins.

Ids in problems and solutions are ``p<pk>`` for people and ``t<pk>`` for tables
(``matching.selectors.problem.person_key``, ``table_key``), so a file exported here
(``problem_export``) can be solved with ``python -m matching`` and read back.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.conf import settings

from attendees.models import Block, Person
from attendees.selectors.people import newcomer_ids, person_for_user, tie_weights_before_round
from attendees.selectors.wishes import mutual_sit_together_pairs
from conferences.models import Conference, DrinkTable, MeetupRound
from matching import engine
from matching.selectors.problem import (
    earlier_tables,
    person_key,
    round_people,
    round_tables,
    table_key,
)

logger = logging.getLogger(__name__)


def _tie_weight(weight: float) -> float:
    """Four decimals are plenty for the solver and keep problem files small."""
    return round(weight, 4)


def build_problem(
    *,
    round: MeetupRound,
    seed: int = 0,
    time_limit_s: float | None = None,
    people: Iterable[int] | None = None,
    tables: Iterable[int] | None = None,
    ties: Mapping[tuple[int, int], float] | None = None,
    history: Iterable[Iterable[int]] | None = None,
) -> engine.Problem:
    """The round as an engine problem (one round, ids ``p<pk>`` and ``t<pk>``).

    People: going, not opted out, not deleted. Tables: ``round_tables``. Ties: the encounters
    before the round (``attendees.selectors.people.encounters_before_round``), weighed by
    ``attendees.ties``. History: who sat together at the conference's other
    published or held rounds. Avoid: blocks either way. Together: mutual sit-together requests
    (``attendees.selectors.mutual_sit_together_pairs``: a block wins over the wish).
    Pins: each table's host, at the first of their tables (by label) in this round.

    The round as it stood at another time (the insights score plans of held rounds) replaces
    some of these: ``people`` and ``tables`` (pks) who and where to seat, ``ties`` the tie
    weights by pair of pks, ``history`` the earlier tables as lists of pks.
    """
    conference = round.conference
    # Lists of ids rather than subqueries: PostgreSQL plans "IN (subquery)" on both sides of an
    # encounter badly before its statistics exist (seconds instead of a tenth, measured on a
    # fresh import of 2,000 people). SQLite takes up to 32,766 parameters: rounds of 16,000.
    if people is None:
        seated = round_people(round=round)
    else:
        seated = Person.objects.filter(pk__in=sorted(set(people)))
    needs_accessible: set[int] = set()
    present: set[int] = set()
    for pk, accessible in seated.values_list("pk", "needs_accessible_seating"):
        present.add(pk)
        if accessible:
            needs_accessible.add(pk)
    person_ids = sorted(present)
    if tables is None:
        round_drink_tables = round_tables(round=round)
    else:
        round_drink_tables = list(
            DrinkTable.objects.filter(pk__in=sorted(set(tables))).order_by("label", "pk")
        )

    topics: dict[int, list[str]] = defaultdict(list)
    for person_id, slug in (
        Person.topics.through.objects.filter(person_id__in=person_ids)
        .order_by("topic__slug")
        .values_list("person_id", "topic__slug")
    ):
        topics[person_id].append(slug)
    newcomers = newcomer_ids(conference=conference)

    engine_people = tuple(
        engine.Person(
            id=person_key(pk),
            newcomer=pk in newcomers,
            topics=tuple(topics.get(pk, ())),
            accessible=pk in needs_accessible,
        )
        for pk in person_ids
    )
    engine_tables = tuple(
        engine.Table(id=table_key(t.pk), capacity=t.capacity, accessible=t.accessible)
        for t in round_drink_tables
    )

    if ties is None:
        ties = tie_weights_before_round(round=round, person_ids=person_ids)
    if history is None:
        history = (members for _round_id, members in earlier_tables(round=round))

    return engine.Problem(
        rounds=1,
        people=engine_people,
        tables=engine_tables,
        ties=tuple(
            engine.Tie(a=person_key(a), b=person_key(b), weight=rounded)
            for (a, b), weight in sorted(ties.items())
            if a in present and b in present and (rounded := _tie_weight(weight)) > 0
        ),
        history=tuple(
            tuple(person_key(pk) for pk in kept)
            for members in history
            if len(kept := sorted({pk for pk in members if pk in present})) > 1
        ),
        avoid=_avoid_pairs(present=present),
        together=_together_pairs(conference=conference, present=present),
        pinned=_host_pins(tables=round_drink_tables, present=present),
        seed=seed,
        time_limit_s=time_limit_s,
        options=matcher_options(),
    )


def matcher_options() -> engine.Options:
    """The solver options of every round: the friend threshold of the settings
    (``MATCHING_FRIEND_THRESHOLD``, docs/design.md §3), the engine's defaults otherwise."""
    return engine.Options(friend_threshold=settings.MATCHING_FRIEND_THRESHOLD)


def _avoid_pairs(*, present: set[int]) -> tuple[tuple[str, str], ...]:
    pairs = {
        tuple(sorted((blocker, blocked)))
        for blocker, blocked in Block.objects.filter(blocker_id__in=present).values_list(
            "blocker_id", "blocked_id"
        )
        if blocked in present
    }
    return tuple((person_key(a), person_key(b)) for a, b in sorted(pairs))


def _together_pairs(*, conference: Conference, present: set[int]) -> tuple[tuple[str, str], ...]:
    pairs = mutual_sit_together_pairs(conference=conference, among=present)
    return tuple((person_key(a), person_key(b)) for a, b in sorted(pairs))


def _host_pins(*, tables: list[DrinkTable], present: set[int]) -> tuple[engine.Pin, ...]:
    pins: dict[int, engine.Pin] = {}
    for table in tables:  # ordered by label: a host of two tables sits at the first one
        if table.host_id in present and table.host_id not in pins:
            pins[table.host_id] = engine.Pin(
                person=person_key(table.host_id), table=table_key(table.pk)
            )
    return tuple(pins[pk] for pk in sorted(pins))


def problem_for_viewer(*, problem: engine.Problem, viewer) -> engine.Problem:
    """``problem`` without the avoid pairs in which ``viewer`` (a user) is the one blocked.

    A block is never revealed to the blocked person, and an organizer may attend the round
    too: what they download or are told must not show that someone blocked them. Pairs from
    their own blocks (also when the other person blocked them back) and everybody else's stay.
    Returns ``problem`` itself when there is nothing to hide.
    """
    person = person_for_user(user=viewer)
    if person is None or not problem.avoid:
        return problem
    own = Block.objects.filter(blocker=person).values("blocked_id")
    hidden = {
        frozenset((person_key(person.pk), person_key(blocker)))
        for blocker in Block.objects.filter(blocked=person)
        .exclude(blocker_id__in=own)
        .values_list("blocker_id", flat=True)
    }
    avoid = tuple(pair for pair in problem.avoid if frozenset(pair) not in hidden)
    if len(avoid) == len(problem.avoid):
        return problem
    return dataclasses.replace(problem, avoid=avoid)


def problem_export(*, round: MeetupRound, viewer) -> dict:
    """The round as a format-v1 problem file, for the command line, support or a bug report.

    ``viewer`` is the user who downloads it: the file leaves out the avoid pairs in which they
    are the one blocked (``problem_for_viewer``). None gives the whole file (support, tests).
    """
    problem = build_problem(round=round, time_limit_s=settings.MATCHING_DEFAULT_TIME_LIMIT_S)
    return engine.problem_to_dict(problem_for_viewer(problem=problem, viewer=viewer))


_KEY_IN_MESSAGE = re.compile(r'"([pt])(\d+)"')


def humanize_engine_message(*, message: str) -> str:
    """Replace ``"p12"``/``"t3"`` in an engine message with names an organizer recognises."""
    person_pks = {int(n) for kind, n in _KEY_IN_MESSAGE.findall(message) if kind == "p"}
    table_pks = {int(n) for kind, n in _KEY_IN_MESSAGE.findall(message) if kind == "t"}
    people = dict(Person.objects.filter(pk__in=person_pks).values_list("pk", "full_name"))
    tables = dict(DrinkTable.objects.filter(pk__in=table_pks).values_list("pk", "label"))

    def name(match: re.Match) -> str:
        kind, pk = match.group(1), int(match.group(2))
        found = people.get(pk) if kind == "p" else tables.get(pk)
        if found is None:
            return match.group(0)
        return found if kind == "p" else f"table {found}"

    return _KEY_IN_MESSAGE.sub(name, message)
