"""Moving a person by hand: allowed moves store the seat and new metrics; a move that would
break a hard constraint is refused with the reason."""

import pytest

from attendees.enums import RSVPStatus
from attendees.models import RoundRSVP
from config.exceptions import Conflict, ServiceError
from matching import engine
from matching.models import Seat
from matching.services import lifecycle, seating
from matching.services.problem import build_problem
from tests.factories import BlockFactory, DrinkTableFactory, PersonFactory, SitTogetherFactory

pytestmark = pytest.mark.django_db


def table_of(run, person):
    return Seat.objects.get(run=run, person=person).table


def other_table(scenario, run, person, *, with_room=True):
    current = table_of(run, person)
    for table in scenario.tables:
        count = Seat.objects.filter(run=run, table=table).count()
        if table != current and (not with_room or count < table.capacity):
            return table
    raise AssertionError("no other table")


def test_a_move_stores_the_seat_and_returns_the_new_metrics(scenario, solve):
    run = solve(scenario.round)
    person = scenario.newcomers[0]
    target = other_table(scenario, run, person)

    metrics = seating.seat_move_in_run(run=run, person=person, table=target, by=scenario.organizer)

    run.refresh_from_db()
    assert table_of(run, person) == target
    assert run.edited is True
    assert run.metrics == metrics
    assert sum(metrics["violations"].values()) == 0
    assert Seat.objects.filter(run=run).count() == len(scenario.going)
    problem = build_problem(round=scenario.round)
    assert metrics["seated"] == len(problem.people)


def test_a_move_to_a_full_table_is_refused_and_names_the_table(scenario, solve):
    run = solve(scenario.round)
    person = scenario.newcomers[0]
    target = other_table(scenario, run, person)
    target.capacity = Seat.objects.filter(run=run, table=target).count()
    target.save()

    with pytest.raises(ServiceError) as refused:
        seating.seat_move_in_run(run=run, person=person, table=target, by=None)

    assert refused.value.message == f"Table {target.label} is full ({target.capacity} seats)."
    assert table_of(run, person) != target


def test_a_person_needing_an_accessible_table_stays_at_one(scenario, solve):
    person = scenario.newcomers[0]
    person.needs_accessible_seating = True
    person.save()
    run = solve(scenario.round)
    assert table_of(run, person).accessible
    target = other_table(scenario, run, person)

    with pytest.raises(ServiceError, match="needs an accessible table"):
        seating.seat_move_in_run(run=run, person=person, table=target, by=None)


def test_a_host_stays_at_their_table(scenario, solve):
    host = scenario.returning[0]
    table = scenario.tables[1]
    table.host = host
    table.save()
    run = solve(scenario.round)
    assert table_of(run, host) == table

    with pytest.raises(ServiceError, match="hosts a table and stays there"):
        seating.seat_move_in_run(run=run, person=host, table=scenario.tables[2], by=None)


def test_a_move_next_to_a_blocked_person_is_refused_without_saying_who(scenario, solve):
    run = solve(scenario.round)
    mover = scenario.newcomers[0]
    target = other_table(scenario, run, mover)
    blocker = Seat.objects.filter(run=run, table=target).first().person
    BlockFactory(blocker=blocker, blocked=mover)

    with pytest.raises(ServiceError) as refused:
        seating.seat_move_in_run(run=run, person=mover, table=target, by=None)

    assert "a private request" in refused.value.message
    assert blocker.full_name not in refused.value.message


def test_a_refused_move_never_tells_an_organizer_that_someone_blocked_them(scenario, solve):
    run = solve(scenario.round)
    me = scenario.returning[0]  # the organizer attends the round too
    me.user = scenario.organizer
    me.save(update_fields=["user"])
    my_table = table_of(run, me)
    target = other_table(scenario, run, me)
    blocker = Seat.objects.filter(run=run, table=target).first().person
    BlockFactory(blocker=blocker, blocked=me)

    with pytest.raises(ServiceError) as moving_me:
        seating.seat_move_in_run(run=run, person=me, table=target, by=scenario.organizer)
    with pytest.raises(ServiceError) as moving_them:
        seating.seat_move_in_run(run=run, person=blocker, table=my_table, by=scenario.organizer)
    with pytest.raises(ServiceError) as by_someone_else:
        seating.seat_move_in_run(run=run, person=me, table=target, by=None)

    assert moving_me.value.message == (
        f"{me.display_name} cannot sit at table {target.label} in this plan. Choose another table."
    )
    assert moving_them.value.message == (
        f"{blocker.display_name} cannot sit at table {my_table.label} in this plan. "
        "Choose another table."
    )
    assert "a private request" in by_someone_else.value.message
    assert (table_of(run, me), table_of(run, blocker)) == (my_table, target)


def test_an_organizer_is_told_of_a_block_they_made_themselves(scenario, solve):
    run = solve(scenario.round)
    me = scenario.returning[0]
    me.user = scenario.organizer
    me.save(update_fields=["user"])
    target = other_table(scenario, run, me)
    other = Seat.objects.filter(run=run, table=target).first().person
    BlockFactory(blocker=other, blocked=me)
    BlockFactory(blocker=me, blocked=other)

    with pytest.raises(ServiceError, match="a private request"):
        seating.seat_move_in_run(run=run, person=me, table=target, by=scenario.organizer)


def test_moving_one_of_a_sit_together_pair_is_refused(scenario, solve):
    a, b = scenario.returning[:2]
    SitTogetherFactory(conference=scenario.conference, requester=a, requested=b)
    SitTogetherFactory(conference=scenario.conference, requester=b, requested=a)
    run = solve(scenario.round)
    assert table_of(run, a) == table_of(run, b)

    with pytest.raises(ServiceError, match="move them together"):
        seating.seat_move_in_run(run=run, person=a, table=other_table(scenario, run, a), by=None)


def test_someone_who_rsvpd_after_the_run_can_be_seated_by_hand(scenario, solve):
    run = solve(scenario.round)
    late = PersonFactory(full_name="Late Comer")
    RoundRSVP.objects.create(person=late, round=scenario.round, status=RSVPStatus.GOING)
    target = next(
        t for t in scenario.tables if Seat.objects.filter(run=run, table=t).count() < t.capacity
    )

    metrics = seating.seat_move_in_run(run=run, person=late, table=target, by=None)

    assert table_of(run, late) == target
    assert metrics["unseated"] == 0


def test_only_people_going_and_tables_of_the_round_can_be_moved(scenario, solve):
    run = solve(scenario.round)
    not_going = scenario.returning[0]
    RoundRSVP.objects.filter(person=not_going).update(status=RSVPStatus.NOT_GOING)
    with pytest.raises(ServiceError, match="not going to this round") as refused:
        seating.seat_move_in_run(run=run, person=not_going, table=scenario.tables[0], by=None)
    assert refused.value.field == "person"

    elsewhere = DrinkTableFactory()
    with pytest.raises(ServiceError, match="one of this round's tables"):
        seating.seat_move_in_run(run=run, person=scenario.newcomers[0], table=elsewhere, by=None)

    person = scenario.newcomers[0]
    with pytest.raises(ServiceError, match="already sits at table"):
        seating.seat_move_in_run(run=run, person=person, table=table_of(run, person), by=None)


def test_a_published_plan_is_not_changed_in_place(
    scenario, solve, django_capture_on_commit_callbacks
):
    run = solve(scenario.round)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.round_publish(round_id=scenario.round.pk, by=None)
    person = scenario.newcomers[0]

    with pytest.raises(Conflict, match="Unpublish it before moving people"):
        seating.seat_move_in_run(
            run=run, person=person, table=other_table(scenario, run, person), by=None
        )


def test_the_metrics_after_a_move_are_the_engines_score_of_the_new_plan(scenario, solve):
    run = solve(scenario.round)
    person = scenario.returning[3]
    target = other_table(scenario, run, person)

    metrics = seating.seat_move_in_run(run=run, person=person, table=target, by=None)

    problem = build_problem(round=scenario.round)
    tables: dict[str, list[str]] = {t.id: [] for t in problem.tables}
    for person_id, table_id in Seat.objects.filter(run=run).values_list("person_id", "table_id"):
        tables[f"t{table_id}"].append(f"p{person_id}")
    plan = engine.RoundPlan(round=1, tables={k: tuple(v) for k, v in tables.items()})
    assert metrics == engine.score(problem, engine.Solution(rounds=(plan,)))
