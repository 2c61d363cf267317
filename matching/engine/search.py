"""Local search over all rounds at once: tabu search driven by the plan's defects.

Each iteration picks a defect in priority order (a repeated pair, an unwelcomed newcomer, an
unanchored returning person; otherwise a random person for the mix and topic goals), evaluates
the moves that involve it (move its unit to another table with room, trade places with a unit
at another table, or pull one of its friends over) with O(table size) incremental deltas, and
applies the best move that is not tabu (a move back to a table left recently), even when it is
worse, as in Dotú and Van Hentenryck's tabu search for the social golfer problem. The best plan
seen is kept; after a long stall the search restarts from it with a small random kick.

Every move keeps the hard constraints: units (together groups) move whole, pinned units never
move, accessibility and avoid pairs are checked, capacities respected, nobody is unseated.
The result depends only on the seed and the iteration budget; the clock is only a safety net.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable

from .instance import Instance
from .limits import Limits
from .scoring import anchor_bound
from .state import State

EPS = 1e-7
FULL_NEIGHBOURHOOD_TABLES = 10


class Search:
    """One tabu search over all rounds of a constructed ``State`` (improves it in place).

    Fields besides the state and the instance (``r`` a round from 0, ``u`` a unit of that
    round: a together group or one person, ``Instance.units[r][u]``):

    =========================  ==============================================================
    ``limits``                 when to stop (:class:`~.limits.Limits`)
    ``movable[r][u]``          u is not pinned, so it may move
    ``allowed_tables[r][u]``   tables u may use (accessible ones), or None: any table
    ``avoided[r][u]``          people someone of u must not sit with (blocks), or None
    ``movers[r]``              seated people of movable units: the possible focuses of a move
    ``mover_rounds``           rounds with at least one mover
    ``tabu``                   {``r * n + person``: (table left, iteration it stays tabu to)}
    ``repeat_queue``           ``r * n + person`` of people who may sit with someone met before
    ``welcome_queue``          ``r * n_tables + table`` of tables that may lack a circle
    ``anchor_queue``           ``r * n + person`` of people who may lack a friend at the table
    ``mix_queue``              ``r * n + person`` of people at a small or newcomer-heavy table,
                               or newcomers who may share no topic
    ``anchor_floor``           unanchored (person, round) slots no plan can avoid (the anchor
                               bound's complement): the search does not chase them
    ``topic_floor``            newcomers whose topics nobody else in their round has
    ``mix_can_improve``        a move could still change a mix term (someone is new, or a
                               table has a free seat)
    ``iterations``             moves tried so far; ``restarts``: restarts from the best plan
    =========================  ==============================================================

    The queues may hold stale entries: each is re-checked when popped.
    """

    def __init__(
        self,
        state: State,
        inst: Instance,
        rng: random.Random,
        *,
        limits: Limits,
        progress: Callable[[float], None] | None = None,
        progress_span: tuple[float, float] = (0.0, 1.0),
        should_stop: Callable[[], bool] | None = None,
        start_time: float | None = None,
    ):
        self.state = state
        self.inst = inst
        self.rng = rng
        self.limits = limits
        self.progress = progress
        self.progress_span = progress_span
        self.should_stop = should_stop
        self.start_time = start_time if start_time is not None else time.perf_counter()
        R, n = inst.R, inst.n
        self.n = n
        self.units = inst.units
        self.unit_of = inst.unit_of
        self.movable = [[inst.unit_pin(r, u) < 0 for u in inst.units[r]] for r in range(R)]
        self.allowed_tables: list[list[set[int] | None]] = []
        self.avoided: list[list[set[int] | None]] = []
        for r in range(R):
            allowed_tables_r: list[set[int] | None] = []
            avoided_r: list[set[int] | None] = []
            for unit in inst.units[r]:
                allowed_tables_r.append(
                    {t for t in inst.tables_in[r] if inst.t_acc[t]}
                    if inst.unit_needs_acc(unit)
                    else None
                )
                avoid = [inst.avoid[x] for x in unit if inst.avoid[x]]
                avoided_r.append(set().union(*avoid) if avoid else None)
            self.allowed_tables.append(allowed_tables_r)
            self.avoided.append(avoided_r)
        self.tables_in = inst.tables_in
        # People who can be the focus of a move: seated, in a movable unit.
        self.movers: list[list[int]] = []
        for r in range(R):
            tab = state.table_of[r]
            self.movers.append(
                [
                    x
                    for x in inst.attendees[r]
                    if tab[x] >= 0 and self.movable[r][inst.unit_of[r][x]]
                ]
            )
        self.mover_rounds = [r for r in range(R) if self.movers[r]]
        self.tabu: dict[int, tuple[int, int]] = {}
        self.repeat_queue: list[int] = []
        self.anchor_queue: list[int] = []
        self.welcome_queue: list[int] = []
        self.mix_queue: list[int] = []
        seated_sets = [{x for x in range(n) if state.table_of[r][x] >= 0} for r in range(R)]
        bound, _ = anchor_bound(inst, seated_sets)
        eligible = sum(sum(state.anchor_eligible[r]) for r in range(R))
        self.anchor_floor = eligible - bound
        # Newcomers whose topics nobody else in the round has can never share one.
        self.topic_floor = 0
        if state.use_topics:
            for r in range(R):
                holders: dict[int, int] = {}
                for x in seated_sets[r]:
                    for y in state.topic_sets[x]:
                        holders[y] = holders.get(y, 0) + 1
                for x in seated_sets[r]:
                    tx = state.newcomer_topics[x]
                    if tx is not None and all(holders[y] < 2 for y in tx):
                        self.topic_floor += 1
        self.mix_can_improve = any(inst.is_new) or any(
            len(state.members[r][t]) < state.capacity[r][t]
            for r in range(R)
            for t in inst.tables_in[r]
        )
        self.iterations = 0
        self.restarts = 0

    # ------------------------------------------------------------------ defects
    def is_repeat(self, r: int, p: int) -> bool:
        t = self.state.table_of[r][p]
        if t < 0:
            return False
        mp = self.state.times_met[p]
        return any(mp.get(x, 0) >= 2 for x in self.state.members[r][t] if x != p)

    def is_unanchored(self, r: int, p: int) -> bool:
        s = self.state
        return s.anchor_eligible[r][p] and s.friends_at_table[r][p] == 0 and s.table_of[r][p] >= 0

    def is_unwelcome(self, r: int, t: int) -> bool:
        s = self.state
        return s.circle_pairs[r][t] == 0 and s.newcomers_at[r][t] > 0

    def is_mix(self, r: int, p: int) -> bool:
        s = self.state
        t = s.table_of[r][p]
        if t < 0:
            return False
        size = len(s.members[r][t])
        if size < s.min_table_size and s.seated_count[r] >= 3:
            return True
        if s.is_new[p]:
            # more newcomers than the table's fair share (rounded up)
            if s.newcomers_at[r][t] > math.ceil(size * s.newcomer_share[r] - 1e-9):
                return True
            if s.use_topics and s.topics[p]:
                tc = s.topic_count[r][t]
                return not any(tc[y] >= 2 for y in s.topics[p])
        return False

    def rebuild_queues(self) -> tuple[int, int, int, int]:
        """Scan the plan for defects; returns (repeat, welcome, anchor, mix) counts."""
        s, n, m = self.state, self.n, self.inst.m
        self.repeat_queue, self.anchor_queue, self.welcome_queue, self.mix_queue = [], [], [], []
        for r in self.mover_rounds:
            for p in self.movers[r]:
                if self.is_repeat(r, p):
                    self.repeat_queue.append(r * n + p)
                if self.is_unanchored(r, p):
                    self.anchor_queue.append(r * n + p)
                if self.is_mix(r, p):
                    self.mix_queue.append(r * n + p)
            for t in self.tables_in[r]:
                if self.is_unwelcome(r, t):
                    self.welcome_queue.append(r * m + t)
        s.new_repeats.clear()
        s.new_unanchored.clear()
        s.new_unwelcome_tables.clear()
        return (
            len(self.repeat_queue),
            len(self.welcome_queue),
            len(self.anchor_queue),
            len(self.mix_queue),
        )

    def collect_new_defects(self) -> None:
        s = self.state
        if s.new_repeats:
            n = self.n
            for key in s.new_repeats:
                r, p = divmod(key, n)
                self.repeat_queue.append(key)
                t = s.table_of[r][p]
                if t >= 0:
                    mp = s.times_met[p]
                    for x in s.members[r][t]:
                        if x != p and mp.get(x, 0) >= 2:
                            self.repeat_queue.append(r * n + x)
            s.new_repeats.clear()
        if s.new_unanchored:
            self.anchor_queue.extend(s.new_unanchored)
            s.new_unanchored.clear()
        if s.new_unwelcome_tables:
            self.welcome_queue.extend(s.new_unwelcome_tables)
            s.new_unwelcome_tables.clear()

    def _pop(self, queue: list[int]) -> int:
        i = self.rng.randrange(len(queue))
        item = queue[i]
        queue[i] = queue[-1]
        queue.pop()
        return item

    def pick_focus(self) -> tuple[int, int, str] | None:
        """A (round, person, tier) to work on, defects first in priority order."""
        rng, n, m = self.rng, self.n, self.inst.m
        s = self.state
        if rng.random() >= 0.05:
            while self.repeat_queue:
                r, p = divmod(self._pop(self.repeat_queue), n)
                if self.is_repeat(r, p) and self.movable[r][self.unit_of[r][p]]:
                    return r, p, "repeat"
            while self.welcome_queue:
                r, t = divmod(self._pop(self.welcome_queue), m)
                if self.is_unwelcome(r, t):
                    members = [x for x in s.members[r][t] if self.movable[r][self.unit_of[r][x]]]
                    if members:
                        return r, rng.choice(members), "welcome"
            while self.anchor_queue:
                r, p = divmod(self._pop(self.anchor_queue), n)
                if self.is_unanchored(r, p) and self.movable[r][self.unit_of[r][p]]:
                    return r, p, "anchor"
            while self.mix_queue:
                r, p = divmod(self._pop(self.mix_queue), n)
                if self.is_mix(r, p) and self.movable[r][self.unit_of[r][p]]:
                    return r, p, "mix"
        if not self.mover_rounds:
            return None
        r = rng.choice(self.mover_rounds)
        return r, rng.choice(self.movers[r]), "random"

    # ------------------------------------------------------------------ moves
    def candidate_tables(self, r: int, p: int, A: int) -> list[int]:
        tables = self.tables_in[r]
        if len(tables) <= FULL_NEIGHBOURHOOD_TABLES:
            return [t for t in tables if t != A]
        rng = self.rng
        tab = self.state.table_of[r]
        found = {tab[f] for f in self.inst.friends[p]}
        found.discard(-1)
        found.discard(A)
        chosen = sorted(found)
        if len(chosen) > 12:
            chosen = rng.sample(chosen, 12)
        for _ in range(8):
            t = tables[rng.randrange(len(tables))]
            if t != A:
                chosen.append(t)
        return list(dict.fromkeys(chosen))

    def step(self, focus: tuple[int, int, str], best_total: float, cur: float) -> tuple | None:
        """The best admissible move for a focus: (delta, r, A, P, B, Q) or None."""
        r, p, tier = focus
        s = self.state
        rng = self.rng
        tab = s.table_of[r]
        mem = s.members[r]
        capr = s.capacity[r]
        unit_of = self.unit_of[r]
        units = self.units[r]
        movable = self.movable[r]
        allowed = self.allowed_tables[r]
        partners = self.avoided[r]
        tabu = self.tabu
        it = self.iterations
        n = self.n
        A = tab[p]
        u = unit_of[p]
        best = None
        best_d = float("inf")
        ties = 0
        aspiration = best_total - cur - EPS

        def is_tabu(P: list[int], B: int) -> bool:
            for x in P:
                entry = tabu.get(r * n + x)
                if entry is not None and entry[0] == B and entry[1] > it:
                    return True
            return False

        def consider(A: int, P: list[int], B: int, Q: list[int]) -> None:
            nonlocal best, best_d, ties
            d = s.delta_units(r, A, P, B, Q)
            if d > best_d + EPS:
                return
            if (is_tabu(P, B) or (Q and is_tabu(Q, A))) and d >= aspiration:
                return
            if d < best_d - EPS:
                best_d = d
                best = (d, r, A, P, B, Q)
                ties = 1
            else:
                ties += 1
                if rng.randrange(ties) == 0:
                    best = (d, r, A, P, B, Q)

        def avoids(partner_set: set[int] | None, members: list[int], skip: int) -> bool:
            if not partner_set:
                return False
            return any(x in partner_set and unit_of[x] != skip for x in members)

        def trades(A: int, u: int, B: int) -> None:
            """Moves of unit u from A to B: alone if B has room, or trading with a unit at B."""
            P = units[u]
            allowed_u = allowed[u]
            if allowed_u is not None and B not in allowed_u:
                return
            size_a, size_b = len(mem[A]), len(mem[B])
            pu = partners[u]
            if size_b + len(P) <= capr[B] and not avoids(pu, mem[B], -1):
                consider(A, P, B, [])
            seen = -1
            for x in mem[B]:
                v = unit_of[x]
                if v == seen or not movable[v]:
                    continue
                seen = v
                Q = units[v]
                if len(Q) > 1 and x != Q[0]:
                    continue
                if allowed[v] is not None and A not in allowed[v]:
                    continue
                if size_b - len(Q) + len(P) > capr[B] or size_a - len(P) + len(Q) > capr[A]:
                    continue
                if avoids(pu, mem[B], v) or avoids(partners[v], mem[A], u):
                    continue
                consider(A, P, B, Q)

        for B in self.candidate_tables(r, p, A):
            trades(A, u, B)

        if tier in ("anchor", "welcome"):
            # Pull a friend (of p, or of a returning tablemate) who has not met them yet.
            met = s.times_met
            hosts = [p] if tier == "anchor" else [x for x in mem[A] if not s.is_new[x]]
            pulled: list[int] = []
            for h in hosts:
                mh = met[h]
                for f in self.inst.friends[h]:
                    if tab[f] >= 0 and tab[f] != A and not mh.get(f, 0):
                        pulled.append(f)
            if len(pulled) > 12:
                pulled = rng.sample(pulled, 12)
            for v in dict.fromkeys(unit_of[f] for f in pulled):
                if movable[v]:
                    trades(tab[units[v][0]], v, A)
        return best

    # ------------------------------------------------------------------ circle strength
    def polish_strength(self, deadline: float | None = None, sweeps: int = 2) -> int:
        """Make circles stronger without touching any goal; returns the trades made.

        The tie-break below every goal (docs/design.md §3): after the search, returning people
        trade seats with returning people at a table where they have stronger friends, when the
        trade raises the circle strength (``State.strength_delta``) and leaves the objective no
        worse (``State.delta`` <= 0: no repeat, no lost welcome or anchor, no mix or topic
        cost; sizes and newcomer counts do not change). Deterministic: people in order, first
        improvement, at most ``sweeps`` passes, and ``deadline`` (default: the search's) is
        respected. Kept out of the objective because even a tiny weight there changes the
        search's path and cost anchors on sfhh.
        """
        s = self.state
        if deadline is None:
            deadline = self.limits.deadline
        is_new, strength = s.is_new, s.friend_strength
        trades = 0
        for _ in range(sweeps):
            before = trades
            for r in self.mover_rounds:
                units, unit_of = self.units[r], self.unit_of[r]
                movable, allowed, avoided = self.movable[r], self.allowed_tables[r], self.avoided[r]
                tab, mem = s.table_of[r], s.members[r]
                for p in self.movers[r]:
                    if is_new[p] or not strength[p] or len(units[unit_of[p]]) > 1:
                        continue
                    if time.perf_counter() >= deadline or (
                        self.should_stop is not None and self.should_stop()
                    ):
                        return trades
                    A = tab[p]
                    mine = strength[p]
                    at = {}  # table -> p's friends' strength there (returning friends)
                    for f, w in mine.items():
                        t = tab[f]
                        if t >= 0 and not is_new[f]:
                            at[t] = at.get(t, 0.0) + w
                    here = at.get(A, 0.0)
                    u = unit_of[p]
                    for B in sorted(t for t, w in at.items() if w > here + 1e-12):
                        if allowed[u] is not None and B not in allowed[u]:
                            continue
                        done = False
                        for q in list(mem[B]):
                            v = unit_of[q]
                            if is_new[q] or not movable[v] or len(units[v]) > 1:
                                continue
                            if allowed[v] is not None and A not in allowed[v]:
                                continue
                            if avoided[u] and any(x in avoided[u] for x in mem[B] if x != q):
                                continue
                            if avoided[v] and any(x in avoided[v] for x in mem[A] if x != p):
                                continue
                            if s.strength_delta(r, A, p, B, q) <= 1e-9:
                                continue
                            if s.delta(r, A, p, B, q) > EPS:
                                continue
                            s.move(r, A, [p], B, [q])
                            trades += 1
                            done = True
                            break
                        if done:
                            break
            if trades == before:
                break
        return trades

    # ------------------------------------------------------------------ main loop
    def snapshot(self) -> list[list[int]]:
        return [list(row) for row in self.state.table_of]

    def restore(self, snap: list[list[int]]) -> None:
        s = self.state
        s.recording = False
        for r in range(self.inst.R):
            tab = s.table_of[r]
            for x in range(self.n):
                if tab[x] >= 0 and tab[x] != snap[r][x]:
                    s.remove(r, tab[x], x)
            for x in range(self.n):
                if snap[r][x] >= 0 and tab[x] < 0:
                    s.add(r, snap[r][x], x)

    def kick(self, moves: int) -> None:
        """A few random trades that keep the hard constraints (diversification)."""
        s, rng = self.state, self.rng
        s.recording = False
        for _ in range(moves):
            if not self.mover_rounds:
                return
            r = rng.choice(self.mover_rounds)
            p = rng.choice(self.movers[r])
            A = s.table_of[r][p]
            u = self.unit_of[r][p]
            tables = self.tables_in[r]
            B = tables[rng.randrange(len(tables))]
            if B == A:
                continue
            members = [x for x in s.members[r][B] if self.movable[r][self.unit_of[r][x]]]
            if not members:
                continue
            q = rng.choice(members)
            v = self.unit_of[r][q]
            P, Q = self.units[r][u], self.units[r][v]
            if len(P) != 1 or len(Q) != 1:
                continue
            if self.allowed_tables[r][u] is not None and B not in self.allowed_tables[r][u]:
                continue
            if self.allowed_tables[r][v] is not None and A not in self.allowed_tables[r][v]:
                continue
            pu, pv = self.avoided[r][u], self.avoided[r][v]
            if pu and any(x in pu for x in s.members[r][B] if x != q):
                continue
            if pv and any(x in pv for x in s.members[r][A] if x != p):
                continue
            s.move(r, A, P, B, Q)

    def perfect(self, counts: tuple[int, int, int, int]) -> bool:
        """No defect left that a move could fix (the mix terms aside)."""
        rep, wel, anc, mix = counts
        return rep == 0 and wel == 0 and anc <= self.anchor_floor and mix <= self.topic_floor

    def run(self) -> None:
        s = self.state
        max_iterations = self.limits.max_iterations
        stall_iterations = self.limits.stall_iterations
        deadline = self.limits.deadline
        cur = s.objective()
        best_total = cur
        best_snap: list[list[int]] | None = None
        at_best = True
        last_best = 0
        last_restart = 0
        restart_after = max(300, stall_iterations // 6)
        stall_limit = stall_iterations
        counts = self.rebuild_queues()
        if self.perfect(counts) and not self.mix_can_improve:
            return
        if self.perfect(counts):
            stall_limit = min(stall_limit, max(500, stall_iterations // 20))
        lo, hi = self.progress_span
        last_report = 0.0
        next_check = 0
        tenure_hi = max(10, min(100, sum(len(m) for m in self.movers) // 4))
        while self.iterations < max_iterations:
            it = self.iterations
            if it >= next_check:
                now = time.perf_counter()
                if now >= deadline or (self.should_stop is not None and self.should_stop()):
                    break
                next_check = it + 16
                if self.progress is not None:
                    frac = max(
                        it / max_iterations,
                        (it - last_best) / stall_limit,
                        (now - self.start_time) / max(deadline - self.start_time, 1e-9),
                    )
                    frac = lo + (hi - lo) * min(1.0, frac)
                    if frac > last_report + 0.005:
                        last_report = frac
                        self.progress(frac)
            if it - last_best >= stall_limit:
                break
            if it - last_restart >= restart_after and it - last_best >= restart_after:
                # Intensify around the best plan, then diversify a little.
                if not at_best and best_snap is not None:
                    self.restore(best_snap)
                    cur = best_total
                    at_best = True
                self.tabu.clear()
                self.kick(max(2, sum(len(m) for m in self.movers) // 50))
                cur = s.objective()
                at_best = cur <= best_total + EPS
                counts = self.rebuild_queues()
                last_restart = it
                self.restarts += 1
            self.iterations += 1
            focus = self.pick_focus()
            if focus is None:
                break
            move = self.step(focus, best_total, cur)
            if move is None:
                continue
            d, r, A, P, B, Q = move
            if d > EPS and at_best:
                best_snap = self.snapshot()
                at_best = False
            s.recording = True
            s.move(r, A, P, B, Q)
            s.recording = False
            self.collect_new_defects()
            tenure = self.rng.randint(4, tenure_hi)
            for x in P:
                self.tabu[r * self.n + x] = (A, self.iterations + tenure)
            for x in Q:
                self.tabu[r * self.n + x] = (B, self.iterations + tenure)
            cur += d
            if cur < best_total - EPS:
                best_total = cur
                at_best = True
                last_best = self.iterations
                if not (
                    self.repeat_queue or self.welcome_queue or self.anchor_queue or self.mix_queue
                ):
                    counts = self.rebuild_queues()
                    if self.perfect(counts):
                        if not self.mix_can_improve:
                            break
                        stall_limit = min(stall_limit, max(500, stall_iterations // 20))
            if len(self.tabu) > 50_000:
                self.tabu = {k: e for k, e in self.tabu.items() if e[1] > self.iterations}
        if not at_best and best_snap is not None:
            self.restore(best_snap)
