"""Matching runs: request, cancel, execute (claimed by the Celery task), store, sweep.

The durable state of a run lives on ``MatchingRun``: the task claims a queued run with a
conditional UPDATE (and a row lock on PostgreSQL), beats a heartbeat while it works and ends it
``succeeded`` or ``failed``. ``runs_sweep_stale`` notices runs whose worker died and queues
them again, or fails them once ``MATCHING_MAX_ATTEMPTS`` deliveries have been used.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from conferences.models import MeetupRound
from conferences.scoping import round_for_organizer
from config import caches
from config.db import locked
from config.exceptions import Conflict, ServiceError
from config.queue import Dispatch, task_send_on_commit
from matching import engine
from matching.enums import ACTIVE_RUN_STATUSES, RunStatus
from matching.models import MatchingRun, RunCandidate, Seat
from matching.selectors.problem import pk_of_key
from matching.selectors.runs import run_for_organizer
from matching.services.lifecycle import can_match, match_refusal, round_note_matched
from matching.services.portfolio import (
    MAX_PORTFOLIO,
    MAX_SEED,
    best_of_portfolio,
    dispatch_portfolio,
)
from matching.services.problem import build_problem, humanize_engine_message
from matching.services.progress import RunReporter

logger = logging.getLogger(__name__)

# Share of the progress bar for building the problem and for storing the plan.
PROGRESS_SOLVE_START, PROGRESS_SOLVE_END = 5, 95


def _enqueue_run(run_id: int, *, countdown: float | None = None) -> Dispatch:
    """Send the run's task after the commit. If the task queue is down, the run stays queued in
    the database and ``runs_sweep_stale`` sends it again later."""
    from matching import tasks

    return task_send_on_commit(tasks.run_matching, kwargs={"run_id": run_id}, countdown=countdown)


@dataclass(frozen=True)
class RunRequested:
    """What asking for a run did: the run, whether it is new (else one already working), and
    whether its task could not be sent (it stays queued; the sweep sends it later)."""

    run: MatchingRun
    newly_requested: bool
    queue_unreachable: bool

    @property
    def warning(self) -> str | None:
        return queue_unreachable_run_message(run=self.run) if self.queue_unreachable else None


def run_request(
    *,
    round_id: int,
    by,
    seed: int | None = None,
    time_limit_s: float | None = None,
    portfolio: int = 1,
) -> RunRequested:
    """Queue a matching run for round ``round_id``; the task is enqueued once the transaction
    commits. ``by`` must organize the round's conference (``NotFound``); None is the system.

    One run per round works at a time: while a run is queued or running, asking again returns
    that run instead of starting another (``newly_requested`` tells which happened). A seed
    of None picks a random one, stored on the run so the plan can be reproduced.

    When the task queue cannot be reached the run is still saved, queued
    (``queue_unreachable``): the sweep sends it once the queue is back.
    """
    if by is not None:
        round_for_organizer(user=by, pk=round_id)
    if time_limit_s is None:
        time_limit_s = settings.MATCHING_DEFAULT_TIME_LIMIT_S
    if not 0 < time_limit_s <= settings.MATCHING_MAX_TIME_LIMIT_S:
        raise ServiceError(
            f"Choose a time limit between 1 and {settings.MATCHING_MAX_TIME_LIMIT_S:g} seconds.",
            field="time_limit_s",
        )
    if not 1 <= portfolio <= MAX_PORTFOLIO:
        raise ServiceError(f"Try between 1 and {MAX_PORTFOLIO} seeds at once.", field="portfolio")
    if seed is None:
        seed = random.SystemRandom().randrange(MAX_SEED)
    if not 0 <= seed <= MAX_SEED:
        raise ServiceError(f"The seed must be a whole number from 0 to {MAX_SEED}.", field="seed")

    runs_sweep_stale(round_id=round_id)
    with transaction.atomic():
        # The round's row lock lines up concurrent triggers on PostgreSQL; the partial unique
        # constraint one_active_run_per_round settles any race that slips past it.
        meetup_round = locked(MeetupRound.objects.filter(pk=round_id)).first()
        if meetup_round is None:
            raise ServiceError("This round no longer exists.")
        if not can_match(meetup_round):
            raise Conflict(match_refusal(meetup_round))
        active = MatchingRun.objects.filter(round=meetup_round, status__in=ACTIVE_RUN_STATUSES)
        run = active.first()
        newly_requested = False
        if run is None:
            try:
                with transaction.atomic():
                    run = MatchingRun.objects.create(
                        round=meetup_round,
                        requested_by=by if getattr(by, "pk", None) else None,
                        seed=seed,
                        time_limit_s=time_limit_s,
                        portfolio=portfolio,
                    )
                newly_requested = True
            except IntegrityError:
                run = active.get()
        # Asking again for a run that is still queued sends its task again: its message may
        # have been lost (the queue was down). The atomic claim makes a second delivery harmless.
        dispatch = _enqueue_run(run.pk) if run.status == RunStatus.QUEUED else None
    if newly_requested:
        logger.info(
            "run %s queued for round %s by user %s", run.pk, round_id, getattr(by, "pk", None)
        )
    return RunRequested(
        run=run,
        newly_requested=newly_requested,
        queue_unreachable=dispatch is not None and dispatch.failed,
    )


def queue_unreachable_run_message(*, run: MatchingRun) -> str:
    """What the organizer is told when their run is saved but its task could not be sent."""
    return (
        f"Run #{run.pk} is saved and queued, but the task queue (Redis) is not reachable, so "
        "the matching has not started yet. It starts by itself within a couple of minutes of "
        "the queue coming back; there is no need to ask again."
    )


def run_cancel(*, run_id: int, by) -> MatchingRun:
    """Stop a queued or running run; a working solver notices within a second or two.

    ``by`` must organize the run's conference (``NotFound``); None is the system. Returns the
    run as it is now.
    """
    if by is not None:
        run = run_for_organizer(user=by, pk=run_id)
    else:
        run = MatchingRun.objects.select_related("round").get(pk=run_id)
    now = timezone.now()
    updated = MatchingRun.objects.filter(pk=run.pk, status__in=ACTIVE_RUN_STATUSES).update(
        status=RunStatus.CANCELLED,
        finished_at=now,
        error=f"Cancelled by {_who(by)}.",
    )
    run.refresh_from_db()
    if not updated:
        raise Conflict(f"Run #{run.pk} has already {run.get_status_display().lower()}.")
    RunCandidate.objects.filter(run=run).delete()
    logger.info("run %s cancelled by user %s", run.pk, getattr(by, "pk", None))
    return run


def _who(user) -> str:
    if user is None or not getattr(user, "pk", None):
        return "the system"
    return user.get_full_name() or user.get_username()


# ---------------------------------------------------------------------------------------------
# Executing a run (called by the Celery task)


class RunOutcome:
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RETRYING = "retrying"
    NOT_QUEUED = "not-queued"  # gone, finished, or claimed by another delivery
    ABANDONED = "abandoned"  # cancelled or taken over while solving: nothing stored


def _claim(run_id: int) -> MatchingRun | None:
    """Move a queued run to running, once however often the task is delivered."""
    with transaction.atomic():
        run = locked(MatchingRun.objects.filter(pk=run_id)).first()
        if run is None or run.status != RunStatus.QUEUED:
            return None
        if run.attempts >= settings.MATCHING_MAX_ATTEMPTS:
            _fail(run, attempt=run.attempts, error=_attempts_used_message(run.attempts))
            return None
        now = timezone.now()
        claimed = MatchingRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            status=RunStatus.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            progress=0,
        )
        if not claimed:
            return None
    return MatchingRun.objects.select_related("round__conference").get(pk=run_id)


def _attempts_used_message(attempts: int) -> str:
    return (
        f"The matching was interrupted {attempts} time{'s' if attempts != 1 else ''} (a worker "
        "stopped or ran out of time) and was given up; no plan was stored. Check that the "
        "Celery workers are running, then run the matching again, with a shorter time limit "
        "for a very large round."
    )


def _fail(run: MatchingRun, *, attempt: int, error: str) -> bool:
    failed = MatchingRun.objects.filter(
        pk=run.pk, status__in=ACTIVE_RUN_STATUSES, attempts=attempt
    ).update(status=RunStatus.FAILED, error=error, finished_at=timezone.now())
    if failed:
        RunCandidate.objects.filter(run_id=run.pk).delete()
    return bool(failed)


def run_execute(*, run_id: int) -> str:
    """Claim, solve and store one run; returns a ``RunOutcome``. Safe to call twice."""
    runs_sweep_stale(run_ids=[run_id])
    run = _claim(run_id)
    if run is None:
        return RunOutcome.NOT_QUEUED
    attempt = run.attempts
    meetup_round = run.round
    if not can_match(meetup_round):
        _fail(run, attempt=attempt, error="The round was closed before the matching ran.")
        return RunOutcome.FAILED
    reporter = RunReporter(run.pk, attempt, low=PROGRESS_SOLVE_START, high=PROGRESS_SOLVE_END)
    logger.info("run %s: attempt %s started", run.pk, attempt)
    try:
        problem = build_problem(round=meetup_round, seed=run.seed, time_limit_s=run.time_limit_s)
        reporter.write(PROGRESS_SOLVE_START)
        engine.check_feasible(problem)
        if run.portfolio > 1:
            dispatch_portfolio(run, attempt)
        solution = engine.solve(
            problem,
            seed=run.seed,
            time_limit_s=run.time_limit_s,
            progress=reporter.progress,
            should_stop=reporter.should_stop,
        )
        if reporter.lost:
            return RunOutcome.ABANDONED
        best, chosen_seed = solution, run.seed
        if run.portfolio > 1:
            best, chosen_seed = best_of_portfolio(run, attempt, problem, solution, reporter)
            if reporter.lost:
                return RunOutcome.ABANDONED
        stored = store_solution(
            run_id=run.pk, attempt=attempt, solution=best, chosen_seed=chosen_seed
        )
    except (engine.ProblemError, engine.InfeasibleError) as exc:
        text = "\n".join(exc.errors) if isinstance(exc, engine.ProblemError) else exc.message
        logger.info("run %s: the engine refused the round (%s)", run.pk, type(exc).__name__)
        _fail(
            run,
            attempt=attempt,
            error="The seating cannot be planned: "
            + humanize_engine_message(message=text)
            + "\nChange the tables, pins or requests named above, then run the matching again.",
        )
        return RunOutcome.FAILED
    except Exception as exc:  # includes Celery's SoftTimeLimitExceeded
        return _retry_or_fail(run, attempt, exc)
    return RunOutcome.SUCCEEDED if stored else RunOutcome.ABANDONED


def _retry_or_fail(run: MatchingRun, attempt: int, exc: BaseException) -> str:
    """An unexpected error: queue the run again while attempts remain, else fail it."""
    logger.exception("run %s: attempt %s crashed", run.pk, attempt)
    if isinstance(exc, SoftTimeLimitExceeded):
        reason = "it ran past the task's time limit"
    else:
        reason = f"{type(exc).__name__}: {exc}"[:300]
    if attempt < settings.MATCHING_MAX_ATTEMPTS:
        with transaction.atomic():
            requeued = MatchingRun.objects.filter(
                pk=run.pk, status=RunStatus.RUNNING, attempts=attempt
            ).update(
                status=RunStatus.QUEUED, error=f"Attempt {attempt} failed ({reason}); retrying."
            )
            if requeued:
                _enqueue_run(run.pk, countdown=min(60, 5 * attempt))
        return RunOutcome.RETRYING if requeued else RunOutcome.ABANDONED
    _fail(
        run,
        attempt=attempt,
        error=(
            f"The matching failed {attempt} times ({reason}); no plan was stored. Export the "
            "round's problem file from the plan page and send it to support."
        ),
    )
    return RunOutcome.FAILED


def store_solution(
    *, run_id: int, attempt: int, solution: engine.Solution, chosen_seed: int
) -> bool:
    """Store a solved plan: every seat and the metrics in one transaction, the run
    ``succeeded`` and an open round ``matched``. Only the attempt holding the run writes:
    False (nothing written) when the run was cancelled or handed to another attempt."""
    with transaction.atomic():
        run = locked(
            MatchingRun.objects.filter(pk=run_id, status=RunStatus.RUNNING, attempts=attempt)
        ).first()
        if run is None:
            return False
        Seat.objects.filter(run_id=run_id).delete()
        Seat.objects.bulk_create(
            [
                Seat(run_id=run_id, person_id=pk_of_key(person), table_id=pk_of_key(table))
                for plan in solution.rounds
                for table, members in sorted(plan.tables.items())
                for person in members
            ],
            batch_size=1000,
        )
        now = timezone.now()
        MatchingRun.objects.filter(pk=run_id).update(
            status=RunStatus.SUCCEEDED,
            progress=100,
            metrics=solution.metrics,
            error="",
            finished_at=now,
            heartbeat_at=now,
            chosen_seed=chosen_seed,
            elapsed_s=solution.elapsed_s,
        )
        round_note_matched(round_id=run.round_id)
        RunCandidate.objects.filter(run_id=run_id).delete()
        caches.invalidate(caches.TABLES)  # bulk_create and update() send no signal
    return True


# Abandoned runs


def runs_sweep_stale(*, round_id: int | None = None, run_ids: Iterable[int] | None = None) -> int:
    """Queue again (or fail) running runs whose heartbeat went silent; nudge lost queued runs.

    A run is abandoned when its heartbeat is older than ``MATCHING_HEARTBEAT_STALE_S``: its
    worker died or was killed. It goes back to ``queued`` and is enqueued again while attempts
    remain, and fails with a readable error after ``MATCHING_MAX_ATTEMPTS``. A queued run that
    no worker has claimed for that long is enqueued again (its message may have been lost);
    the atomic claim makes the extra delivery harmless. Returns how many runs it touched.
    """
    stale_s = settings.MATCHING_HEARTBEAT_STALE_S
    cutoff = timezone.now() - timedelta(seconds=stale_s)
    candidates = MatchingRun.objects.filter(
        Q(status=RunStatus.RUNNING, heartbeat_at__lt=cutoff)
        | Q(status=RunStatus.RUNNING, heartbeat_at__isnull=True, started_at__lt=cutoff)
        | Q(status=RunStatus.QUEUED, created_at__lt=cutoff)
        & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=cutoff))
    )
    if round_id is not None:
        candidates = candidates.filter(round_id=round_id)
    if run_ids is not None:
        candidates = candidates.filter(pk__in=list(run_ids))
    touched = 0
    for run_id in candidates.values_list("pk", flat=True):
        touched += _sweep_one(run_id, cutoff)
    return touched


def _sweep_one(run_id: int, cutoff) -> int:
    with transaction.atomic():
        lock = (
            {"skip_locked": True} if connection.features.has_select_for_update_skip_locked else {}
        )
        run = locked(MatchingRun.objects.filter(pk=run_id), **lock).first()
        if run is None or run.status not in ACTIVE_RUN_STATUSES:
            return 0
        beat = run.heartbeat_at or (run.started_at if run.status == RunStatus.RUNNING else None)
        if beat is not None and beat >= cutoff:
            return 0
        now = timezone.now()
        if run.status == RunStatus.QUEUED:
            MatchingRun.objects.filter(pk=run_id).update(heartbeat_at=now)
            _enqueue_run(run_id)
            logger.warning("run %s: still queued, enqueued again", run_id)
            return 1
        if run.attempts >= settings.MATCHING_MAX_ATTEMPTS:
            _fail(run, attempt=run.attempts, error=_attempts_used_message(run.attempts))
            logger.warning("run %s: abandoned by its worker, attempts used up", run_id)
            return 1
        MatchingRun.objects.filter(pk=run_id).update(
            status=RunStatus.QUEUED,
            heartbeat_at=now,
            error=f"Attempt {run.attempts} stopped responding (its worker may have died); retrying.",
        )
        _enqueue_run(run_id)
        logger.warning("run %s: abandoned by its worker, queued again", run_id)
        return 1
