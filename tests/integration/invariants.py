"""What must hold after any fault, once the system has recovered (issue 8): no lost RSVPs, no
partial plans, no run left queued or running."""

from __future__ import annotations

from attendees.models import RoundRSVP
from conferences.models import MeetupRound
from matching import engine
from matching.enums import ACTIVE_RUN_STATUSES, RunStatus
from matching.models import MatchingRun, Seat
from matching.selectors import problem as problem_selectors
from matching.selectors import runs
from matching.services import seating
from matching.services.problem import build_problem


def rsvp_snapshot() -> list[tuple[int, int, str]]:
    """Every RSVP in the database: (person, round, status)."""
    return sorted(RoundRSVP.objects.values_list("person_id", "round_id", "status"))


def assert_recovered(meetup_round: MeetupRound, *, rsvps_before: list[tuple[int, int, str]]):
    """No run of the round is left active; its plan is one complete, valid plan from one
    succeeded run that seats exactly the people going; the RSVPs are those before the fault.
    Returns the run whose plan it is."""
    meetup_round.refresh_from_db()
    active = list(
        MatchingRun.objects.filter(round=meetup_round, status__in=ACTIVE_RUN_STATUSES).values_list(
            "pk", "status"
        )
    )
    assert active == [], f"runs left active: {active}"

    seat_statuses = set(
        Seat.objects.filter(run__round=meetup_round).values_list("run__status", flat=True)
    )
    assert seat_statuses <= {RunStatus.SUCCEEDED}, "seats stored for a run that did not succeed"

    run = runs.plan_run_for(round=meetup_round).run
    assert run is not None and run.status == RunStatus.SUCCEEDED
    seats = list(Seat.objects.filter(run=run).values_list("person_id", "table_id"))
    going = sorted(problem_selectors.round_people(round=meetup_round).values_list("pk", flat=True))
    assert sorted(person for person, _ in seats) == going, "the plan does not seat everyone once"

    problem = build_problem(round=meetup_round, seed=run.seed)
    metrics = engine.score(problem, seating.solution_from_seats(problem=problem, seats=dict(seats)))
    assert engine.hard_violations(metrics) == 0, metrics["violations"]
    assert metrics["unseated"] == 0
    assert (run.progress, run.error) == (100, "")

    assert rsvp_snapshot() == rsvps_before, "RSVPs changed"
    return run
