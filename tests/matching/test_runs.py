"""The run lifecycle on the embedded default (tasks run eagerly, in-process).

Queued → running → succeeded | failed | cancelled; one active run per round; duplicate
deliveries change nothing; abandoned runs are retried within the bounded attempts.
"""

import datetime as dt
import time

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from conferences.enums import RoundStatus
from config.exceptions import Conflict, ServiceError
from matching import engine, tasks
from matching.enums import RunStatus
from matching.models import MatchingRun, RunCandidate, Seat
from matching.services import portfolio, runs
from matching.services.problem import build_problem
from tests.factories import SitTogetherFactory

pytestmark = pytest.mark.django_db


def plan_of(run) -> dict[int, int]:
    return dict(Seat.objects.filter(run=run).values_list("person_id", "table_id"))


def test_a_run_seats_everyone_going_and_stores_the_engines_metrics(scenario, solve):
    run = solve(scenario.round, by=scenario.organizer)

    assert run.status == RunStatus.SUCCEEDED
    assert run.progress == 100 and run.attempts == 1 and run.error == ""
    assert run.requested_by == scenario.organizer
    assert sorted(plan_of(run)) == sorted(p.pk for p in scenario.going)
    assert run.metrics["seated"] == len(scenario.going)
    assert sum(run.metrics["violations"].values()) == 0
    assert run.chosen_seed == 7 and run.elapsed_s is not None
    assert scenario.round.status == RoundStatus.MATCHED
    # The stored metrics are what the engine computes for the stored plan.
    problem = build_problem(round=scenario.round)
    exported = engine.solution_from_dict(
        {"format": "drinktables.solution.v1", "rounds": [_round_of(run)]}, problem
    )
    recomputed = engine.score(problem, exported)
    assert {k: v for k, v in recomputed.items() if k != "rounds"} == {
        k: v for k, v in run.metrics.items() if k != "rounds"
    }


def _round_of(run) -> dict:
    tables: dict[str, list[str]] = {}
    for person_id, table_id in sorted(plan_of(run).items()):
        tables.setdefault(f"t{table_id}", []).append(f"p{person_id}")
    return {"round": 1, "tables": tables, "unseated": []}


def test_the_task_is_enqueued_only_when_the_transaction_commits(
    scenario, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = runs.run_request(round_id=scenario.round.pk, by=None, time_limit_s=1).run
        run.refresh_from_db()
        assert run.status == RunStatus.QUEUED
    assert len(callbacks) == 1
    callbacks[0]()
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED


def test_asking_again_while_a_run_is_active_returns_that_run(
    scenario, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = runs.run_request(round_id=scenario.round.pk, by=None, time_limit_s=1)
        second = runs.run_request(round_id=scenario.round.pk, by=None, time_limit_s=5)

    assert first.newly_requested is True
    assert second.newly_requested is False
    assert second.run.pk == first.run.pk
    assert MatchingRun.objects.filter(round=scenario.round).count() == 1
    assert len(callbacks) == 2  # a queued run's task is sent again: its message may be lost


def test_asking_again_while_a_run_is_running_sends_nothing_more(
    scenario, django_capture_on_commit_callbacks
):
    running = MatchingRun.objects.create(round=scenario.round, status=RunStatus.RUNNING)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = runs.run_request(round_id=scenario.round.pk, by=None)

    assert (again.run.pk, again.newly_requested, again.queue_unreachable) == (
        running.pk,
        False,
        False,
    )
    assert callbacks == []


def test_the_database_refuses_a_second_active_run_for_a_round(scenario):
    MatchingRun.objects.create(round=scenario.round, status=RunStatus.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        MatchingRun.objects.create(round=scenario.round, status=RunStatus.QUEUED)


def test_the_same_run_delivered_twice_makes_one_plan(scenario, solve):
    run = solve(scenario.round)
    seats_before = list(Seat.objects.filter(run=run).order_by("pk").values_list("pk", flat=True))

    outcome = tasks.run_matching.apply(kwargs={"run_id": run.pk}).get()

    run.refresh_from_db()
    assert outcome == runs.RunOutcome.NOT_QUEUED
    assert run.attempts == 1 and run.status == RunStatus.SUCCEEDED
    assert list(Seat.objects.filter(run=run).order_by("pk").values_list("pk", flat=True)) == (
        seats_before
    )


def test_a_task_for_a_deleted_run_does_nothing(db):
    assert tasks.run_matching.apply(kwargs={"run_id": 999_999}).get() == "not-queued"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"time_limit_s": 0}, "time_limit_s"),
        ({"time_limit_s": 10_000}, "time_limit_s"),
        ({"portfolio": 0}, "portfolio"),
        ({"portfolio": 99}, "portfolio"),
        ({"seed": -1}, "seed"),
    ],
)
def test_run_options_out_of_range_are_refused_with_the_field(scenario, options, field):
    with pytest.raises(ServiceError) as refused:
        runs.run_request(round_id=scenario.round.pk, by=None, **options)
    assert refused.value.field == field
    assert not MatchingRun.objects.exists()


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (RoundStatus.DRAFT, "draft"),
        (RoundStatus.HELD, "held"),
        (RoundStatus.CANCELLED, "cancelled"),
    ],
)
def test_a_round_that_cannot_be_matched_refuses_a_run(scenario, status, words):
    scenario.round.status = status
    if status == RoundStatus.HELD:
        scenario.round.published_run = MatchingRun.objects.create(
            round=scenario.round, status=RunStatus.SUCCEEDED
        )
    scenario.round.save()
    with pytest.raises(Conflict, match=words):
        runs.run_request(round_id=scenario.round.pk, by=None)


def test_a_random_seed_is_stored_so_the_plan_can_be_reproduced(scenario, solve):
    run = solve(scenario.round, seed=None)
    assert 0 <= run.seed < 2**31
    again = solve(scenario.round, seed=run.seed)
    assert plan_of(again) == plan_of(run)


def test_an_infeasible_round_fails_with_the_engines_message_in_names(scenario, solve):
    # Four people who all want to sit together, at tables of three.
    a, b, c, d = scenario.returning[:4]
    for first, second in ((a, b), (b, c), (c, d)):
        SitTogetherFactory(conference=scenario.conference, requester=first, requested=second)
        SitTogetherFactory(conference=scenario.conference, requester=second, requested=first)
    for table in scenario.tables:
        table.capacity = 3
        table.save()

    run = solve(scenario.round)

    assert run.status == RunStatus.FAILED
    assert run.error.startswith("The seating cannot be planned: together")
    assert a.full_name in run.error and f'"p{a.pk}"' not in run.error
    assert "run the matching again" in run.error
    assert not Seat.objects.filter(run=run).exists()
    assert scenario.round.status == RoundStatus.OPEN


def test_a_crash_is_retried_and_the_retry_succeeds(scenario, solve, monkeypatch):
    real_solve = engine.solve
    calls = []

    def crash_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("worker hiccup")
        return real_solve(*args, **kwargs)

    monkeypatch.setattr(engine, "solve", crash_once)
    run = solve(scenario.round)

    assert run.status == RunStatus.SUCCEEDED
    assert run.attempts == 2
    assert len(calls) == 2
    assert sorted(plan_of(run)) == sorted(p.pk for p in scenario.going)


def test_a_run_that_keeps_crashing_fails_after_the_bounded_attempts(
    scenario, solve, monkeypatch, settings
):
    settings.MATCHING_MAX_ATTEMPTS = 3

    def always_crash(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(engine, "solve", always_crash)
    run = solve(scenario.round)

    assert run.status == RunStatus.FAILED
    assert run.attempts == 3
    assert "failed 3 times" in run.error and "out of memory" in run.error
    assert not Seat.objects.filter(run=run).exists()


def _abandoned(meetup_round, *, attempts: int, silent_for_s: int) -> MatchingRun:
    moment = timezone.now() - dt.timedelta(seconds=silent_for_s)
    run = MatchingRun.objects.create(
        round=meetup_round, status=RunStatus.RUNNING, attempts=attempts, time_limit_s=1, seed=3
    )
    MatchingRun.objects.filter(pk=run.pk).update(started_at=moment, heartbeat_at=moment)
    return run


def test_a_run_whose_worker_went_silent_is_retried_and_succeeds(
    scenario, settings, django_capture_on_commit_callbacks
):
    settings.MATCHING_HEARTBEAT_STALE_S = 30
    run = _abandoned(scenario.round, attempts=1, silent_for_s=31)

    with django_capture_on_commit_callbacks(execute=True):
        assert runs.runs_sweep_stale() == 1

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert run.attempts == 2
    assert sorted(plan_of(run)) == sorted(p.pk for p in scenario.going)


def test_a_run_with_a_fresh_heartbeat_is_left_alone(scenario, settings):
    settings.MATCHING_HEARTBEAT_STALE_S = 30
    run = _abandoned(scenario.round, attempts=1, silent_for_s=5)

    assert runs.runs_sweep_stale() == 0
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING


def test_an_abandoned_run_out_of_attempts_fails_clearly(scenario, settings):
    settings.MATCHING_HEARTBEAT_STALE_S = 30
    settings.MATCHING_MAX_ATTEMPTS = 2
    run = _abandoned(scenario.round, attempts=2, silent_for_s=300)

    assert runs.runs_sweep_stale(round_id=scenario.round.pk) == 1

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "interrupted 2 times" in run.error
    assert "Check that the Celery workers are running" in run.error
    assert run.finished_at is not None


def test_a_queued_run_nobody_claimed_is_enqueued_again(
    scenario, settings, django_capture_on_commit_callbacks
):
    settings.MATCHING_HEARTBEAT_STALE_S = 30
    run = MatchingRun.objects.create(round=scenario.round, time_limit_s=1)
    MatchingRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=5)
    )

    with django_capture_on_commit_callbacks(execute=True):
        runs.runs_sweep_stale()

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.attempts == 1


def test_cancelling_a_queued_run_means_its_task_does_nothing(
    scenario, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = runs.run_request(round_id=scenario.round.pk, by=None, time_limit_s=1).run
    runs.run_cancel(run_id=run.pk, by=scenario.organizer)
    callbacks[0]()

    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert run.error == "Cancelled by olivia."
    assert not Seat.objects.filter(run=run).exists()
    with pytest.raises(Conflict, match="already cancelled"):
        runs.run_cancel(run_id=run.pk, by=None)


def test_a_run_cancelled_while_solving_stops_and_stores_nothing(
    scenario, solve, monkeypatch, settings
):
    settings.MATCHING_HEARTBEAT_STALE_S = 1  # cancellation is noticed within a quarter second
    real_solve = engine.solve
    noticed = []

    def cancelled_meanwhile(problem, *, should_stop, **kwargs):
        run = MatchingRun.objects.get(round=scenario.round)
        runs.run_cancel(run_id=run.pk, by=None)
        noticed.append(_wait_until(should_stop))
        return real_solve(problem, should_stop=should_stop, **kwargs)

    monkeypatch.setattr(engine, "solve", cancelled_meanwhile)
    run = solve(scenario.round)

    assert noticed == [True]
    assert run.status == RunStatus.CANCELLED
    assert not Seat.objects.filter(run=run).exists()
    assert scenario.round.status == RoundStatus.OPEN


def _wait_until(condition, timeout_s: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_progress_and_heartbeat_are_written_while_solving(scenario, solve, monkeypatch, settings):
    settings.MATCHING_HEARTBEAT_STALE_S = 1  # at most one write every quarter second
    real_solve = engine.solve
    seen = []

    def reporting(problem, *, progress, should_stop, **kwargs):
        run = MatchingRun.objects.filter(round=scenario.round)
        for fraction in (0.0, 0.5, 1.0):
            progress(fraction)
            time.sleep(0.3)
            should_stop()  # the engine asks often; the reporter writes when due
            seen.append(run.values_list("status", "progress", "heartbeat_at").get())
        return real_solve(problem, progress=progress, should_stop=should_stop, **kwargs)

    monkeypatch.setattr(engine, "solve", reporting)
    run = solve(scenario.round)

    assert [(status, progress) for status, progress, _ in seen] == [
        (RunStatus.RUNNING, 5),
        (RunStatus.RUNNING, 50),
        (RunStatus.RUNNING, 95),
    ]
    beats = [beat for _, _, beat in seen]
    assert beats == sorted(beats) and len(set(beats)) == 3
    assert run.progress == 100


def test_a_portfolio_keeps_the_best_plan_of_its_seeds(scenario, solve, monkeypatch):
    ranks = {}
    real_solve = engine.solve

    def recording(problem, *, seed, **kwargs):
        solution = real_solve(problem, seed=seed, **kwargs)
        ranks[seed] = engine.plan_rank(solution.metrics)
        return solution

    monkeypatch.setattr(engine, "solve", recording)
    run = solve(scenario.round, portfolio=3, seed=40)

    assert run.status == RunStatus.SUCCEEDED
    assert sorted(ranks) == [40, 41, 42]
    best = min(ranks.values())
    assert ranks[run.chosen_seed] == best
    assert engine.plan_rank(run.metrics) == best
    assert not RunCandidate.objects.exists()
    assert sorted(plan_of(run)) == sorted(p.pk for p in scenario.going)


def test_cancelling_a_portfolio_run_drops_its_seeds_plans(scenario):
    run = MatchingRun.objects.create(round=scenario.round, status=RunStatus.RUNNING, attempts=1)
    RunCandidate.objects.create(run=run, attempt=1, seed=5, solution={}, started_at=timezone.now())
    runs.run_cancel(run_id=run.pk, by=None)
    assert not RunCandidate.objects.exists()


def test_a_portfolio_seed_for_a_finished_run_does_nothing(scenario, solve):
    run = solve(scenario.round)
    assert portfolio.candidate_solve(run_id=run.pk, attempt=1, seed=99) is False
    assert not RunCandidate.objects.exists()
