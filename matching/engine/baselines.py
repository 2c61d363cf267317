"""Baselines for the soft goals: what seating looks like without the engine.

Both keep every hard constraint (they are baselines for the goals, not for correctness):
pinned people at their tables, together groups together, blocks apart, accessibility,
capacities, and everyone seated when a seat allows it.

- :func:`random_seating`: each unit (together group or person) at a random table with room.
- :func:`friends_first`: what happens when people seat themselves: each table is filled from
  one returning person outward through their ties (strongest first), one table after the
  other, and newcomers take the seats left. Every evening starts afresh, so friends meet
  again and again.
"""

from __future__ import annotations

import random
import time

from .construct import RoundBuilder
from .feasibility import check_feasible
from .fileformat import validate_problem
from .instance import Instance
from .model import Problem, RoundPlan, Solution
from .scoring import score_seating
from .state import State


def _solution(inst: Instance, state: State, start: float) -> Solution:
    seating = [{t: list(state.members[r][t]) for t in inst.tables_in[r]} for r in range(inst.R)]
    metrics = score_seating(inst, seating)
    plans = tuple(
        RoundPlan(
            round=r + 1,
            tables={
                inst.tid[t]: tuple(inst.pid[x] for x in sorted(state.members[r][t]))
                for t in inst.tables_in[r]
            },
            unseated=tuple(inst.pid[x] for x in inst.attendees[r] if state.table_of[r][x] < 0),
        )
        for r in range(inst.R)
    )
    return Solution(rounds=plans, metrics=metrics, elapsed_s=round(time.perf_counter() - start, 3))


def _prepare(problem: Problem) -> tuple[Instance, State]:
    problem = validate_problem(problem)
    inst = Instance(problem)
    check_feasible(problem, instance=inst)
    return inst, State(inst, problem.options)


def _place_pinned_and_accessible(b: RoundBuilder, order: list[int], rng: random.Random) -> None:
    inst, r = b.inst, b.r
    for u in order:
        t = inst.unit_pin(r, b.units[u])
        if t >= 0 and b.fits(u, t):
            b.place(u, t)
    accessible = [t for t in inst.tables_in[r] if inst.t_acc[t]]
    for u in order:
        if not b.placed[u] and inst.unit_needs_acc(b.units[u]):
            options = [t for t in accessible if b.fits(u, t)]
            if options:
                b.place(u, rng.choice(options))


def random_seating(problem: Problem, seed: int = 0) -> Solution:
    """Everyone at a random table (hard constraints kept)."""
    start = time.perf_counter()
    inst, state = _prepare(problem)
    rng = random.Random(seed)
    for r in range(inst.R):
        b = RoundBuilder(state, inst, r, rng)
        order = list(range(len(b.units)))
        rng.shuffle(order)
        _place_pinned_and_accessible(b, order, rng)
        tables = inst.tables_in[r]
        for u in order:
            if b.placed[u]:
                continue
            for _ in range(20 if tables else 0):
                t = tables[rng.randrange(len(tables))]
                if b.fits(u, t):
                    b.place(u, t)
                    break
            else:
                options = [t for t in tables if b.fits(u, t)]
                if options:
                    b.place(u, rng.choice(options))
                else:
                    b.make_room(u)
        state.finalize_round(r)
    return _solution(inst, state, start)


def friends_first(problem: Problem, seed: int = 0) -> Solution:
    """Tables filled from one person outward through their ties; newcomers in seats left."""
    start = time.perf_counter()
    inst, state = _prepare(problem)
    rng = random.Random(seed)
    for r in range(inst.R):
        b = RoundBuilder(state, inst, r, rng)
        units = b.units
        unit_of = inst.unit_of[r]
        order = list(range(len(units)))
        rng.shuffle(order)
        _place_pinned_and_accessible(b, order, rng)
        returning = [u for u in order if not all(inst.is_new[x] for x in units[u])]
        seeds = iter(returning)
        for t in inst.tables_in[r]:
            while len(b.members[t]) < b.capacity[t]:
                best, best_w = -1, 0.0
                for x in b.members[t]:
                    for f, w in inst.tie_weight[x].items():
                        v = unit_of.get(f)
                        if v is not None and not b.placed[v] and w > best_w and b.fits(v, t):
                            best, best_w = v, w
                if best < 0:
                    for v in seeds:
                        if not b.placed[v] and b.fits(v, t):
                            best = v
                            break
                if best < 0:
                    break
                b.place(best, t)
        for u in order:
            if b.placed[u]:
                continue
            for t in inst.tables_in[r]:
                if b.fits(u, t):
                    b.place(u, t)
                    break
            else:
                b.make_room(u)
        state.finalize_round(r)
    return _solution(inst, state, start)
