"""``Limits``: when a search stops, shared by the tabu search (search.py) and the golfer
search (golfer.py).

A search stops at whichever comes first: ``max_iterations`` moves, ``stall_iterations``
moves without a better plan, or the clock passing ``deadline``. The first two make the result
depend only on the problem and the seed; the deadline is a safety net (a search cut by it
may differ from run to run).
"""

from __future__ import annotations

from dataclasses import dataclass

from .instance import Instance
from .model import Options


@dataclass(frozen=True)
class Limits:
    """Budgets of one search.

    - ``deadline``: ``time.perf_counter()`` value at which the search stops (the time limit,
      less the time the solver keeps for its final checks).
    - ``max_iterations``: moves (tabu search) or trades (golfer search) at most.
    - ``stall_iterations``: stop after this many iterations without a better plan.
    """

    deadline: float
    max_iterations: int
    stall_iterations: int


def default_budgets(inst: Instance, *, golfer_mode: bool = False) -> tuple[int, int]:
    """(max_iterations, stall_iterations) from the problem size."""
    if golfer_mode:
        # Hard golfer instances keep improving late: let the time limit decide.
        return 5_000_000, 400_000
    seatings = sum(len(a) for a in inst.attendees)
    stall = max(1_500, 4 * seatings)
    return 100 * stall, stall


def search_limits(
    inst: Instance, options: Options, *, deadline: float, golfer_mode: bool = False
) -> Limits:
    """The limits of a search: ``options.max_iterations`` and ``options.stall_iterations``
    when set, otherwise budgets from the problem size."""
    max_iterations, stall_iterations = default_budgets(inst, golfer_mode=golfer_mode)
    if options.max_iterations is not None:
        max_iterations = options.max_iterations
    if options.stall_iterations is not None:
        stall_iterations = options.stall_iterations
    return Limits(
        deadline=deadline, max_iterations=max_iterations, stall_iterations=stall_iterations
    )
