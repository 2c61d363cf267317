"""Tabu search for pure "meet new people" problems (the social golfer problem and kin).

When nobody is tied to anybody, nobody is new and there are no pins, together groups, blocks
or accessibility needs, the only goal that a trade of seats can change is the number of
repeated pairs. This module minimises it with the tabu search of Dotú and Van Hentenryck
("Scheduling social golfers locally", CPAIOR 2005): at every iteration, among all trades of
two people of the same round where at least one of them sits with someone they already met,
apply the best one that is not tabu (a pair traded recently in that round) unless it beats the
best plan so far; restart from the best plan with a small random perturbation when stuck.
The whole neighbourhood is evaluated at once with numpy.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import numpy as np

from .instance import Instance
from .limits import Limits
from .state import State


def applies(inst: Instance) -> bool:
    """Whether the problem is a pure repeat-minimisation problem."""
    return (
        inst.n <= 3000
        and not any(inst.friends)
        and not any(inst.is_new)
        and not inst.has_together
        and not any(inst.avoid)
        and not any(inst.needs_acc)
        and not any(inst.pins)
    )


class _Schedule:
    """Seats of every round as numpy arrays, with the counts a trade's delta needs.

    ``R`` rounds, ``n`` people, ``g`` tables; ``r`` a round, ``x``/``y`` people, ``t`` a table:

    ======================  ==================================================================
    ``table[r, x]``         x's table in round r, or -1 (absent)
    ``present[r, x]``       ``table[r, x] >= 0``
    ``table_or_0[r, x]``    ``table`` with absent people at table 0 (safe as an index)
    ``pair_count[x, y]``    times x and y sit together (history and every round)
    ``met_once[x, y]``      1 if ``pair_count[x, y] >= 1``
    ``met_twice[x, y]``     1 if ``pair_count[x, y] >= 2`` (a repeated pair)
    ``met_at[r, x, t]``     people at table t in round r whom x has met (``met_once``)
    ``own_repeats[r, x]``   people at x's own table in round r whom x has met twice
    ``members[r][t]``       people at table t in round r (lists)
    ``pair_count_list``,    Python copies of ``pair_count``, ``table``, ``met_twice``: a trade
    ``table_list``,         updates a handful of entries, faster on lists than in numpy
    ``met_twice_list``
    ======================  ==================================================================
    """

    def __init__(self, inst: Instance, tab: np.ndarray):
        self.inst = inst
        self.R, self.n, self.g = inst.R, inst.n, inst.m
        self.table = tab
        self.present = tab >= 0
        self.people = np.arange(self.n)
        self.rebuild()

    def rebuild(self) -> None:
        R, n, g = self.R, self.n, self.g
        tab, present = self.table, self.present
        self.table_or_0 = np.where(present, tab, 0)
        count = np.zeros((n, n), dtype=np.int32)
        for key, c in self.inst.history_count.items():
            a, b = divmod(key, n)
            count[a, b] += c
            count[b, a] += c
        onehot = np.zeros((R, n, g), dtype=np.int32)
        rr, xx = np.nonzero(present)
        onehot[rr, xx, tab[rr, xx]] = 1
        for r in range(R):
            count += onehot[r] @ onehot[r].T
        np.fill_diagonal(count, 0)
        self.pair_count = count
        self.met_once = (count >= 1).astype(np.int32)
        self.met_twice = (count >= 2).astype(np.int32)
        self.met_at = self.met_once @ onehot  # R x n x g
        own = (self.met_twice @ onehot)[
            np.arange(R)[:, None], self.people[None, :], self.table_or_0
        ]
        self.own_repeats = np.where(present, own, 0)
        self.members = [[np.flatnonzero(tab[r] == t).tolist() for t in range(g)] for r in range(R)]
        self.mirror()

    def repeats(self) -> int:
        return int(np.triu(np.maximum(self.pair_count - 1, 0), 1).sum())

    def mirror(self) -> None:
        """Python copies of the small structures a trade updates entry by entry (faster
        than numpy calls on a handful of entries)."""
        self.pair_count_list = self.pair_count.tolist()
        self.table_list = self.table.tolist()
        self.met_twice_list = self.met_twice.tolist()

    def swap(self, r: int, p: int, q: int) -> None:
        tab, tab_list, cnt = self.table, self.table_list, self.pair_count_list  # (see class)
        A, B = tab_list[r][p], tab_list[r][q]
        members = self.members[r]
        rest_a = [x for x in members[A] if x != p]
        rest_b = [x for x in members[B] if x != q]
        # Short local names: m1 = met_once, m2_list = met_twice_list, own = own_repeats.
        m1, m2_list, met_at, own = self.met_once, self.met_twice_list, self.met_at, self.own_repeats
        # Membership first (with the old m1), then the pair counts and their flips.
        met_at[r, :, A] += m1[:, q] - m1[:, p]
        met_at[r, :, B] += m1[:, p] - m1[:, q]
        members[A] = [*rest_a, q]
        members[B] = [*rest_b, p]
        tab_list[r][p], tab_list[r][q] = B, A
        tab[r, p], tab[r, q] = B, A
        self.table_or_0[r, p], self.table_or_0[r, q] = B, A
        R = self.R
        for a, others, step in ((p, rest_a, -1), (q, rest_b, -1), (p, rest_b, 1), (q, rest_a, 1)):
            row = cnt[a]
            for b in others:
                before = row[b]
                after = before + step
                row[b] = after
                cnt[b][a] = after
                if (before >= 1) != (after >= 1):
                    m1[a, b] += step
                    m1[b, a] += step
                    for w in range(R):
                        ta, tb = tab_list[w][a], tab_list[w][b]
                        if ta >= 0 and tb >= 0:
                            met_at[w, a, tb] += step
                            met_at[w, b, ta] += step
                if (before >= 2) != (after >= 2):
                    m2_list[a][b] += step
                    m2_list[b][a] += step
                    self.met_twice[a, b] += step
                    self.met_twice[b, a] += step
                    for w in range(R):
                        if w != r and tab_list[w][a] >= 0 and tab_list[w][a] == tab_list[w][b]:
                            own[w, a] += step
                            own[w, b] += step
        self.pair_count[p, :] = cnt[p]
        self.pair_count[q, :] = cnt[q]
        self.pair_count[:, p] = cnt[p]
        self.pair_count[:, q] = cnt[q]
        # Own-table repeats of everyone at the two tables of round r, from scratch.
        for table in (members[A], members[B]):
            for x in table:
                row = m2_list[x]
                own[r, x] = sum(row[y] for y in table)


def repeat_tabu(
    state: State,
    inst: Instance,
    rng: random.Random,
    *,
    limits: Limits,
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Improve ``state`` in place; returns the number of iterations run."""
    R, n = inst.R, inst.n
    max_iterations, stall_iterations = limits.max_iterations, limits.stall_iterations
    deadline = limits.deadline
    sched = _Schedule(inst, np.array(state.table_of, dtype=np.int64))
    present = [np.flatnonzero(sched.present[r]) for r in range(R)]
    cur = sched.repeats()
    best = cur
    best_tab = sched.table.copy()
    if cur == 0:
        return 0
    tabu = np.zeros((R, n, n), dtype=np.int64)
    big = 1 << 30
    someone_absent = not sched.present.all()
    it = 0
    last_best = 0
    last_restart = 0
    # Restart from the best schedule, kicked by n/4 random trades, after 5000 iterations
    # without progress (tuned on 8-4-8: bigger or smaller kicks did worse).
    restart_after = max(500, min(5_000, stall_iterations // 4))
    kick = max(2, n // 4)
    start = time.perf_counter()
    total_span = max(deadline - start, 1e-9)

    while it < max_iterations:
        if it % 16 == 0:
            now = time.perf_counter()
            if now >= deadline or (should_stop is not None and should_stop()):
                break
            if progress is not None:
                progress(min(1.0, max(it / max_iterations, (now - start) / total_span)))
        if it - last_best >= stall_iterations:
            break
        if it - last_restart >= restart_after and it - last_best >= restart_after:
            # Back to the best schedule, shaken by a few random trades.
            sched.table[:] = best_tab
            for _ in range(kick):
                r = rng.randrange(R)
                if len(present[r]) < 2:
                    continue
                p, q = rng.sample(list(present[r]), 2)
                if sched.table[r, p] != sched.table[r, q]:
                    sched.table[r, p], sched.table[r, q] = sched.table[r, q], sched.table[r, p]
            sched.rebuild()
            cur = sched.repeats()
            tabu[:] = 0
            last_restart = it
        it += 1
        own = sched.own_repeats
        rk, pk = np.nonzero(own > 0)
        if len(rk) == 0:
            break
        tab_safe = sched.table_or_0
        met_at = sched.met_at
        tp = tab_safe[rk, pk]
        tab_k = tab_safe[rk]  # K x people: each candidate partner's table
        d = (
            met_at[rk[:, None], pk[:, None], tab_k]
            - 2 * sched.met_once[pk]
            - own[rk, pk][:, None]
            + met_at[rk, :, tp]
            - own[rk]
        )
        invalid = tab_k == tp[:, None]
        if someone_absent:
            invalid |= ~sched.present[rk]
        taboo = tabu[rk, pk] > it
        d = np.where(invalid | (taboo & (cur + d >= best)), big, d)
        best_d = int(d.min())
        if best_d >= big:
            last_restart = -restart_after  # everything is tabu: perturb
            continue
        ks, qs = np.nonzero(d == best_d)
        pick = rng.randrange(len(ks))
        r, p, q = int(rk[ks[pick]]), int(pk[ks[pick]]), int(qs[pick])
        sched.swap(r, p, q)
        tenure = rng.randint(4, 100)
        tabu[r, p, q] = tabu[r, q, p] = it + tenure
        cur += best_d
        if cur < best:
            best = cur
            best_tab = sched.table.copy()
            last_best = it
            if best == 0:
                break

    # Write the best plan back into the state.
    state.recording = False
    for r in range(R):
        row = state.table_of[r]
        for x in present[r]:
            x = int(x)
            if row[x] != best_tab[r, x]:
                state.remove(r, row[x], x)
        for x in present[r]:
            x = int(x)
            if row[x] < 0:
                state.add(r, int(best_tab[r, x]), x)
    return it
