"""The problem compiled to integer indices, shared by the scorer, the checks and the solver.

People and tables are numbered in problem order; rounds internally from 0.
"""

from __future__ import annotations

from .model import Problem


class UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if ra < rb:
                self.parent[rb] = ra
            else:
                self.parent[ra] = rb


class Instance:
    """Integer view of a (validated) problem.

    People ``x`` (0..n-1) and tables ``t`` (0..m-1) in problem order, rounds ``r`` from 0:

    ==========================  ==============================================================
    ``R``, ``n``, ``m``         rounds, people, tables
    ``pid``, ``tid``            person and table ids by index; ``pindex``, ``tindex`` back
    ``is_new[x]``               x is a newcomer
    ``needs_acc[x]``            x needs an accessible table
    ``topics[x]``               x's topics as indices into ``topic_names``
    ``attends[x]``              rounds x attends (a frozenset); ``attendees[r]``: who attends r
    ``cap[t]``, ``t_acc[t]``    t's capacity; t is accessible
    ``tables_in[r]``            tables available in round r (a list); ``t_avail[r]`` as a set
    ``friends[x]``              {person: tie weight} of x's friends: ties with a weight of at
                                least ``options.friend_threshold``
    ``tie_weight[x]``           {person: weight} of all x's ties, friends or not
    ``together``                together groups (tuples of people)
    ``comp[x]``                 x's together component (a representative person): pairs in
                                one component never count as repeats
    ``has_together``            some together group exists
    ``history_count``           {``a * n + b`` (a < b): times a and b sat together in history}
    ``avoid[x]``, ``avoid_pairs``  people x must not sit with; every such pair once (a < b)
    ``pins[r]``                 {person: table} pinned in round r; ``pin_list[r]`` every pin
                                (conflicts too), ``pin_conflicts`` (round, person, t1, t2)
    ``units[r]``                the units of round r: together groups whose members all attend
                                r, and single people; ``unit_of[r]``: {person: unit index}
    ``active_groups[r]``        together groups that apply in round r
    ==========================  ==============================================================
    """

    def __init__(self, problem: Problem):
        self.problem = problem
        self.R = R = problem.rounds
        people = problem.people
        tables = problem.tables
        self.n = n = len(people)
        self.m = len(tables)
        self.pid = [p.id for p in people]
        self.tid = [t.id for t in tables]
        self.pindex = {ident: i for i, ident in enumerate(self.pid)}
        self.tindex = {ident: i for i, ident in enumerate(self.tid)}
        self.is_new = [p.newcomer for p in people]
        self.needs_acc = [p.accessible for p in people]
        topic_index: dict[str, int] = {}
        self.topics = [
            tuple(topic_index.setdefault(name, len(topic_index)) for name in p.topics)
            for p in people
        ]
        self.topic_names = list(topic_index)
        self.attends = [frozenset(r - 1 for r in p.attends) for p in people]
        self.attendees = [[i for i in range(n) if r in self.attends[i]] for r in range(R)]
        self.cap = [t.capacity for t in tables]
        self.t_acc = [t.accessible for t in tables]
        self.tables_in = [[j for j, t in enumerate(tables) if r + 1 in t.rounds] for r in range(R)]
        self.t_avail = [frozenset(ts) for ts in self.tables_in]

        pindex = self.pindex
        threshold = problem.options.friend_threshold
        self.friends: list[dict[int, float]] = [{} for _ in range(n)]
        self.tie_weight: list[dict[int, float]] = [{} for _ in range(n)]
        for tie in problem.ties:
            a, b = pindex[tie.a], pindex[tie.b]
            self.tie_weight[a][b] = tie.weight
            self.tie_weight[b][a] = tie.weight
            if tie.weight >= threshold:
                self.friends[a][b] = tie.weight
                self.friends[b][a] = tie.weight

        # Together: a global component (its pairs never count as repeats) and, per round,
        # the units formed by the groups whose members all attend that round.
        self.together = [tuple(pindex[x] for x in g) for g in problem.together]
        uf = UnionFind(n)
        for group in self.together:
            for x in group[1:]:
                uf.union(group[0], x)
        self.comp = [uf.find(i) for i in range(n)]
        self.has_together = bool(self.together)

        self.history_count: dict[int, int] = {}
        for group in problem.history:
            idx = sorted({pindex[x] for x in group})
            for i, a in enumerate(idx):
                for b in idx[i + 1 :]:
                    if self.comp[a] == self.comp[b]:
                        continue
                    key = a * n + b
                    self.history_count[key] = self.history_count.get(key, 0) + 1

        self.avoid: list[set[int]] = [set() for _ in range(n)]
        self.avoid_pairs: list[tuple[int, int]] = []
        for group in problem.avoid:
            idx = [pindex[x] for x in group]
            for i, a in enumerate(idx):
                for b in idx[i + 1 :]:
                    if b not in self.avoid[a]:
                        self.avoid[a].add(b)
                        self.avoid[b].add(a)
                        self.avoid_pairs.append((min(a, b), max(a, b)))

        # Pins per round: person -> table; conflicting pins are kept for the feasibility check.
        self.pins: list[dict[int, int]] = [{} for _ in range(R)]
        self.pin_conflicts: list[tuple[int, int, int, int]] = []  # (round, person, t1, t2)
        self.pin_list: list[list[tuple[int, int]]] = [[] for _ in range(R)]
        for pin in problem.pinned:
            p, t = pindex[pin.person], self.tindex[pin.table]
            rounds = [pin.round - 1] if pin.round is not None else range(R)
            for r in rounds:
                if r not in self.attends[p]:
                    continue
                self.pin_list[r].append((p, t))
                old = self.pins[r].get(p)
                if old is None:
                    self.pins[r][p] = t
                elif old != t:
                    self.pin_conflicts.append((r, p, old, t))

        self.units: list[list[list[int]]] = []
        self.unit_of: list[dict[int, int]] = []
        self.active_groups: list[list[tuple[int, ...]]] = []
        for r in range(R):
            active = [g for g in self.together if all(r in self.attends[x] for x in g)]
            self.active_groups.append(active)
            if active:
                ufr = UnionFind(n)
                for group in active:
                    for x in group[1:]:
                        ufr.union(group[0], x)
                by_root: dict[int, list[int]] = {}
                for x in self.attendees[r]:
                    by_root.setdefault(ufr.find(x), []).append(x)
                units = list(by_root.values())
            else:
                units = [[x] for x in self.attendees[r]]
            self.units.append(units)
            self.unit_of.append({x: u for u, members in enumerate(units) for x in members})

    def key(self, a: int, b: int) -> int:
        return a * self.n + b if a < b else b * self.n + a

    def unit_pin(self, r: int, unit: list[int]) -> int:
        """The table a unit is pinned to in round r, or -1 (conflicts are checked elsewhere)."""
        pins = self.pins[r]
        if not pins:
            return -1
        for x in unit:
            t = pins.get(x)
            if t is not None:
                return t
        return -1

    def unit_needs_acc(self, unit: list[int]) -> bool:
        needs = self.needs_acc
        return any(needs[x] for x in unit)

    def allowed_tables(self, r: int, unit: list[int]) -> list[int]:
        """Tables of round r a unit may sit at (pins and accessibility; not capacity)."""
        pin = self.unit_pin(r, unit)
        if pin >= 0:
            return [pin] if pin in self.t_avail[r] else []
        if self.unit_needs_acc(unit):
            return [t for t in self.tables_in[r] if self.t_acc[t]]
        return list(self.tables_in[r])
