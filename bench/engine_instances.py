"""Benchmark instances for the matching engine (see bench/bench_engine.py)."""

from __future__ import annotations

import gzip
import math
import random
from pathlib import Path

from matching.engine import Person, Problem, Table, Tie, generate

SFHH = Path(__file__).resolve().parent.parent / "data" / "SFHH_tij.dat.gz"


def sfhh_path() -> Path:
    if not SFHH.exists():
        raise FileNotFoundError(f"{SFHH} is missing: it ships with the repository (data/).")
    return SFHH


def sfhh(
    *,
    min_minutes: float = 1.0,
    newcomer_share: float = 0.25,
    table_size: int = 8,
    rounds: int = 3,
    seed: int = 0,
) -> Problem:
    """The SFHH 2009 contact network as past encounters.

    Pairs with at least ``min_minutes`` of face-to-face contact become ties weighted by
    minutes. A random quarter of the attendees are newcomers; as newcomers have no past
    encounters by definition, their ties are dropped. Tables of 8, just enough of them.
    """
    seconds: dict[tuple[int, int], int] = {}
    with gzip.open(sfhh_path(), "rt") as lines:
        for line in lines:
            _, i, j = line.split()
            a, b = sorted((int(i), int(j)))
            seconds[(a, b)] = seconds.get((a, b), 0) + 20
    people = sorted({x for pair in seconds for x in pair})
    rng = random.Random(seed)
    newcomers = set(rng.sample(people, round(len(people) * newcomer_share)))
    every = tuple(range(1, rounds + 1))
    ties = [
        Tie(a=f"s{a}", b=f"s{b}", weight=round(s / 60, 2))
        for (a, b), s in sorted(seconds.items())
        if s >= min_minutes * 60 and a not in newcomers and b not in newcomers
    ]
    tables = math.ceil(len(people) / table_size)
    return Problem(
        rounds=rounds,
        people=tuple(Person(id=f"s{x}", newcomer=x in newcomers, attends=every) for x in people),
        tables=tuple(
            Table(id=f"t{j + 1}", capacity=table_size, rounds=every) for j in range(tables)
        ),
        ties=tuple(ties),
        seed=seed,
    )


def planted(people: int, seed: int = 0) -> Problem:
    return generate.planted(people=people, rounds=3, history_rounds=1, seed=seed)


def scale(seed: int = 0) -> Problem:
    return generate.community(people=20_000, newcomer_share=0.3, table_size=8, rounds=3, seed=seed)


def golfer(spec: str) -> Problem:
    g, s, w = (int(x) for x in spec.split("-"))
    return generate.golfer(g, s, w)
