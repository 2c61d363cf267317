"""Synthetic problems for the command line, the benchmarks, the tests and demos.

- :func:`planted`: a problem with a known perfect plan (every table a circle of returning
  friends plus newcomers sharing a topic, in every round, nobody meeting twice), decoy ties
  across circles, blocks, together pairs, pinned hosts and accessible tables.
- :func:`community`: community-structured ties (friends cluster), as in a real conference.
- :func:`golfer`: the social golfer problem g-s-w (no ties, nobody new; only repeats count).
- :func:`random_problem`: random everything (partial attendance, per-round tables, history,
  blocks, together groups, pins, accessibility), always feasible.

All are deterministic in their ``seed``. People and tables get opaque ids ("p17", "t3") in a
shuffled order so that nothing can be read from the ids.
"""

from __future__ import annotations

import math
import random

from .model import Options, Person, Pin, Problem, RoundPlan, Solution, Table, Tie

TOPICS = (
    "equity-and-access",
    "one-to-one-computing",
    "open-source",
    "social-media",
    "online-learning",
    "curriculum-standards",
    "assessment",
    "digital-citizenship",
    "stem",
    "games",
    "libraries",
    "early-childhood",
    "accessibility",
    "data-privacy",
    "teacher-training",
    "maker-spaces",
    "ai-in-class",
    "rural-schools",
    "languages",
    "arts",
)


def _smallest_prime_factor(n: int) -> int:
    for f in range(2, math.isqrt(n) + 1):
        if n % f == 0:
            return f
    return n


def planted_with_plan(
    *,
    people: int = 320,
    table_size: int = 8,
    newcomer_share: float = 0.25,
    rounds: int = 3,
    history_rounds: int = 0,
    decoys: float = 2.0,
    blocks: int | None = None,
    together: int | None = None,
    hosts: int | None = None,
    accessible_share: float = 0.1,
    seed: int = 0,
) -> tuple[Problem, Solution]:
    """A planted problem and its perfect plan (welcome 1, anchor 1, no repeats).

    Seats are slots (a, b): position a in 0..table_size-1 and column b in 0..G-1, where the
    number of tables G has no prime factor below max(table_size, rounds + history_rounds).
    In round r slot (a, b) sits at table (b + r*a) mod G, so two slots share a table in at most
    one round (an affine plane). Positions 0..c-1 are returning people, the rest newcomers.
    Returning people seated together in some planted round are tied; ``history_rounds`` more
    rounds of the same plane become the conference's earlier seating. Position-0 slots stay
    at table b in every round: some are pinned hosts, some need an accessible table (their
    table is accessible). Together pairs share one newcomer slot (their tables seat one more).
    """
    rng = random.Random(seed)
    s = table_size
    span = rounds + history_rounds
    G = max(2, math.ceil(people / s))
    while _smallest_prime_factor(G) < max(s, span):
        G += 1
    k = min(s - 2, max(0, round(s * newcomer_share)))
    c = s - k
    blocks = G // 4 if blocks is None else blocks
    together = G // 8 if together is None else together
    hosts = G // 8 if hosts is None else hosts
    together = min(together, G)

    def table_of(a: int, b: int, r: int) -> int:
        return (b + r * a) % G

    slots = [(a, b) for a in range(s) for b in range(G)]
    pair_slot = s - 1  # the together pairs double up on this position
    doubled = set(rng.sample(range(G), together)) if together else set()
    persons: list[tuple[int, int, int]] = [(a, b, 0) for a, b in slots]
    persons += [(pair_slot, b, 1) for b in sorted(doubled)]
    order = list(range(len(persons)))
    rng.shuffle(order)
    ident = {}
    for new_index, old_index in enumerate(order):
        ident[persons[old_index]] = f"p{new_index + 1}"
    table_ids = [f"t{j + 1}" for j in range(G)]
    accessible_tables = set(rng.sample(range(G), max(1, round(G * accessible_share))))
    capacity = s + (1 if together else 0)

    topic_name: dict[tuple[int, int], str] = {}

    def topic(r: int, t: int) -> str:
        key = (r, t)
        if key not in topic_name:
            topic_name[key] = f"{TOPICS[len(topic_name) % len(TOPICS)]}-{len(topic_name) + 1}"
        return topic_name[key]

    host_columns = sorted(rng.sample(range(G), min(hosts, G)))
    needs_access = {
        b for b in accessible_tables if b not in set(host_columns) and rng.random() < 0.5
    }
    people_out = []
    for key in sorted(ident, key=lambda k: int(ident[k][1:])):
        a, b, extra = key
        people_out.append(
            Person(
                id=ident[key],
                newcomer=a >= c,
                topics=tuple(topic(r, table_of(a, b, r)) for r in range(rounds)),
                accessible=(a == 0 and b in needs_access),
                attends=tuple(range(1, rounds + 1)),
            )
        )

    def members(a: int, b: int) -> list[str]:
        out = [ident[(a, b, 0)]]
        if a == pair_slot and b in doubled:
            out.append(ident[(a, b, 1)])
        return out

    # Ties: returning people who share a planted table; the weight says how well they know
    # each other (a pair slot's extra person is a newcomer when the slot is).
    ties: dict[tuple[str, str], float] = {}
    by_table: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for a, b in slots:
        for r in range(span):
            by_table.setdefault((r, table_of(a, b, r)), []).append((a, b))
    plan_tables: list[dict[int, list[str]]] = [{} for _ in range(rounds)]
    history = []
    for (r, t), group in sorted(by_table.items()):
        names = [x for a, b in group for x in members(a, b)]
        if r < rounds:
            plan_tables[r][t] = names
        else:
            history.append(tuple(names))
        returning = [ident[(a, b, 0)] for a, b in group if a < c]
        if r < rounds:
            for i, x in enumerate(returning):
                for y in returning[i + 1 :]:
                    ties[(min(x, y), max(x, y))] = round(rng.uniform(1.0, 5.0), 2)

    # Decoys: ties between returning people who never share a planted table.
    returning_slots = [(a, b) for a, b in slots if a < c]
    planted_pairs = set()
    for r in range(span):
        for t in range(G):
            group = [ident[(a, b, 0)] for a, b in by_table[(r, t)]]
            for i, x in enumerate(group):
                for y in group[i + 1 :]:
                    planted_pairs.add((min(x, y), max(x, y)))
    want = int(decoys * len(returning_slots) / 2)
    tries = 0
    added = 0
    while added < want and tries < want * 20:
        tries += 1
        x = ident[(*rng.choice(returning_slots), 0)]
        y = ident[(*rng.choice(returning_slots), 0)]
        key = (min(x, y), max(x, y))
        if x != y and key not in planted_pairs and key not in ties:
            ties[key] = round(rng.uniform(0.5, 2.0), 2)
            added += 1

    avoid = []
    everyone = [ident[key] for key in persons]
    slot_of = {ident[key]: key for key in persons}
    guard = 0
    avoided = set()
    while len(avoid) < blocks and guard < blocks * 50:
        guard += 1
        x, y = rng.sample(everyone, 2)
        key = (min(x, y), max(x, y))
        if key in planted_pairs or key in avoided:
            continue
        xs, ys = slot_of[x], slot_of[y]
        if any(table_of(xs[0], xs[1], r) == table_of(ys[0], ys[1], r) for r in range(span)):
            continue
        avoided.add(key)
        avoid.append(key)

    together_pairs = [tuple(members(pair_slot, b)) for b in sorted(doubled)]
    pins = [Pin(person=ident[(0, b, 0)], table=table_ids[b]) for b in host_columns]
    tables = [
        Table(
            id=table_ids[t],
            capacity=capacity,
            accessible=t in accessible_tables,
            rounds=tuple(range(1, rounds + 1)),
        )
        for t in range(G)
    ]
    problem = Problem(
        rounds=rounds,
        people=tuple(people_out),
        tables=tuple(tables),
        ties=tuple(Tie(a=a, b=b, weight=w) for (a, b), w in sorted(ties.items())),
        history=tuple(history),
        avoid=tuple(avoid),
        together=tuple(together_pairs),
        pinned=tuple(pins),
        options=Options(),
        seed=seed,
    )
    plan = Solution(
        rounds=tuple(
            RoundPlan(
                round=r + 1,
                tables={table_ids[t]: tuple(plan_tables[r].get(t, ())) for t in range(G)},
                unseated=(),
            )
            for r in range(rounds)
        )
    )
    return problem, plan


def planted(**kwargs) -> Problem:
    """A planted problem (see :func:`planted_with_plan`)."""
    return planted_with_plan(**kwargs)[0]


def community(
    *,
    people: int = 400,
    table_size: int = 8,
    newcomer_share: float = 0.3,
    rounds: int = 3,
    community_size: tuple[int, int] = (8, 30),
    tie_density: float = 0.4,
    bridges: float = 1.0,
    accessible_share: float = 0.0,
    seed: int = 0,
) -> Problem:
    """Community-structured ties: returning people form communities (sizes drawn from
    ``community_size``) inside which each pair is tied with probability ``tie_density``;
    ``bridges`` random ties per person link communities. Newcomers have no ties. Everyone
    gets one to three topics, biased by community. Tables: just enough to seat everyone."""
    rng = random.Random(seed)
    n_new = round(people * newcomer_share)
    n_ret = people - n_new
    ids = [f"p{i + 1}" for i in range(people)]
    rng.shuffle(ids)
    returning, newcomers = ids[:n_ret], ids[n_ret:]
    ties: dict[tuple[str, str], float] = {}
    communities = []
    i = 0
    while i < n_ret:
        size = rng.randint(*community_size)
        communities.append(returning[i : i + size])
        i += size
    topics_of: dict[str, tuple[str, ...]] = {}
    for group in communities:
        favourite = rng.sample(TOPICS, 3)
        for x in group:
            mine = {rng.choice(favourite)} | {rng.choice(TOPICS) for _ in range(rng.randint(0, 2))}
            topics_of[x] = tuple(sorted(mine))
        for a_i, x in enumerate(group):
            for y in group[a_i + 1 :]:
                if rng.random() < tie_density:
                    ties[(min(x, y), max(x, y))] = round(rng.uniform(0.5, 4.0), 2)
    for _ in range(int(bridges * n_ret / 2)):
        x, y = rng.sample(returning, 2)
        ties.setdefault((min(x, y), max(x, y)), round(rng.uniform(0.3, 1.5), 2))
    for x in newcomers:
        topics_of[x] = tuple(sorted(set(rng.sample(TOPICS, rng.randint(1, 3)))))
    n_tables = math.ceil(people / table_size)
    accessible = set(rng.sample(range(n_tables), round(n_tables * accessible_share)))
    every = tuple(range(1, rounds + 1))
    newcomer_set = set(newcomers)
    return Problem(
        rounds=rounds,
        people=tuple(
            Person(
                id=x,
                newcomer=x in newcomer_set,
                topics=topics_of[x],
                accessible=False,
                attends=every,
            )
            for x in sorted(ids, key=lambda v: int(v[1:]))
        ),
        tables=tuple(
            Table(id=f"t{j + 1}", capacity=table_size, accessible=j in accessible, rounds=every)
            for j in range(n_tables)
        ),
        ties=tuple(Tie(a=a, b=b, weight=w) for (a, b), w in sorted(ties.items())),
        seed=seed,
    )


def golfer(groups: int, size: int, weeks: int, *, seed: int = 0) -> Problem:
    """The social golfer problem: ``groups`` tables of ``size`` for ``weeks`` rounds."""
    every = tuple(range(1, weeks + 1))
    return Problem(
        rounds=weeks,
        people=tuple(Person(id=f"g{i + 1}", attends=every) for i in range(groups * size)),
        tables=tuple(Table(id=f"t{j + 1}", capacity=size, rounds=every) for j in range(groups)),
        seed=seed,
    )


def random_problem(
    *,
    people: int = 60,
    table_size: int = 6,
    newcomer_share: float = 0.3,
    rounds: int = 2,
    tie_density: float = 0.1,
    attendance: float = 0.9,
    seat_ratio: float = 1.1,
    seed: int = 0,
) -> Problem:
    """Random but always feasible: partial attendance, per-round tables, history, blocks,
    together pairs, pins and accessibility. ``tie_density``: chance that two returning people
    are tied. ``seat_ratio``: seats per person (below 1, someone is unseated)."""
    rng = random.Random(seed)
    ids = [f"p{i + 1}" for i in range(people)]
    newcomer = {x: rng.random() < newcomer_share for x in ids}
    every = list(range(1, rounds + 1))
    attends = {}
    for x in ids:
        mine = [r for r in every if rng.random() < attendance]
        attends[x] = tuple(mine)
    n_tables = max(1, math.ceil(people * seat_ratio / table_size))
    tables = []
    for j in range(n_tables):
        rounds_j = tuple(r for r in every if rng.random() < 0.9) or (1,)
        tables.append(
            Table(
                id=f"t{j + 1}",
                capacity=max(2, table_size + rng.randint(-2, 2)),
                accessible=rng.random() < 0.3,
                rounds=rounds_j,
            )
        )
    returning = [x for x in ids if not newcomer[x]]
    ties = []
    for i, x in enumerate(returning):
        for y in returning[i + 1 :]:
            if rng.random() < tie_density:
                ties.append(Tie(a=x, b=y, weight=round(rng.uniform(0.5, 3.0), 2)))
    history = [tuple(rng.sample(ids, min(len(ids), table_size))) for _ in range(people // 20)]
    pairs = set()
    together = []
    for _ in range(people // 25):
        x, y = rng.sample(ids, 2)
        pairs.update({(x, y), (y, x)})
        together.append((x, y))
    in_together = {x for g in together for x in g}
    avoid = []
    for _ in range(people // 15):
        x, y = rng.sample(ids, 2)
        if (x, y) not in pairs and x not in in_together and y not in in_together:
            avoid.append((x, y))
            pairs.update({(x, y), (y, x)})
    # Accessibility needs only for people with no together partner, and only if each round
    # they attend has an accessible table.
    acc_rounds = {r for t in tables if t.accessible for r in t.rounds}
    needs = {
        x
        for x in ids
        if x not in in_together and rng.random() < 0.05 and set(attends[x]) <= acc_rounds
    }
    # Pins: hosts without partners or blocks, to a table present in every round they attend.
    blocked = {x for g in avoid for x in g}
    pins = []
    used_tables: dict[tuple[str, int], int] = {}
    for x in rng.sample(ids, min(len(ids), people // 20)):
        if x in in_together or x in blocked or not attends[x]:
            continue
        options = [
            t
            for t in tables
            if set(attends[x]) <= set(t.rounds) and (t.accessible or x not in needs)
        ]
        if not options:
            continue
        t = rng.choice(options)
        if any(used_tables.get((t.id, r), 0) >= t.capacity - 1 for r in attends[x]):
            continue
        for r in attends[x]:
            used_tables[(t.id, r)] = used_tables.get((t.id, r), 0) + 1
        pins.append(Pin(person=x, table=t.id))
    return Problem(
        rounds=rounds,
        people=tuple(
            Person(
                id=x,
                newcomer=newcomer[x],
                topics=tuple(sorted(set(rng.sample(TOPICS[:8], rng.randint(0, 2))))),
                accessible=x in needs,
                attends=attends[x],
            )
            for x in ids
        ),
        tables=tuple(tables),
        ties=tuple(ties),
        history=tuple(history),
        avoid=tuple(avoid),
        together=tuple(together),
        pinned=tuple(pins),
        seed=seed,
    )
