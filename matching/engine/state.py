"""Incremental state of a multi-round seating, with O(table size) move evaluation.

Objective (lower is better), a weighted sum of the goals of docs/design.md §3:

- repeats: over all pairs, (times seated together, history included) - 1, where positive;
- welcome: seated newcomers at a table without two returning people tied to each other;
- anchor: eligible returning people (a friend is seated in the round) without a friend at
  their table;
- mix: per occupied table, small-table, oversize, newcomer-share and size terms;
- topics: seated newcomers with topics sharing none with a tablemate.

Below all of them, circle strength breaks ties: :meth:`State.strength_delta` (used by the
search's final polish, not by the objective, so that it never steers the search itself).

Pairs of a together group never count as repeats (they asked to sit together). "Friend" means
a tie at least as strong as ``Options.friend_threshold`` (``Instance.friends``).

Fields of :class:`State` (``r`` a round from 0, ``t`` a table, ``p`` a person, all indices
of the :class:`~.instance.Instance`); ``add``/``remove`` keep every counter exact:

============================  ==================================================================
``table_of[r][p]``            p's table in round r, or -1 (not seated)
``members[r][t]``             people at table t in round r (a list, in seating order)
``capacity[r][t]``            t's capacity in round r (0 when t is not available that round)
``newcomers_at[r][t]``        newcomers at t in round r
``circle_pairs[r][t]``        pairs of returning friends at t in round r; t holds a circle
                              (it welcomes its newcomers) when this is above 0
``friend_strength[p]``        {friend: w / (1 + w)} for p's friends (tie weight w): their
                              tie's strength, saturating below 1
``friends_at_table[r][p]``    p's friends at p's table in round r (p is anchored when > 0)
``anchor_eligible[r][p]``     p is returning, seated in round r and has a friend seated in r
                              (fixed per round by ``finalize_round``)
``topic_count[r][t]``         {topic: people at t with it}; only kept when ``use_topics``
``newcomer_share[r]``         newcomers / seated people in round r (fixed by ``finalize_round``)
``seated_count[r]``           people seated in round r (fixed by ``finalize_round``)
``times_met[p]``              {person: times seated together}, history and all rounds included
``topic_sets[p]``             p's topics as a frozenset
``newcomer_topics[p]``        ``topic_sets[p]`` for a newcomer with topics, else None
``use_topics``                the topic goal can matter (a newcomer has topics, weight > 0)
``weight_*``                  the objective's weights (``Options.weights``, see model.Weights)
``min_table_size``            ``Options.min_table_size``
``preferred_size``            ``Options.preferred_table_size`` (0: none)
``recording``                 while True, ``add``/``remove`` report new defects below
``new_repeats``               ``round * n_people + person`` of people who just met someone twice
``new_unanchored``            ``round * n_people + person`` of eligible people left without
                              a friend at the table
``new_unwelcome_tables``      ``round * n_tables + table`` of tables whose circle just broke,
                              or that just got a newcomer without having one
============================  ==================================================================

The hot loops (``add``, ``remove``, ``delta``) bind these to locals first (attribute lookups
cost): ``met_p = times_met[p]``, ``friends_p = friend_strength[p]``, ``friends_here =
friends_at_table[r]``, ``eligible = anchor_eligible[r]``, ``new_p = is_new[p]``; in ``delta``,
``A``/``B`` are the tables p leaves and joins, ``d_*`` the changes of each objective term.
"""

from __future__ import annotations

from .instance import Instance
from .model import Options

_NO_TOPICS: frozenset[int] = frozenset()


class State:
    """The seating of every round with the counters the objective needs (see the module)."""

    def __init__(self, inst: Instance, options: Options):
        self.inst = inst
        R, n, m = inst.R, inst.n, inst.m
        self.n_rounds, self.n_people, self.n_tables = R, n, m
        w = options.weights
        self.weight_repeat = w.repeat
        self.weight_welcome = w.welcome
        self.weight_anchor = w.anchor
        self.weight_small_table = w.small_table
        self.weight_oversize = w.oversize
        self.weight_spread = w.newcomer_spread
        self.weight_table_size = w.table_size
        self.weight_topic = w.topic
        self.min_table_size = options.min_table_size
        self.preferred_size = options.preferred_table_size or 0
        self.is_new = inst.is_new
        self.friend_strength = [
            {f: weight / (1.0 + weight) for f, weight in friends.items()}
            for friends in inst.friends
        ]
        self.comp = inst.comp
        self.has_together = inst.has_together
        self.topics = inst.topics
        self.topic_sets = [frozenset(t) for t in inst.topics]
        self.newcomer_topics = [
            self.topic_sets[x] if inst.is_new[x] and inst.topics[x] else None for x in range(n)
        ]
        self.use_topics = self.weight_topic > 0 and any(
            inst.is_new[x] and inst.topics[x] for x in range(n)
        )
        self.table_of = [[-1] * n for _ in range(R)]
        self.members: list[list[list[int]]] = [[[] for _ in range(m)] for _ in range(R)]
        self.capacity = [
            [inst.cap[t] if t in inst.t_avail[r] else 0 for t in range(m)] for r in range(R)
        ]
        self.newcomers_at = [[0] * m for _ in range(R)]
        self.circle_pairs = [[0] * m for _ in range(R)]
        self.friends_at_table = [[0] * n for _ in range(R)]
        self.anchor_eligible = [[False] * n for _ in range(R)]
        self.topic_count: list[list[dict[int, int]]] = (
            [[{} for _ in range(m)] for _ in range(R)] if self.use_topics else []
        )
        self.newcomer_share = [0.0] * R
        self.seated_count = [0] * R
        self.times_met: list[dict[int, int]] = [{} for _ in range(n)]
        for key, count in inst.history_count.items():
            a, b = divmod(key, n)
            self.times_met[a][b] = count
            self.times_met[b][a] = count
        self.recording = False
        self.new_repeats: list[int] = []
        self.new_unanchored: list[int] = []
        self.new_unwelcome_tables: list[int] = []

    # ------------------------------------------------------------------ updates
    def add(self, r: int, t: int, p: int) -> None:
        table_members = self.members[r][t]
        met, is_new = self.times_met, self.is_new
        friends_p, friends_here = self.friend_strength[p], self.friends_at_table[r]
        met_p = met[p]
        comp = self.comp if self.has_together else None
        returning_p = not is_new[p]
        circle = 0
        recording = self.recording
        for x in table_members:
            if comp is None or comp[x] != comp[p]:
                c = met_p.get(x, 0) + 1
                met_p[x] = c
                met[x][p] = c
                if c == 2 and recording:
                    self.new_repeats.append(r * self.n_people + p)
            if x in friends_p:
                friends_here[x] += 1
                friends_here[p] += 1
                if returning_p and not is_new[x]:
                    circle += 1
        table_members.append(p)
        self.table_of[r][p] = t
        if circle:
            self.circle_pairs[r][t] += circle
        if not returning_p:
            self.newcomers_at[r][t] += 1
            if recording and self.circle_pairs[r][t] == 0:
                self.new_unwelcome_tables.append(r * self.n_tables + t)
        elif recording and friends_here[p] == 0 and self.anchor_eligible[r][p]:
            self.new_unanchored.append(r * self.n_people + p)
        if self.use_topics:
            topics_here = self.topic_count[r][t]
            for y in self.topics[p]:
                topics_here[y] = topics_here.get(y, 0) + 1

    def remove(self, r: int, t: int, p: int) -> None:
        table_members = self.members[r][t]
        table_members.remove(p)
        met, is_new = self.times_met, self.is_new
        friends_p, friends_here = self.friend_strength[p], self.friends_at_table[r]
        met_p = met[p]
        comp = self.comp if self.has_together else None
        returning_p = not is_new[p]
        circle = 0
        recording = self.recording
        eligible = self.anchor_eligible[r]
        for x in table_members:
            if comp is None or comp[x] != comp[p]:
                c = met_p[x] - 1
                if c:
                    met_p[x] = c
                    met[x][p] = c
                else:
                    del met_p[x]
                    del met[x][p]
            if x in friends_p:
                friends_here[x] -= 1
                friends_here[p] -= 1
                if recording and friends_here[x] == 0 and eligible[x]:
                    self.new_unanchored.append(r * self.n_people + x)
                if returning_p and not is_new[x]:
                    circle += 1
        self.table_of[r][p] = -1
        if circle:
            c = self.circle_pairs[r][t] - circle
            self.circle_pairs[r][t] = c
            if recording and c == 0 and self.newcomers_at[r][t]:
                self.new_unwelcome_tables.append(r * self.n_tables + t)
        if not returning_p:
            self.newcomers_at[r][t] -= 1
        if self.use_topics:
            topics_here = self.topic_count[r][t]
            for y in self.topics[p]:
                c = topics_here[y] - 1
                if c:
                    topics_here[y] = c
                else:
                    del topics_here[y]

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
        tab = self.table_of[r]
        seated = [x for x in range(self.n_people) if tab[x] >= 0]
        self.seated_count[r] = len(seated)
        newcomers = sum(1 for x in seated if self.is_new[x])
        self.newcomer_share[r] = newcomers / len(seated) if seated else 0.0
        eligible = self.anchor_eligible[r]
        for x in range(self.n_people):
            eligible[x] = False
        for x in seated:
            if not self.is_new[x] and any(tab[f] >= 0 for f in self.friend_strength[x]):
                eligible[x] = True

    # ------------------------------------------------------------------ objective
    def table_cost(self, r: int, s: int, nc: int) -> float:
        if s == 0:
            return 0.0
        cost = self.weight_table_size * s * s
        if s < self.min_table_size and self.seated_count[r] >= 3:
            cost += self.weight_small_table
        if self.preferred_size and s > self.preferred_size:
            cost += self.weight_oversize * (s - self.preferred_size)
        d = nc - s * self.newcomer_share[r]
        return cost + self.weight_spread * d * d

    def topic_unmatched(self, r: int, t: int) -> int:
        topics_here = self.topic_count[r][t]
        count = 0
        for x in self.members[r][t]:
            if (
                self.is_new[x]
                and self.topics[x]
                and not any(topics_here[y] >= 2 for y in self.topics[x])
            ):
                count += 1
        return count

    def components(self) -> dict[str, float]:
        """The objective's parts, recomputed from scratch."""
        repeats = 0
        for a, row in enumerate(self.times_met):
            for b, c in row.items():
                if b > a and c > 1:
                    repeats += c - 1
        unwelcomed = unanchored = topic = small = 0
        mix = 0.0
        for r in range(self.n_rounds):
            friends_here, eligible = self.friends_at_table[r], self.anchor_eligible[r]
            unanchored += sum(
                1 for x in range(self.n_people) if eligible[x] and friends_here[x] == 0
            )
            for t in range(self.n_tables):
                s = len(self.members[r][t])
                if not s:
                    continue
                if self.circle_pairs[r][t] == 0:
                    unwelcomed += self.newcomers_at[r][t]
                mix += self.table_cost(r, s, self.newcomers_at[r][t])
                if s < self.min_table_size and self.seated_count[r] >= 3:
                    small += 1
                if self.use_topics:
                    topic += self.topic_unmatched(r, t)
        return {
            "repeat": repeats,
            "welcome": unwelcomed,
            "anchor": unanchored,
            "small": small,
            "mix": mix,
            "topic": topic,
        }

    def objective(self, parts: dict[str, float] | None = None) -> float:
        parts = parts or self.components()
        return (
            self.weight_repeat * parts["repeat"]
            + self.weight_welcome * parts["welcome"]
            + self.weight_anchor * parts["anchor"]
            + parts["mix"]
            + self.weight_topic * parts["topic"]
        )

    # ------------------------------------------------------------------ deltas
    def delta(self, r: int, A: int, p: int, B: int, q: int) -> float:
        """Objective change if p (at A) moves to B, trading places with q (at B) if q >= 0."""
        mem = self.members[r]
        members_A, members_B = mem[A], mem[B]
        met_p = self.times_met[p]
        friends_p = self.friend_strength[p]
        is_new = self.is_new
        friends_here = self.friends_at_table[r]
        eligible = self.anchor_eligible[r]
        new_p = is_new[p]
        d_rep = 0
        d_anc = 0
        d_circle_A = d_circle_B = 0
        friends_p_at_B = friends_q_at_A = 0
        if q >= 0:
            met_q = self.times_met[q]
            friends_q = self.friend_strength[q]
            new_q = is_new[q]
            for x in members_A:
                if x == p:
                    continue
                if met_p.get(x, 0) >= 2:
                    d_rep -= 1
                if met_q.get(x, 0) >= 1:
                    d_rep += 1
                tied_p = x in friends_p
                tied_q = x in friends_q
                if tied_q:
                    friends_q_at_A += 1
                if not is_new[x]:
                    if tied_p and not new_p:
                        d_circle_A -= 1
                    if tied_q and not new_q:
                        d_circle_A += 1
                if tied_p != tied_q and eligible[x]:
                    f = friends_here[x]
                    if tied_p:
                        if f == 1:
                            d_anc += 1
                    elif f == 0:
                        d_anc -= 1
            for x in members_B:
                if x == q:
                    continue
                if met_p.get(x, 0) >= 1:
                    d_rep += 1
                if met_q.get(x, 0) >= 2:
                    d_rep -= 1
                tied_p = x in friends_p
                tied_q = x in friends_q
                if tied_p:
                    friends_p_at_B += 1
                if not is_new[x]:
                    if tied_q and not new_q:
                        d_circle_B -= 1
                    if tied_p and not new_p:
                        d_circle_B += 1
                if tied_p != tied_q and eligible[x]:
                    f = friends_here[x]
                    if tied_q:
                        if f == 1:
                            d_anc += 1
                    elif f == 0:
                        d_anc -= 1
            if eligible[q]:
                d_anc += (friends_q_at_A == 0) - (friends_here[q] == 0)
        else:
            new_q = False
            for x in members_A:
                if x == p:
                    continue
                if met_p.get(x, 0) >= 2:
                    d_rep -= 1
                if x in friends_p:
                    if not new_p and not is_new[x]:
                        d_circle_A -= 1
                    if eligible[x] and friends_here[x] == 1:
                        d_anc += 1
            for x in members_B:
                if met_p.get(x, 0) >= 1:
                    d_rep += 1
                if x in friends_p:
                    friends_p_at_B += 1
                    if not new_p and not is_new[x]:
                        d_circle_B += 1
                    if eligible[x] and friends_here[x] == 0:
                        d_anc -= 1
        if eligible[p]:
            d_anc += (friends_p_at_B == 0) - (friends_here[p] == 0)
        total = self.weight_repeat * d_rep + self.weight_anchor * d_anc
        # Welcome.
        newcomers_A = self.newcomers_at[r][A]
        newcomers_B = self.newcomers_at[r][B]
        circle_A = self.circle_pairs[r][A]
        circle_B = self.circle_pairs[r][B]
        newcomers_A2 = newcomers_A - new_p + new_q
        newcomers_B2 = newcomers_B + new_p - new_q
        d_wel = 0
        if circle_A + d_circle_A == 0:
            d_wel += newcomers_A2
        if circle_A == 0:
            d_wel -= newcomers_A
        if circle_B + d_circle_B == 0:
            d_wel += newcomers_B2
        if circle_B == 0:
            d_wel -= newcomers_B
        if d_wel:
            total += self.weight_welcome * d_wel
        # Mix.
        if q < 0 or new_p != new_q:
            sA = len(members_A)
            sB = len(members_B)
            sA2 = sA if q >= 0 else sA - 1
            sB2 = sB if q >= 0 else sB + 1
            cost = self.table_cost
            total += (
                cost(r, sA2, newcomers_A2)
                + cost(r, sB2, newcomers_B2)
                - cost(r, sA, newcomers_A)
                - cost(r, sB, newcomers_B)
            )
        # Topics.
        if self.use_topics and (self.topics[p] or (q >= 0 and self.topics[q])):
            total += self.weight_topic * self._topic_delta(r, A, p, B, q)
        return total

    def _topic_delta(self, r: int, A: int, p: int, B: int, q: int) -> int:
        """Change in newcomers without a shared topic at tables A and B."""
        topic_sets = self.topic_sets
        newcomer_topics = self.newcomer_topics
        tp = topic_sets[p]
        tq = topic_sets[q] if q >= 0 else _NO_TOPICS
        changed = tp ^ tq  # topics whose count changes at both tables
        topics_A = self.topic_count[r][A]
        topics_B = self.topic_count[r][B]
        d = 0
        if changed:
            for topics_here, members, out_t, in_t, skip in (
                (topics_A, self.members[r][A], tp, tq, p),
                (topics_B, self.members[r][B], tq, tp, q),
            ):
                for x in members:
                    tx = newcomer_topics[x]
                    if tx is None or x == skip or tx.isdisjoint(changed):
                        continue
                    before = any(topics_here[y] >= 2 for y in tx)
                    after = any(topics_here[y] - (y in out_t) + (y in in_t) >= 2 for y in tx)
                    d += before - after
        if newcomer_topics[p] is not None:
            before = any(topics_A[y] >= 2 for y in tp)
            after = any(topics_B.get(y, 0) - (y in tq) >= 1 for y in tp)
            d += before - after
        if q >= 0 and newcomer_topics[q] is not None:
            before = any(topics_B[y] >= 2 for y in tq)
            after = any(topics_A.get(y, 0) - (y in tp) >= 1 for y in tq)
            d += before - after
        return d

    def strength_delta(self, r: int, A: int, p: int, B: int, q: int) -> float:
        """Change in circle strength (the sum of ``friend_strength`` over pairs of returning
        friends sharing a table) if p (at A) and q (at B, or -1: nobody) trade places."""
        is_new, members, strength = self.is_new, self.members[r], self.friend_strength
        d = 0.0
        for mover, left, joined, partner in ((p, A, B, q), (q, B, A, p)):
            if mover < 0 or is_new[mover]:
                continue
            mine = strength[mover]
            for x in members[left]:
                if x != mover and x in mine and not is_new[x]:
                    d -= mine[x]
            for x in members[joined]:
                if x != partner and x in mine and not is_new[x]:
                    d += mine[x]
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
