"""Matching runs against real PostgreSQL, Redis and a Celery worker process.

No mocks: the test process commits, enqueues to Redis after commit, and a separate worker
claims, solves and stores. E-mail goes to an SMTP sink (the only fake: it is outside the
system).
"""

import datetime as dt
import threading
from itertools import combinations

from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attendees.enums import EncounterKind
from attendees.models import Encounter
from conferences.enums import RoundStatus
from matching import tasks
from matching.enums import RunStatus
from matching.models import MatchingRun, RunCandidate, Seat, SeatNotification
from matching.services import lifecycle, runs
from tests.factories import OrganizerFactory, SitTogetherFactory
from tests.matching.scenario import build_realistic_round, build_round

from .invariants import assert_recovered, rsvp_snapshot
from .worker import wait_for


def finished(run: MatchingRun, worker, timeout_s: float = 60) -> MatchingRun:
    def done():
        run.refresh_from_db()
        return run if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING) else None

    return wait_for(
        done,
        timeout_s=timeout_s,
        message=lambda: f"run #{run.pk} is still {run.status}.\n{worker.log_tail()}",
    )


def seat_rows(run) -> list[tuple[int, int]]:
    return list(Seat.objects.filter(run=run).values_list("person_id", "table_id"))


def test_trigger_publish_and_mark_held_with_a_real_worker(celery_worker, smtp_sink):
    organizer = OrganizerFactory(username="olivia")
    scenario = build_round(
        organizer=organizer, label="live", starts_at=timezone.now() - dt.timedelta(hours=1)
    )

    run = runs.run_request(round_id=scenario.round.pk, by=organizer, time_limit_s=2, seed=5).run
    run = finished(run, celery_worker)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.attempts == 1
    seats = seat_rows(run)
    assert sorted(p for p, _ in seats) == sorted(p.pk for p in scenario.going)
    assert sum(run.metrics["violations"].values()) == 0
    scenario.round.refresh_from_db()
    assert scenario.round.status == RoundStatus.MATCHED

    lifecycle.round_publish(round_id=scenario.round.pk, by=organizer)
    wait_for(
        lambda: len(smtp_sink.messages) >= len(scenario.going),
        timeout_s=30,
        message=lambda: celery_worker.log_tail(),
    )
    received = sorted(recipients[0] for recipients, _ in smtp_sink.messages)
    assert received == sorted(p.email for p in scenario.going)
    _, message = smtp_sink.messages[0]
    attachments = [part.get_filename() for part in message.iter_attachments()]
    assert attachments == ["drink-table.ics"]
    assert SeatNotification.objects.filter(round=scenario.round).count() == len(scenario.going)

    created = lifecycle.round_mark_held(round_id=scenario.round.pk, by=organizer).encounters_created

    tables: dict[int, list[int]] = {}
    for person_id, table_id in seats:
        tables.setdefault(table_id, []).append(person_id)
    pairs = {tuple(sorted(p)) for members in tables.values() for p in combinations(members, 2)}
    encounters = Encounter.objects.filter(round=scenario.round, kind=EncounterKind.SEATED)
    assert created == len(pairs)
    assert set(encounters.values_list("person_a_id", "person_b_id")) == pairs
    assert (
        lifecycle.round_mark_held(round_id=scenario.round.pk, by=organizer).encounters_created == 0
    )


def test_the_same_run_delivered_twice_gives_one_plan(celery_worker):
    scenario = build_round(label="twice", returning=30, newcomers=10, tables=8)
    rsvps = rsvp_snapshot()

    run = runs.run_request(round_id=scenario.round.pk, by=None, time_limit_s=2, seed=5).run
    tasks.run_matching.apply_async(kwargs={"run_id": run.pk})  # a redelivery of the same run
    run = finished(run, celery_worker)
    wait_for(
        lambda: f"run {run.pk}: not-queued" in celery_worker.log(),
        timeout_s=20,
        message="the second delivery was not seen",
    )

    assert run.status == RunStatus.SUCCEEDED and run.attempts == 1
    seats = seat_rows(run)
    assert len(seats) == len({person for person, _ in seats}) == len(scenario.going)
    assert_recovered(scenario.round, rsvps_before=rsvps)


def test_two_concurrent_triggers_make_one_run(celery_worker):
    scenario = build_round(label="race", returning=30, newcomers=10, tables=8)
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def trigger():
        try:
            barrier.wait(timeout=10)
            run = runs.run_request(round_id=scenario.round.pk, by=None, time_limit_s=2, seed=5).run
            results.append(run.pk)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=trigger) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    assert MatchingRun.objects.filter(round=scenario.round).count() == 1
    run = finished(MatchingRun.objects.get(round=scenario.round), celery_worker)
    assert run.status == RunStatus.SUCCEEDED
    assert len(seat_rows(run)) == len(scenario.going)


def _big_round(label: str):
    # A run takes a second or more: time to kill its worker while it works.
    return build_realistic_round(people=400, label=label)


def test_a_pool_process_killed_mid_run_is_retried_by_the_worker(celery_worker):
    scenario = _big_round("oom")
    rsvps = rsvp_snapshot()
    run = runs.run_request(round_id=scenario.round.pk, by=None, time_limit_s=8, seed=5).run

    # Kill as soon as a pool process has claimed the run: it is building or solving the plan.
    wait_for(
        lambda: MatchingRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).exists(),
        timeout_s=60,
        interval_s=0.02,
        message=lambda: celery_worker.log_tail(),
    )
    assert celery_worker.kill_children()
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.attempts == 1

    partial = []

    def done():
        count = Seat.objects.filter(run=run).count()
        if count not in (0, len(scenario.going)):
            partial.append(count)
        run.refresh_from_db()
        return run.status not in (RunStatus.QUEUED, RunStatus.RUNNING)

    wait_for(done, timeout_s=90, message=lambda: celery_worker.log_tail())

    assert partial == []
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.attempts == 2
    seats = seat_rows(run)
    assert len(seats) == len({person for person, _ in seats}) == len(scenario.going)
    assert_recovered(scenario.round, rsvps_before=rsvps)


def test_a_worker_killed_outright_is_recovered_when_the_organizer_looks(celery_worker):
    organizer = OrganizerFactory(username="olivia")
    scenario = _big_round("crash")
    scenario.conference.organizers.add(organizer)
    rsvps = rsvp_snapshot()
    run = runs.run_request(round_id=scenario.round.pk, by=None, time_limit_s=8, seed=5).run
    wait_for(
        lambda: MatchingRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).exists(),
        timeout_s=60,
        interval_s=0.02,
        message=lambda: celery_worker.log_tail(),
    )

    celery_worker.kill()  # its message stays unacknowledged in Redis for the visibility timeout
    celery_worker.start()
    client = Client()
    client.force_login(organizer)
    status_url = reverse("organize:round_plan_status", args=[scenario.round.pk])

    def recovered():
        assert client.get(status_url).status_code == 200  # the poll sweeps abandoned runs
        count = Seat.objects.filter(run=run).count()
        assert count in (0, len(scenario.going)), "a half-written plan"
        run.refresh_from_db()
        return run.status not in (RunStatus.QUEUED, RunStatus.RUNNING)

    wait_for(recovered, timeout_s=90, interval_s=1.0, message=lambda: celery_worker.log_tail())

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.attempts == 2
    assert len(seat_rows(run)) == len(scenario.going)
    assert_recovered(scenario.round, rsvps_before=rsvps)


def test_an_infeasible_round_fails_with_the_engines_message(celery_worker):
    scenario = build_round(label="nofit", tables=4, capacity=3)
    a, b, c, d = scenario.returning[:4]
    for first, second in ((a, b), (b, c), (c, d)):
        SitTogetherFactory(conference=scenario.conference, requester=first, requested=second)
        SitTogetherFactory(conference=scenario.conference, requester=second, requested=first)

    run = finished(
        runs.run_request(round_id=scenario.round.pk, by=None, time_limit_s=2).run, celery_worker
    )

    assert run.status == RunStatus.FAILED
    assert run.error.startswith("The seating cannot be planned: together")
    assert a.full_name in run.error
    assert run.attempts == 1
    assert not Seat.objects.filter(run=run).exists()


def test_a_portfolio_spreads_its_seeds_over_the_workers(celery_worker):
    scenario = build_round(label="portfolio", returning=60, newcomers=20, tables=16)

    run = runs.run_request(
        round_id=scenario.round.pk, by=None, time_limit_s=3, seed=100, portfolio=2
    ).run
    run = finished(run, celery_worker)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.chosen_seed in (100, 101)
    assert "Task matching.solve_candidate[" in celery_worker.log()
    assert not RunCandidate.objects.filter(run=run).exists()
    assert len(seat_rows(run)) == len(scenario.going)
    assert connection.vendor == "postgresql"
