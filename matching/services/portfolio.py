"""Portfolio runs: more solver seeds over the other workers; the best plan is kept."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from matching import engine
from matching.enums import RunStatus
from matching.models import MatchingRun, RunCandidate
from matching.services.problem import build_problem
from matching.services.progress import RunReporter

logger = logging.getLogger(__name__)

MAX_PORTFOLIO = 16
MAX_SEED = 2**31 - 1
# How long the claiming task waits, after its own seed, for portfolio seeds that have not
# started (no free worker), and beyond the time limit for seeds still finishing.
PORTFOLIO_START_GRACE_S = 2.0
PORTFOLIO_FINISH_GRACE_S = 15.0


def _portfolio_seeds(run: MatchingRun) -> list[int]:
    return [(run.seed + index) % (MAX_SEED + 1) for index in range(1, run.portfolio)]


def dispatch_portfolio(run: MatchingRun, attempt: int) -> None:
    from celery import group

    from matching import tasks

    group(
        tasks.solve_candidate.si(run_id=run.pk, attempt=attempt, seed=seed)
        for seed in _portfolio_seeds(run)
    ).apply_async()


def candidate_solve(*, run_id: int, attempt: int, seed: int) -> bool:
    """Solve one extra seed of a portfolio run and store its plan for the claiming task.

    Does nothing when the run is no longer running this attempt (finished, cancelled, retried)
    or when another delivery already took this seed. The seed gets the time the claiming task
    has left, so every plan is ready when it looks.
    """
    run = (
        MatchingRun.objects.select_related("round__conference")
        .filter(pk=run_id, status=RunStatus.RUNNING, attempts=attempt)
        .first()
    )
    if run is None:
        return False
    try:
        with transaction.atomic():
            candidate = RunCandidate.objects.create(
                run=run, attempt=attempt, seed=seed, started_at=timezone.now()
            )
    except IntegrityError:
        return False
    reporter = RunReporter(run_id, attempt)
    solution = None
    try:
        problem = build_problem(round=run.round, seed=seed, time_limit_s=run.time_limit_s)
        late_s = (timezone.now() - run.started_at).total_seconds()
        solution = engine.solve(
            problem,
            seed=seed,
            time_limit_s=max(1.0, run.time_limit_s - late_s),
            should_stop=reporter.should_stop,
        )
    except (engine.ProblemError, engine.InfeasibleError):
        pass  # the claiming task reports the engine's message itself
    finally:
        # Always mark the seed finished, so the claiming task does not wait for it in vain.
        RunCandidate.objects.filter(pk=candidate.pk).update(
            solution=engine.solution_to_dict(solution) if solution is not None else {},
            finished_at=timezone.now(),
        )
    if reporter.lost:
        RunCandidate.objects.filter(pk=candidate.pk).delete()
    return solution is not None


def best_of_portfolio(
    run: MatchingRun,
    attempt: int,
    problem: engine.Problem,
    own: engine.Solution,
    reporter: RunReporter,
) -> tuple[engine.Solution, int]:
    """Wait for the other seeds (bounded), then keep the best plan by ``engine.plan_rank``.

    Seeds that started get until the run's time limit (counted from the claim) plus
    ``PORTFOLIO_FINISH_GRACE_S``; seeds no worker picked up get ``PORTFOLIO_START_GRACE_S``.
    Every plan is scored again against this task's problem, so a plan solved from data that
    changed meanwhile cannot win with a broken constraint.
    """
    expected = run.portfolio - 1
    waited_from = timezone.now()
    deadline = max(waited_from, run.started_at + timedelta(seconds=run.time_limit_s)) + timedelta(
        seconds=PORTFOLIO_FINISH_GRACE_S
    )
    candidates = RunCandidate.objects.filter(run_id=run.pk, attempt=attempt)
    while not reporter.lost:
        started = candidates.count()
        done = candidates.filter(finished_at__isnull=False).count()
        now = timezone.now()
        if done >= expected or now >= deadline:
            break
        if done == started and (now - waited_from).total_seconds() >= PORTFOLIO_START_GRACE_S:
            break  # every seed that started is done; the others found no free worker
        reporter.beat()
        time.sleep(0.2)

    best, best_seed = own, run.seed
    best_rank = engine.plan_rank(own.metrics)
    for seed, data in candidates.filter(finished_at__isnull=False).values_list("seed", "solution"):
        if not data:
            continue
        try:
            solution = engine.solution_from_dict(data, problem)
        except engine.ProblemError:
            continue
        metrics = engine.score(problem, solution)
        rank = engine.plan_rank(metrics)
        if rank < best_rank:
            best = engine.Solution(
                rounds=solution.rounds, metrics=metrics, elapsed_s=solution.elapsed_s
            )
            best_rank, best_seed = rank, seed
    return best, best_seed
