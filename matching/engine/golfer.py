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
from .state import State


def applies(inst: Instance) -> bool:
    """Whether the problem is a pure repeat-minimisation problem."""
    return (
        inst.n <= 3000
        and not any(inst.adj)
        and not any(inst.is_new)
        and not inst.has_together
        and not any(inst.avoid)
        and not any(inst.needs_acc)
        and not any(inst.pins)
    )


def repeat_tabu(
    state: State,
    inst: Instance,
    rng: random.Random,
    *,
    max_iterations: int,
    stall_iterations: int,
    deadline: float,
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Improve ``state`` in place; returns the number of iterations run."""
    R, n = inst.R, inst.n
    tab = np.array(state.tab, dtype=np.int64)  # R x n, -1 when absent
    count = np.zeros((n, n), dtype=np.int32)
    for key, c in inst.history_count.items():
        a, b = divmod(key, n)
        count[a, b] += c
        count[b, a] += c
    for r in range(R):
        for t in inst.tables_in[r]:
            members = state.mem[r][t]
            if len(members) > 1:
                idx = np.array(members)
                count[np.ix_(idx, idx)] += 1
    np.fill_diagonal(count, 0)

    present = [np.flatnonzero(tab[r] >= 0) for r in range(R)]
    n_tables = inst.m
    present_mask = (tab >= 0).astype(np.int32)
    tab_safe = np.where(tab >= 0, tab, 0)
    rows_r = np.repeat(np.arange(R), n).reshape(R, n)
    rows_x = np.tile(np.arange(n), R).reshape(R, n)
    people_idx = np.arange(n)

    def repeats() -> int:
        return int(np.triu(np.maximum(count - 1, 0), 1).sum())

    cur = repeats()
    best = cur
    best_tab = tab.copy()
    if cur == 0:
        return 0
    tabu = np.zeros((R, n, n), dtype=np.int64)
    big = 1 << 30
    it = 0
    last_best = 0
    last_restart = 0
    restart_after = max(2_000, stall_iterations // 4)
    start = time.perf_counter()
    total_span = max(deadline - start, 1e-9)

    def apply_swap(r: int, p: int, q: int) -> None:
        A, B = tab[r, p], tab[r, q]
        rest_a = present[r][(tab[r, present[r]] == A)]
        rest_b = present[r][(tab[r, present[r]] == B)]
        rest_a = rest_a[rest_a != p]
        rest_b = rest_b[rest_b != q]
        count[p, rest_a] -= 1
        count[rest_a, p] -= 1
        count[q, rest_b] -= 1
        count[rest_b, q] -= 1
        count[p, rest_b] += 1
        count[rest_b, p] += 1
        count[q, rest_a] += 1
        count[rest_a, q] += 1
        tab[r, p], tab[r, q] = B, A
        tab_safe[r, p], tab_safe[r, q] = B, A

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
            tab[:] = best_tab
            tab_safe[:] = np.where(tab >= 0, tab, 0)
            count[:] = 0
            for key, c in inst.history_count.items():
                a, b = divmod(key, n)
                count[a, b] += c
                count[b, a] += c
            for r in range(R):
                onehot = np.zeros((n, n_tables), dtype=np.int32)
                onehot[present[r], tab[r, present[r]]] = 1
                count += onehot @ onehot.T
            np.fill_diagonal(count, 0)
            for _ in range(max(2, n // 8)):
                r = rng.randrange(R)
                if len(present[r]) < 2:
                    continue
                p, q = rng.sample(list(present[r]), 2)
                if tab[r, p] != tab[r, q]:
                    apply_swap(r, int(p), int(q))
            cur = repeats()
            tabu[:] = 0
            last_restart = it
        it += 1
        m1 = (count >= 1).astype(np.int32)
        m2 = (count >= 2).astype(np.int32)
        onehot = np.zeros((R, n, n_tables), dtype=np.int32)
        onehot[rows_r, rows_x, tab_safe] = present_mask
        in1 = m1 @ onehot  # R x people x tables: people already met at each table
        own = (m2 @ onehot)[rows_r, rows_x, tab_safe] * present_mask  # repeats at own table
        rk, pk = np.nonzero(own > 0)
        if len(rk) == 0:
            break
        tp = tab[rk, pk]
        tab_k = tab_safe[rk]  # K x people: each candidate partner's table
        d = (
            np.take_along_axis(in1[rk, pk], tab_k, axis=1)
            - 2 * m1[pk]
            - own[rk, pk][:, None]
            + in1[rk[:, None], people_idx[None, :], tp[:, None]]
            - own[rk]
        )
        invalid = (tab_k == tp[:, None]) | (present_mask[rk] == 0)
        taboo = tabu[rk, pk] > it
        d = np.where(invalid | (taboo & (cur + d >= best)), big, d)
        best_d = int(d.min())
        moves = []
        if best_d < big:
            ks, qs = np.nonzero(d == best_d)
            moves = [(int(rk[k]), int(pk[k]), int(q)) for k, q in zip(ks, qs, strict=True)]
        if not moves:
            if cur == 0:
                break
            last_restart = -restart_after  # force a perturbation
            continue
        r, p, q = moves[rng.randrange(len(moves))]
        apply_swap(r, p, q)
        tenure = rng.randint(4, 100)
        tabu[r, p, q] = tabu[r, q, p] = it + tenure
        cur += best_d
        if cur < best:
            best = cur
            best_tab = tab.copy()
            last_best = it
            if best == 0:
                break

    # Write the best plan back into the state.
    state.recording = False
    for r in range(R):
        row = state.tab[r]
        for x in present[r]:
            x = int(x)
            if row[x] != best_tab[r, x]:
                state.remove(r, row[x], x)
        for x in present[r]:
            x = int(x)
            if row[x] < 0:
                state.add(r, int(best_tab[r, x]), x)
    return it
