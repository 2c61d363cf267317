"""Incremental state of a multi-round seating, with O(table size) move evaluation.

Objective (lower is better), a weighted sum of the goals of docs/design.md §3:

- repeats: over all pairs, (times seated together, history included) - 1, where positive;
- welcome: seated newcomers at a table without two returning people tied to each other;
- anchor: eligible returning people (a friend is seated in the round) without a friend at
  their table;
- mix: per occupied table, small-table, oversize, newcomer-share and size terms;
- topics: seated newcomers with topics sharing none with a tablemate.

Pairs of a together group never count as repeats (they asked to sit together).
"""

from __future__ import annotations

from .instance import Instance
from .model import Options

_NO_TOPICS: frozenset[int] = frozenset()


class State:
    def __init__(self, inst: Instance, options: Options):
        self.inst = inst
        R, n, m = inst.R, inst.n, inst.m
        self.R, self.n, self.m = R, n, m
        w = options.weights
        self.w_rep = w.repeat
        self.w_wel = w.welcome
        self.w_anc = w.anchor
        self.w_small = w.small_table
        self.w_over = w.oversize
        self.w_spread = w.newcomer_spread
        self.w_size = w.table_size
        self.w_top = w.topic
        self.min_size = options.min_table_size
        self.pref = options.preferred_table_size or 0
        self.is_new = inst.is_new
        self.adj = inst.adj
        self.comp = inst.comp
        self.has_together = inst.has_together
        self.topics = inst.topics
        self.topic_sets = [frozenset(t) for t in inst.topics]
        self.newcomer_topics = [
            self.topic_sets[x] if inst.is_new[x] and inst.topics[x] else None for x in range(n)
        ]
        self.use_topics = self.w_top > 0 and any(
            inst.is_new[x] and inst.topics[x] for x in range(n)
        )
        self.tab = [[-1] * n for _ in range(R)]
        self.mem: list[list[list[int]]] = [[[] for _ in range(m)] for _ in range(R)]
        self.capr = [
            [inst.cap[t] if t in inst.t_avail[r] else 0 for t in range(m)] for r in range(R)
        ]
        self.nc = [[0] * m for _ in range(R)]
        self.circ = [[0] * m for _ in range(R)]
        self.fa = [[0] * n for _ in range(R)]
        self.elig = [[False] * n for _ in range(R)]
        self.tc: list[list[dict[int, int]]] = (
            [[{} for _ in range(m)] for _ in range(R)] if self.use_topics else []
        )
        self.phi = [0.0] * R
        self.nseated = [0] * R
        self.met: list[dict[int, int]] = [{} for _ in range(n)]
        for key, count in inst.history_count.items():
            a, b = divmod(key, n)
            self.met[a][b] = count
            self.met[b][a] = count
        # Defect notifications (round * n + person), filled by add/remove when recording.
        self.recording = False
        self.new_repeats: list[int] = []
        self.new_unanchored: list[int] = []
        self.new_unwelcome_tables: list[int] = []

    # ------------------------------------------------------------------ updates
    def add(self, r: int, t: int, p: int) -> None:
        memt = self.mem[r][t]
        met, adj_p, is_new, fa = self.met, self.adj[p], self.is_new, self.fa[r]
        met_p = met[p]
        comp = self.comp if self.has_together else None
        pret = not is_new[p]
        circle = 0
        recording = self.recording
        for x in memt:
            if comp is None or comp[x] != comp[p]:
                c = met_p.get(x, 0) + 1
                met_p[x] = c
                met[x][p] = c
                if c == 2 and recording:
                    self.new_repeats.append(r * self.n + p)
            if x in adj_p:
                fa[x] += 1
                fa[p] += 1
                if pret and not is_new[x]:
                    circle += 1
        memt.append(p)
        self.tab[r][p] = t
        if circle:
            self.circ[r][t] += circle
        if not pret:
            self.nc[r][t] += 1
            if recording and self.circ[r][t] == 0:
                self.new_unwelcome_tables.append(r * self.m + t)
        elif recording and fa[p] == 0 and self.elig[r][p]:
            self.new_unanchored.append(r * self.n + p)
        if self.use_topics:
            tc = self.tc[r][t]
            for y in self.topics[p]:
                tc[y] = tc.get(y, 0) + 1

    def remove(self, r: int, t: int, p: int) -> None:
        memt = self.mem[r][t]
        memt.remove(p)
        met, adj_p, is_new, fa = self.met, self.adj[p], self.is_new, self.fa[r]
        met_p = met[p]
        comp = self.comp if self.has_together else None
        pret = not is_new[p]
        circle = 0
        recording = self.recording
        elig = self.elig[r]
        for x in memt:
            if comp is None or comp[x] != comp[p]:
                c = met_p[x] - 1
                if c:
                    met_p[x] = c
                    met[x][p] = c
                else:
                    del met_p[x]
                    del met[x][p]
            if x in adj_p:
                fa[x] -= 1
                fa[p] -= 1
                if recording and fa[x] == 0 and elig[x]:
                    self.new_unanchored.append(r * self.n + x)
                if pret and not is_new[x]:
                    circle += 1
        self.tab[r][p] = -1
        if circle:
            c = self.circ[r][t] - circle
            self.circ[r][t] = c
            if recording and c == 0 and self.nc[r][t]:
                self.new_unwelcome_tables.append(r * self.m + t)
        if not pret:
            self.nc[r][t] -= 1
        if self.use_topics:
            tc = self.tc[r][t]
            for y in self.topics[p]:
                c = tc[y] - 1
                if c:
                    tc[y] = c
                else:
                    del tc[y]

    def move(self, r: int, A: int, P: list[int], B: int, Q: list[int]) -> None:
        """P (at A) and Q (at B) trade places; Q may be empty."""
        for p in P:
            self.remove(r, A, p)
        for q in Q:
            self.remove(r, B, q)
        for p in P:
            self.add(r, B, p)
        for q in Q:
            self.add(r, A, q)

    # ------------------------------------------------------------------ round statistics
    def finalize_round(self, r: int) -> None:
        """Eligibility and newcomer share once the round's seated set is fixed."""
        tab = self.tab[r]
        seated = [x for x in range(self.n) if tab[x] >= 0]
        self.nseated[r] = len(seated)
        newcomers = sum(1 for x in seated if self.is_new[x])
        self.phi[r] = newcomers / len(seated) if seated else 0.0
        elig = self.elig[r]
        for x in range(self.n):
            elig[x] = False
        for x in seated:
            if not self.is_new[x] and any(tab[f] >= 0 for f in self.adj[x]):
                elig[x] = True

    # ------------------------------------------------------------------ objective
    def table_cost(self, r: int, s: int, nc: int) -> float:
        if s == 0:
            return 0.0
        cost = self.w_size * s * s
        if s < self.min_size and self.nseated[r] >= 3:
            cost += self.w_small
        if self.pref and s > self.pref:
            cost += self.w_over * (s - self.pref)
        d = nc - s * self.phi[r]
        return cost + self.w_spread * d * d

    def topic_unmatched(self, r: int, t: int) -> int:
        tc = self.tc[r][t]
        count = 0
        for x in self.mem[r][t]:
            if self.is_new[x] and self.topics[x] and not any(tc[y] >= 2 for y in self.topics[x]):
                count += 1
        return count

    def components(self) -> dict[str, float]:
        """The objective's parts, recomputed from scratch."""
        rep = 0
        for a, row in enumerate(self.met):
            for b, c in row.items():
                if b > a and c > 1:
                    rep += c - 1
        unwel = unanc = topic = small = 0
        mix = 0.0
        for r in range(self.R):
            fa, elig = self.fa[r], self.elig[r]
            unanc += sum(1 for x in range(self.n) if elig[x] and fa[x] == 0)
            for t in range(self.m):
                s = len(self.mem[r][t])
                if not s:
                    continue
                if self.circ[r][t] == 0:
                    unwel += self.nc[r][t]
                mix += self.table_cost(r, s, self.nc[r][t])
                if s < self.min_size and self.nseated[r] >= 3:
                    small += 1
                if self.use_topics:
                    topic += self.topic_unmatched(r, t)
        return {
            "repeat": rep,
            "welcome": unwel,
            "anchor": unanc,
            "small": small,
            "mix": mix,
            "topic": topic,
        }

    def objective(self, parts: dict[str, float] | None = None) -> float:
        parts = parts or self.components()
        return (
            self.w_rep * parts["repeat"]
            + self.w_wel * parts["welcome"]
            + self.w_anc * parts["anchor"]
            + parts["mix"]
            + self.w_top * parts["topic"]
        )

    # ------------------------------------------------------------------ deltas
    def delta(self, r: int, A: int, p: int, B: int, q: int) -> float:
        """Objective change if p (at A) moves to B, trading places with q (at B) if q >= 0."""
        mem = self.mem[r]
        memA, memB = mem[A], mem[B]
        met_p = self.met[p]
        adj_p = self.adj[p]
        is_new = self.is_new
        fa = self.fa[r]
        elig = self.elig[r]
        newp = is_new[p]
        d_rep = 0
        d_anc = 0
        dcA = dcB = 0
        fp_new = fq_new = 0
        if q >= 0:
            met_q = self.met[q]
            adj_q = self.adj[q]
            newq = is_new[q]
            for x in memA:
                if x == p:
                    continue
                if met_p.get(x, 0) >= 2:
                    d_rep -= 1
                if met_q.get(x, 0) >= 1:
                    d_rep += 1
                xp = x in adj_p
                xq = x in adj_q
                if xq:
                    fq_new += 1
                if not is_new[x]:
                    if xp and not newp:
                        dcA -= 1
                    if xq and not newq:
                        dcA += 1
                if xp != xq and elig[x]:
                    f = fa[x]
                    if xp:
                        if f == 1:
                            d_anc += 1
                    elif f == 0:
                        d_anc -= 1
            for x in memB:
                if x == q:
                    continue
                if met_p.get(x, 0) >= 1:
                    d_rep += 1
                if met_q.get(x, 0) >= 2:
                    d_rep -= 1
                xp = x in adj_p
                xq = x in adj_q
                if xp:
                    fp_new += 1
                if not is_new[x]:
                    if xq and not newq:
                        dcB -= 1
                    if xp and not newp:
                        dcB += 1
                if xp != xq and elig[x]:
                    f = fa[x]
                    if xq:
                        if f == 1:
                            d_anc += 1
                    elif f == 0:
                        d_anc -= 1
            if elig[q]:
                d_anc += (fq_new == 0) - (fa[q] == 0)
        else:
            newq = False
            for x in memA:
                if x == p:
                    continue
                if met_p.get(x, 0) >= 2:
                    d_rep -= 1
                if x in adj_p:
                    if not newp and not is_new[x]:
                        dcA -= 1
                    if elig[x] and fa[x] == 1:
                        d_anc += 1
            for x in memB:
                if met_p.get(x, 0) >= 1:
                    d_rep += 1
                if x in adj_p:
                    fp_new += 1
                    if not newp and not is_new[x]:
                        dcB += 1
                    if elig[x] and fa[x] == 0:
                        d_anc -= 1
        if elig[p]:
            d_anc += (fp_new == 0) - (fa[p] == 0)
        total = self.w_rep * d_rep + self.w_anc * d_anc
        # Welcome.
        ncA = self.nc[r][A]
        ncB = self.nc[r][B]
        cA = self.circ[r][A]
        cB = self.circ[r][B]
        ncA2 = ncA - newp + newq
        ncB2 = ncB + newp - newq
        d_wel = 0
        if cA + dcA == 0:
            d_wel += ncA2
        if cA == 0:
            d_wel -= ncA
        if cB + dcB == 0:
            d_wel += ncB2
        if cB == 0:
            d_wel -= ncB
        if d_wel:
            total += self.w_wel * d_wel
        # Mix.
        if q < 0 or newp != newq:
            sA = len(memA)
            sB = len(memB)
            sA2 = sA if q >= 0 else sA - 1
            sB2 = sB if q >= 0 else sB + 1
            cost = self.table_cost
            total += cost(r, sA2, ncA2) + cost(r, sB2, ncB2) - cost(r, sA, ncA) - cost(r, sB, ncB)
        # Topics.
        if self.use_topics and (self.topics[p] or (q >= 0 and self.topics[q])):
            total += self.w_top * self._topic_delta(r, A, p, B, q)
        return total

    def _topic_delta(self, r: int, A: int, p: int, B: int, q: int) -> int:
        """Change in newcomers without a shared topic at tables A and B."""
        topic_sets = self.topic_sets
        newcomer_topics = self.newcomer_topics
        tp = topic_sets[p]
        tq = topic_sets[q] if q >= 0 else _NO_TOPICS
        changed = tp ^ tq  # topics whose count changes at both tables
        tcA = self.tc[r][A]
        tcB = self.tc[r][B]
        d = 0
        if changed:
            for tc, members, out_t, in_t, skip in (
                (tcA, self.mem[r][A], tp, tq, p),
                (tcB, self.mem[r][B], tq, tp, q),
            ):
                for x in members:
                    tx = newcomer_topics[x]
                    if tx is None or x == skip or tx.isdisjoint(changed):
                        continue
                    before = any(tc[y] >= 2 for y in tx)
                    after = any(tc[y] - (y in out_t) + (y in in_t) >= 2 for y in tx)
                    d += before - after
        if newcomer_topics[p] is not None:
            before = any(tcA[y] >= 2 for y in tp)
            after = any(tcB.get(y, 0) - (y in tq) >= 1 for y in tp)
            d += before - after
        if q >= 0 and newcomer_topics[q] is not None:
            before = any(tcB[y] >= 2 for y in tq)
            after = any(tcA.get(y, 0) - (y in tp) >= 1 for y in tq)
            d += before - after
        return d

    def delta_units(self, r: int, A: int, P: list[int], B: int, Q: list[int]) -> float:
        """Objective change of moving units (any size) by applying the move and undoing it."""
        if len(P) == 1 and len(Q) <= 1:
            return self.delta(r, A, P[0], B, Q[0] if Q else -1)
        total = 0.0
        recording = self.recording
        self.recording = False
        for p in P:
            total += self.delta(r, A, p, B, -1)
            self.remove(r, A, p)
            self.add(r, B, p)
        for q in Q:
            total += self.delta(r, B, q, A, -1)
            self.remove(r, B, q)
            self.add(r, A, q)
        for q in Q:
            self.remove(r, A, q)
            self.add(r, B, q)
        for p in P:
            self.remove(r, B, p)
            self.add(r, A, p)
        self.recording = recording
        return total
