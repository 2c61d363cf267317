"""Moving a person by hand in a plan under review, checked by the engine's scorer."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from attendees.models import Person
from conferences.enums import RoundStatus
from conferences.models import DrinkTable
from conferences.scoping import round_for_organizer
from config.db import locked
from config.exceptions import Conflict, ServiceError
from config.queue import task_send
from matching import engine
from matching.enums import RunStatus
from matching.models import MatchingRun, Seat
from matching.selectors.problem import person_key, round_tables, table_key
from matching.selectors.runs import plan_run_for
from matching.services.problem import build_problem, problem_for_viewer

logger = logging.getLogger(__name__)


_VIOLATION_MESSAGES = {
    "one_table": "{name} would sit at two tables.",
    "attendance": "{name} is not going to this round.",
    "capacity": "Table {table} is full ({capacity} seats).",
    "avoid": (
        "{name} cannot sit at table {table}: someone there must not share a table with them "
        "(a private request). Choose another table."
    ),
    "together": (
        "{name} asked to sit with someone who would be left at another table; move them together."
    ),
    "pinned": "{name} hosts a table and stays there.",
    "accessible": "{name} needs an accessible table, and table {table} is not one.",
    "unseated_with_room": "Someone going would be left without a seat while there is room.",
}
# A refusal for a reason the organizer may not learn (someone blocked them).
_REFUSED_MESSAGE = "{name} cannot sit at table {table} in this plan. Choose another table."


@dataclass(frozen=True)
class SeatMoved:
    run_id: int
    person_name: str
    table_id: int
    table_label: str
    metrics: dict


NO_PLAN = "There is no plan yet: run the matching first."


def seat_move(
    *, by, round_id: int, person_id: int, table_id: int, run_id: int | None = None
) -> SeatMoved:
    """An organizer moves person ``person_id`` to table ``table_id`` in round ``round_id``'s
    current plan (or run ``run_id``'s).

    Everything is looked up in ``by``'s scope: a round that is not theirs is ``NotFound``; a
    person or table id that is nobody (or nothing) of the round's conference answers the same
    ``ServiceError`` as an id that does not exist, and names nobody.
    """
    meetup_round = round_for_organizer(user=by, pk=round_id)
    if run_id is not None:
        run = MatchingRun.objects.filter(round=meetup_round, pk=run_id).first()
        if run is None:
            raise ServiceError(f"This round has no run #{run_id}.", field="run")
    else:
        under_review = plan_run_for(round=meetup_round, review=True)
        if under_review is None:
            raise Conflict(NO_PLAN)
        run = under_review.run
    person = Person.objects.filter(
        pk=person_id, attendances__conference_id=meetup_round.conference_id
    ).first()
    if person is None:
        raise ServiceError(
            f"No person with id {person_id} is registered for this conference.", field="person"
        )
    table = DrinkTable.objects.filter(pk=table_id, conference_id=meetup_round.conference_id).first()
    if table is None:
        raise ServiceError(f"This conference has no table with id {table_id}.", field="table")
    try:
        metrics = seat_move_in_run(run=run, person=person, table=table, by=by)
    except ServiceError as error:
        message = f"{person.display_name} was not moved. {error.message}"
        raise type(error)(message, field=error.field) from None
    return SeatMoved(run.pk, person.display_name, table.pk, table.label, metrics)


def seat_move_in_run(*, run: MatchingRun, person: Person, table: DrinkTable, by) -> dict:
    """Move ``person`` to ``table`` in the run's plan (or seat them, if they had no seat).

    Refused with a ``ServiceError`` naming the hard constraint the move would break; the plan
    is scored by the engine against the round as it is now, and a move is refused only for a
    violation it adds. Returns the plan's new metrics.
    """
    with transaction.atomic():
        run = (
            locked(MatchingRun.objects.filter(pk=run.pk)).select_related("round__conference").get()
        )
        meetup_round = run.round
        if run.status != RunStatus.SUCCEEDED:
            raise Conflict("Only the plan of a finished run can be changed.")
        if meetup_round.status in (RoundStatus.HELD, RoundStatus.CANCELLED):
            raise Conflict(
                f"This round is {meetup_round.get_status_display().lower()}; "
                "its plan can no longer change."
            )
        if meetup_round.published_run_id == run.pk and meetup_round.status == RoundStatus.PUBLISHED:
            raise Conflict(
                "This plan is published. Unpublish it before moving people, then publish it "
                "again: only the people whose table changed are told."
            )
        if table.conference_id != meetup_round.conference_id or table.pk not in {
            t.pk for t in round_tables(round=meetup_round)
        }:
            raise ServiceError("Choose one of this round's tables.", field="table")

        problem = build_problem(round=meetup_round)
        key = person_key(person.pk)
        if key not in {p.id for p in problem.people}:
            raise ServiceError(
                f"{person.display_name} is not going to this round (or opted out of matching).",
                field="person",
            )
        seats = dict(Seat.objects.filter(run=run).values_list("person_id", "table_id"))
        if seats.get(person.pk) == table.pk:
            raise ServiceError(
                f"{person.display_name} already sits at table {table.label}.", field="table"
            )
        before = solution_from_seats(problem=problem, seats=seats)
        seats[person.pk] = table.pk
        moved = solution_from_seats(problem=problem, seats=seats)
        broken, after = _violations_added(problem, before, moved)
        if broken:
            # Say only what the organizer may know: a block against them is not named.
            visible = problem_for_viewer(problem=problem, viewer=by)
            if visible is not problem:
                broken, _ = _violations_added(visible, before, moved)
            raise ServiceError(
                " ".join(
                    _VIOLATION_MESSAGES[name].format(
                        name=person.display_name, table=table.label, capacity=table.capacity
                    )
                    for name in broken
                )
                or _REFUSED_MESSAGE.format(name=person.display_name, table=table.label),
                field="table",
            )
        Seat.objects.update_or_create(run=run, person=person, defaults={"table": table})
        MatchingRun.objects.filter(pk=run.pk).update(metrics=after, edited=True)
    logger.info("run %s: a seat was moved by user %s", run.pk, getattr(by, "pk", None))
    return after


def _violations_added(
    problem: engine.Problem, before: engine.Solution, after: engine.Solution
) -> tuple[list[str], dict]:
    """The hard constraints ``after`` breaks more often than ``before``, and its metrics."""
    old, new = engine.score(problem, before), engine.score(problem, after)
    added = [
        name
        for name in engine.HARD_CONSTRAINTS
        if new["violations"][name] > old["violations"][name]
    ]
    return added, new


def solution_from_seats(*, problem: engine.Problem, seats: Mapping[int, int]) -> engine.Solution:
    """Seats (person pk -> table pk) as a one-round solution of ``problem``; people or tables
    the problem does not know are left out, people of the problem without a seat are unseated."""
    tables: dict[str, list[str]] = {t.id: [] for t in problem.tables}
    attending = {p.id for p in problem.people}
    for person_id, table_id in sorted(seats.items()):
        key = person_key(person_id)
        if key in attending and table_key(table_id) in tables:
            tables[table_key(table_id)].append(key)
    seated = {key for members in tables.values() for key in members}
    plan = engine.RoundPlan(
        round=1,
        tables={table: tuple(members) for table, members in tables.items()},
        unseated=tuple(p.id for p in problem.people if p.id not in seated),
    )
    return engine.Solution(rounds=(plan,))


# Scoring a published plan again after live changes ---------------------------------------------

# Changes close together (a queue at the door) share one scoring, this long after the first.
PLAN_RESCORE_DELAY_S = 10


def _rescore_key(run_id: int) -> str:
    return f"matching:plan-rescore:{run_id}"


def plan_rescore_later(*, run_id: int) -> None:
    """Once the transaction commits, have the plan's figures scored again (``plan_rescore``):
    seats taken or freed after publishing (late RSVPs, walk-ins, "I can't come", a move for a
    block) change them. One scoring is asked for at a time; if the task queue is down, the
    next change asks again."""
    from matching import tasks

    def send() -> None:
        key = _rescore_key(run_id)
        if not cache.add(key, True, timeout=PLAN_RESCORE_DELAY_S * 30):
            return  # already asked for, and not yet begun
        if not task_send(
            tasks.rescore_plan, kwargs={"run_id": run_id}, countdown=PLAN_RESCORE_DELAY_S
        ):
            cache.delete(key)

    transaction.on_commit(send)


def plan_rescore(*, run_id: int) -> dict | None:
    """Score the run's seats as they are now against the round as it is now (who is going,
    tables, blocks) and keep the figures the plan page shows; None for a run without a plan."""
    cache.delete(_rescore_key(run_id))  # a change from now on asks for another scoring
    run = (
        MatchingRun.objects.filter(pk=run_id, status=RunStatus.SUCCEEDED)
        .select_related("round__conference")
        .first()
    )
    if run is None:
        return None
    problem = build_problem(round=run.round)
    seats = dict(Seat.objects.filter(run=run).values_list("person_id", "table_id"))
    metrics = engine.score(problem, solution_from_seats(problem=problem, seats=seats))
    MatchingRun.objects.filter(pk=run.pk).update(metrics=metrics)
    logger.info("run %s: figures scored again after live changes", run.pk)
    return metrics
