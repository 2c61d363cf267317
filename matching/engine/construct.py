"""Constructive start: seat each round in turn, growing circles of friends who have not met.

Per round: pinned people first, then people who need an accessible table, then circles of
returning friends grown outward through untried ties (each table up to its share of returning
people), the remaining returning people next to a friend where possible, newcomers spread over
tables that already have a circle, and finally anyone left wherever the hard constraints allow.
Hard constraints are never broken: a unit (a together group, or one person) is only placed
where it fits, may sit (pins, accessibility) and meets nobody it avoids.
"""

from __future__ import annotations

import random

from .instance import Instance
from .state import State


class Pool:
    """Tables that still qualify for something (lazy deletion: once out, out for good)."""

    def __init__(self, items: list[int], ok):
        self.items = list(items)
        self.ok = ok

    def sample(self, rng: random.Random, k: int) -> list[int]:
        items = self.items
        out: list[int] = []
        tries = 0
        while items and len(out) < k and tries < 3 * k:
            i = rng.randrange(len(items))
            t = items[i]
            if not self.ok(t):
                items[i] = items[-1]
                items.pop()
                continue
            tries += 1
            out.append(t)
        return list(dict.fromkeys(out))


SMALL_ROUND = 48  # tables: below this every table is tried for every placement
MAKE_ROOM_TABLES = 200


class RoundBuilder:
    def __init__(self, state: State, inst: Instance, r: int, rng: random.Random):
        self.state = state
        self.inst = inst
        self.r = r
        self.rng = rng
        self.units = inst.units[r]
        self.members = state.members[r]
        self.capacity = state.capacity[r]
        self.placed = [False] * len(self.units)
        # Tables each unit may use beyond capacity: None means any table of the round.
        accessible = frozenset(t for t in inst.tables_in[r] if inst.t_acc[t])
        self.allowed: list[frozenset[int] | None] = []
        for unit in self.units:
            pin = inst.unit_pin(r, unit)
            if pin >= 0:
                self.allowed.append(frozenset([pin]))
            elif inst.unit_needs_acc(unit):
                self.allowed.append(accessible)
            else:
                self.allowed.append(None)
        capr, mem = self.capacity, self.members
        self.open_tables = list(inst.tables_in[r])
        self.with_room = Pool(self.open_tables, lambda t: len(mem[t]) < capr[t])
        self.partners = [
            set().union(*(inst.avoid[x] for x in u)) if any(inst.avoid[x] for x in u) else None
            for u in self.units
        ]

    # --------------------------------------------------------------- helpers
    def fits(self, u: int, t: int) -> bool:
        unit = self.units[u]
        if len(self.members[t]) + len(unit) > self.capacity[t]:
            return False
        allowed = self.allowed[u]
        if allowed is not None and t not in allowed:
            return False
        partners = self.partners[u]
        return not (partners and any(x in partners for x in self.members[t]))

    def repeats(self, u: int, t: int) -> int:
        met = self.state.times_met
        members = self.members[t]
        count = 0
        for x in self.units[u]:
            mx = met[x]
            for y in members:
                if mx.get(y, 0):
                    count += 1
        return count

    def friends_at(self, u: int, t: int) -> tuple[int, float]:
        """Friends of the unit at table t not met yet: how many, and their ties' strength."""
        strength_of = self.state.friend_strength
        met = self.state.times_met
        members = self.members[t]
        count = 0
        strength = 0.0
        for x in self.units[u]:
            sx, mx = strength_of[x], met[x]
            for y in members:
                if y in sx and not mx.get(y, 0):
                    count += 1
                    strength += sx[y]
        return count, strength

    def place(self, u: int, t: int) -> None:
        for x in self.units[u]:
            self.state.add(self.r, t, x)
        self.placed[u] = True

    # --------------------------------------------------------------- phases
    def build(self, seated_before: list[int]) -> None:
        inst, r, rng = self.inst, self.r, self.rng
        units = self.units
        is_new = inst.is_new
        tables = list(inst.tables_in[r])
        seats = sum(self.capacity[t] for t in tables)
        order = list(range(len(units)))
        rng.shuffle(order)
        pinned = [u for u in order if inst.unit_pin(r, units[u]) >= 0]
        total = sum(len(u) for u in units)
        # When seats are short, people seated in fewer earlier rounds go first.
        if total > seats:
            order.sort(key=lambda u: max(seated_before[x] for x in units[u]))
            keep, count = [], sum(len(units[u]) for u in pinned)
            pinned_set = set(pinned)
            for u in order:
                if u in pinned_set:
                    continue
                if count + len(units[u]) <= seats:
                    keep.append(u)
                    count += len(units[u])
            keep_set = set(keep)
            dropped = [u for u in order if u not in pinned_set and u not in keep_set]
            order = keep
        else:
            dropped = []
            order = [u for u in order if inst.unit_pin(r, units[u]) < 0]
        people = sum(len(units[u]) for u in pinned) + sum(len(units[u]) for u in order)

        targets = self.table_targets(tables, people, pinned)
        open_tables = [t for t in tables if targets[t] > 0]
        newcomers = sum(1 for u in pinned + order for x in units[u] if is_new[x])
        nc_target = self.newcomer_targets(open_tables, targets, newcomers, people)

        mem, capr = self.members, self.capacity
        nc = self.state.newcomers_at[r]
        self.open_tables = open_tables
        self.under_target = Pool(open_tables, lambda t: len(mem[t]) < targets[t])
        self.with_room = Pool(tables, lambda t: len(mem[t]) < capr[t])
        self.newcomer_room = Pool(
            open_tables, lambda t: nc[t] < nc_target[t] and len(mem[t]) < targets[t]
        )
        for u in pinned:
            t = inst.unit_pin(r, units[u])
            if self.fits(u, t):
                self.place(u, t)

        needs_acc = [u for u in order if inst.unit_needs_acc(units[u])]
        needs_acc.sort(key=lambda u: -len(units[u]))
        for u in needs_acc:
            self.place_best(u, [t for t in tables if inst.t_acc[t]], targets, nc_target)

        returning = [
            u for u in order if not self.placed[u] and not all(is_new[x] for x in units[u])
        ]
        self.grow_circles(returning, open_tables, targets, nc_target)
        for u in returning:
            if not self.placed[u]:
                self.place_best(u, self.candidate_tables(u, False), targets, nc_target)

        fresh = [u for u in order if not self.placed[u]]
        fresh.sort(key=lambda u: 0 if any(inst.topics[x] for x in units[u]) else 1)
        for u in fresh:
            self.place_best(u, self.candidate_tables(u, True), targets, nc_target)

        for u in order + dropped:
            if not self.placed[u]:
                self.place_anywhere(u)

    def table_targets(self, tables: list[int], people: int, pinned: list[int]) -> dict[int, int]:
        """How many people each table should get: as even as capacities allow, on enough
        tables that none is below the minimum size when that can be avoided."""
        inst, r = self.inst, self.r
        capr = self.capacity
        min_size = self.state.min_table_size
        usable = [t for t in tables if capr[t] > 0]
        targets = dict.fromkeys(tables, 0)
        if not usable or people == 0:
            return targets
        must = {inst.unit_pin(r, self.units[u]) for u in pinned}
        needs_acc = any(inst.unit_needs_acc(u) for u in self.units)
        rank = list(usable)
        self.rng.shuffle(rank)
        rank.sort(
            key=lambda t: (
                t not in must,
                not (needs_acc and inst.t_acc[t]),
                -capr[t],
            )
        )
        want = max(1, people // min_size) if people >= min_size else 1
        chosen = []
        seats = 0
        for t in rank:
            if len(chosen) >= want and seats >= people and t not in must:
                break
            chosen.append(t)
            seats += capr[t]
        pref = self.state.preferred_size
        remaining = people
        level = 0
        while remaining > 0:
            level += 1
            progressed = False
            for t in chosen:
                if remaining and targets[t] < capr[t] and (not pref or targets[t] < pref):
                    targets[t] += 1
                    remaining -= 1
                    progressed = True
            if not progressed:
                if pref:
                    pref = 0  # preferred size cannot hold everyone: fill to capacity
                    continue
                break
        return targets

    @staticmethod
    def newcomer_targets(
        open_tables: list[int], targets: dict[int, int], newcomers: int, people: int
    ) -> dict[int, int]:
        if not people:
            return dict.fromkeys(open_tables, 0)
        share = {t: targets[t] * newcomers / people for t in open_tables}
        result = {t: int(share[t]) for t in open_tables}
        left = newcomers - sum(result.values())
        for t in sorted(open_tables, key=lambda t: result[t] - share[t])[: max(0, left)]:
            result[t] += 1
        return result

    def grow_circles(
        self,
        returning: list[int],
        open_tables: list[int],
        targets: dict[int, int],
        nc_target: dict[int, int],
    ) -> None:
        inst, state, r = self.inst, self.state, self.r
        units, mem = self.units, self.members
        adj, is_new, met = state.friend_strength, inst.is_new, state.times_met
        unit_of = inst.unit_of[r]
        candidates = set(returning)

        def fresh_friends(u: int) -> tuple[int, float]:
            count = 0
            strength = 0.0
            for x in units[u]:
                mx = met[x]
                for f, s in adj[x].items():
                    v = unit_of.get(f)
                    if v is not None and v in candidates and not self.placed[v] and not mx.get(f):
                        count += 1
                        strength += s
            return count, strength

        rank = {u: i for i, u in enumerate(returning)}
        fresh = {u: fresh_friends(u) for u in returning}
        # Seeds: most friends not met yet first, then the strongest ties (stronger circles).
        seeds = sorted(returning, key=lambda u: (-fresh[u][0], -fresh[u][1], rank[u]))
        seed_pos = 0
        tables = list(open_tables)
        self.rng.shuffle(tables)
        tables.sort(key=lambda t: -len(mem[t]))
        for t in tables:
            goal = targets[t] - nc_target.get(t, 0)
            # Frontier: units tied to the table, with (ties into it, their strength); the
            # best tied first, the strongest among equally tied (stronger circles).
            frontier: dict[int, tuple[int, float]] = {}

            def extend(
                members: list[int], frontier: dict[int, tuple[int, float]] = frontier
            ) -> None:
                for x in members:
                    for f, s in adj[x].items():
                        v = unit_of.get(f)
                        if v is not None and v in candidates and not self.placed[v]:
                            count, strength = frontier.get(v, (0, 0.0))
                            frontier[v] = (count + 1, strength + s)

            extend(mem[t])
            while sum(1 for x in mem[t] if not is_new[x]) < goal:
                chosen = -1
                while frontier:
                    best = max(frontier, key=lambda v: (*frontier[v], -rank[v]))
                    del frontier[best]
                    if (
                        not self.placed[best]
                        and len(mem[t]) + len(units[best]) <= targets[t]
                        and self.fits(best, t)
                        and self.repeats(best, t) == 0
                    ):
                        chosen = best
                        break
                if chosen < 0:
                    while seed_pos < len(seeds) and self.placed[seeds[seed_pos]]:
                        seed_pos += 1
                    probe = seed_pos
                    while probe < len(seeds) and probe < seed_pos + 64:
                        v = seeds[probe]
                        if (
                            not self.placed[v]
                            and len(mem[t]) + len(units[v]) <= targets[t]
                            and self.fits(v, t)
                            and self.repeats(v, t) == 0
                        ):
                            chosen = v
                            break
                        probe += 1
                if chosen < 0:
                    break
                self.place(chosen, t)
                extend(units[chosen])

    def candidate_tables(self, u: int, newcomer: bool) -> list[int]:
        """Tables worth trying for a unit: every open table in a small round; otherwise its
        friends' tables and a sample of the tables that still want people (newcomers)."""
        if len(self.open_tables) <= SMALL_ROUND:
            return self.open_tables
        rng = self.rng
        if newcomer:
            found = self.newcomer_room.sample(rng, 8)
        else:
            tab = self.state.table_of[self.r]
            found = list(
                dict.fromkeys(
                    tab[f] for x in self.units[u] for f in self.inst.friends[x] if tab[f] >= 0
                )
            )
        found += self.under_target.sample(rng, 8)
        if not any(self.fits(u, t) for t in found):
            found += self.with_room.sample(rng, 8)
        return list(dict.fromkeys(found))

    def place_best(
        self, u: int, tables: list[int], targets: dict[int, int], nc_target: dict[int, int]
    ) -> bool:
        inst = self.inst
        unit = self.units[u]
        is_new = inst.is_new
        newcomers = sum(1 for x in unit if is_new[x])
        topics = {y for x in unit for y in inst.topics[x]}
        tc = self.state.topic_count[self.r] if self.state.use_topics else None
        best_key = None
        best_t = -1
        for t in tables:
            if not self.fits(u, t):
                continue
            members = self.members[t]
            size = len(members)
            over = max(0, size + len(unit) - targets.get(t, 0))
            key = (
                self.repeats(u, t),
                over,
                # newcomers want a circle; returning people want a friend (a strong one)
                (self.state.circle_pairs[self.r][t] == 0, 0.0)
                if newcomers
                else tuple(-x for x in self.friends_at(u, t)),
                max(0, self.state.newcomers_at[self.r][t] + newcomers - nc_target.get(t, 0)),
                0 if not topics or tc is None or any(y in tc[t] for y in topics) else 1,
                size,
            )
            if best_key is None or key < best_key:
                best_key, best_t = key, t
        if best_t < 0:
            return self.place_anywhere(u)
        self.place(u, best_t)
        return True

    def place_anywhere(self, u: int) -> bool:
        best_key = None
        best_t = -1
        tables = self.inst.tables_in[self.r]
        if len(tables) > SMALL_ROUND:
            sample = [t for t in self.with_room.sample(self.rng, 16) if self.fits(u, t)]
            if sample:
                tables = sample
        for t in tables:
            if self.fits(u, t):
                key = (self.repeats(u, t), len(self.members[t]))
                if best_key is None or key < best_key:
                    best_key, best_t = key, t
        if best_t >= 0:
            self.place(u, best_t)
            return True
        return self.make_room(u)

    def make_room(self, u: int) -> bool:
        """Seat an unplaced unit by moving one seated unit elsewhere (one ejection).

        Bounded work: at most MAKE_ROOM_TABLES tables are tried on either side."""
        inst, r, rng = self.inst, self.r, self.rng
        unit_of = inst.unit_of[r]
        unit = self.units[u]
        capr, mem = self.capacity, self.members
        roomy = [t for t in inst.tables_in[r] if capr[t] > len(mem[t])]
        if sum(capr[t] - len(mem[t]) for t in roomy) < len(unit):
            return False  # no room anywhere: nothing to make room with
        allowed = self.allowed[u]
        targets = sorted(allowed) if allowed is not None else list(inst.tables_in[r])
        if len(targets) > MAKE_ROOM_TABLES:
            targets = rng.sample(targets, MAKE_ROOM_TABLES)
        if len(roomy) > MAKE_ROOM_TABLES:
            roomy = rng.sample(roomy, MAKE_ROOM_TABLES)
        partners = self.partners[u]
        for t in targets:
            members = mem[t]
            for v in dict.fromkeys(unit_of[x] for x in members):
                if inst.unit_pin(r, self.units[v]) >= 0:
                    continue
                rest = [x for x in members if unit_of[x] != v]
                if len(rest) + len(unit) > capr[t]:
                    continue
                if partners and any(x in partners for x in rest):
                    continue
                for t2 in roomy:
                    if t2 != t and self.fits(v, t2):
                        for x in self.units[v]:
                            self.state.remove(r, t, x)
                        self.placed[v] = False
                        self.place(v, t2)
                        self.place(u, t)
                        return True
        return False


def construct(state: State, inst: Instance, rng: random.Random) -> None:
    """Seat every round in turn (each round knows who met in the rounds before it)."""
    seated_before = [0] * inst.n
    for r in range(inst.R):
        RoundBuilder(state, inst, r, rng).build(seated_before)
        state.finalize_round(r)
        tab = state.table_of[r]
        for x in inst.attendees[r]:
            if tab[x] >= 0:
                seated_before[x] += 1


def fill_unseated(state: State, inst: Instance, rng: random.Random) -> bool:
    """Seat anyone unseated for whom a table now has room (hard constraint 7)."""
    changed = False
    for r in range(inst.R):
        builder = RoundBuilder(state, inst, r, rng)
        tab = state.table_of[r]
        for u, unit in enumerate(builder.units):
            if all(tab[x] >= 0 for x in unit):
                builder.placed[u] = True
        for u in range(len(builder.units)):
            if not builder.placed[u] and builder.place_anywhere(u):
                changed = True
        if changed:
            state.finalize_round(r)
    return changed
