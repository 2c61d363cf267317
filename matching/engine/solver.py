"""``solve``: validate, check feasibility, build a start, improve it, verify, report."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

from . import golfer
from .construct import construct, fill_unseated
from .feasibility import check_feasible
from .fileformat import validate_problem
from .instance import Instance
from .limits import search_limits
from .model import DEFAULT_TIME_LIMIT_S, Problem, RoundPlan, Solution
from .scoring import hard_violations, score_seating
from .search import Search
from .state import State

log = logging.getLogger("matching.engine")


class EngineBug(RuntimeError):
    """The solver produced a plan that breaks a hard constraint (never expected)."""


def solve(
    problem: Problem,
    *,
    seed: int | None = None,
    time_limit_s: float | None = None,
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Solution:
    """Seat everyone for every round of ``problem``.

    ``seed`` and ``time_limit_s`` override the problem's (default time limit 10 s). The plan
    never breaks a hard constraint; the same problem and seed give the same plan unless the
    time limit cuts the search short. ``progress(fraction)`` is called now and then with a
    non-decreasing fraction in 0..1; ``should_stop()`` returning True ends the search early
    with the best plan so far. Raises ProblemError (invalid problem) or InfeasibleError.
    """
    start = time.perf_counter()
    problem = validate_problem(problem)
    seed = problem.seed if seed is None else seed
    if time_limit_s is None:
        time_limit_s = problem.time_limit_s or DEFAULT_TIME_LIMIT_S
    inst = Instance(problem)
    check_feasible(problem, instance=inst)
    rng = random.Random(seed)

    reported = [0.0]

    def report(fraction: float) -> None:
        if progress is not None and fraction > reported[0]:
            reported[0] = fraction
            progress(fraction)

    report(0.0)
    state = State(inst, problem.options)
    log.debug("prepared in %.2fs", time.perf_counter() - start)
    construct(state, inst, rng)
    log.debug("constructed in %.2fs: %s", time.perf_counter() - start, state.components())
    report(0.1)

    seatings = sum(1 for r in range(inst.R) for x in inst.attendees[r] if state.table_of[r][x] >= 0)
    # Keep time for the final checks and scoring (about 40 microseconds per seat here).
    finish_reserve = min(0.25 * time_limit_s, 0.05 + 6e-5 * seatings)
    deadline = start + 0.97 * time_limit_s - finish_reserve
    options = problem.options

    golfer_mode = golfer.applies(inst)
    if golfer_mode and not (should_stop is not None and should_stop()):
        golfer.repeat_tabu(
            state,
            inst,
            rng,
            limits=search_limits(inst, options, deadline=deadline, golfer_mode=True),
            progress=lambda f: report(0.1 + 0.8 * f),
            should_stop=should_stop,
        )
    # After the golfer search, the general search only helps if table sizes can change.
    mix_can_change = any(inst.is_new) or any(
        len(state.members[r][t]) < state.capacity[r][t]
        for r in range(inst.R)
        for t in inst.tables_in[r]
    )
    if not (should_stop is not None and should_stop()) and (not golfer_mode or mix_can_change):
        # Keep time for the circle-strength polish (about 0.1 ms per seat on sfhh), so that a
        # search cut by the clock still gets its polish.
        polish_reserve = min(0.1 * time_limit_s, 1.5e-4 * seatings) if any(inst.friends) else 0.0
        search = Search(
            state,
            inst,
            rng,
            limits=search_limits(inst, options, deadline=deadline - polish_reserve),
            progress=report,
            progress_span=(0.1, 0.98),
            should_stop=should_stop,
            start_time=start,
        )
        search.run()
        if any(inst.friends):
            search.polish_strength(deadline=deadline)
    log.debug("searched until %.2fs: %s", time.perf_counter() - start, state.components())
    if any(state.table_of[r][x] < 0 for r in range(inst.R) for x in inst.attendees[r]):
        fill_unseated(state, inst, rng)

    seating = [{t: list(state.members[r][t]) for t in inst.tables_in[r]} for r in range(inst.R)]
    metrics = score_seating(inst, seating)
    log.debug("scored at %.2fs", time.perf_counter() - start)
    if hard_violations(metrics):
        raise EngineBug(f"the solver broke a hard constraint: {metrics['violations']}")
    plans = []
    for r in range(inst.R):
        tab = state.table_of[r]
        tables = {
            inst.tid[t]: tuple(inst.pid[x] for x in sorted(state.members[r][t]))
            for t in inst.tables_in[r]
        }
        unseated = tuple(inst.pid[x] for x in inst.attendees[r] if tab[x] < 0)
        plans.append(RoundPlan(round=r + 1, tables=tables, unseated=unseated))
    report(1.0)
    return Solution(
        rounds=tuple(plans), metrics=metrics, elapsed_s=round(time.perf_counter() - start, 3)
    )
