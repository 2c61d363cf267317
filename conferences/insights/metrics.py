"""The figures of one seating, as DESIGN.md section 3 defines them, from plain data.

Pure functions: a seating (table id → person ids), who is a newcomer, who knows whom, who sat
together earlier at the conference and who likes what. The insights score the real plan and the
friends-first baseline with the same function, so the two columns compare like with like.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

Pair = tuple[int, int]


def pair(first: int, second: int) -> Pair:
    return (first, second) if first < second else (second, first)


def rate(numerator: int, denominator: int) -> float:
    """A share; an empty denominator counts as everyone served (1.0), as the engine does."""
    return numerator / denominator if denominator else 1.0


@dataclass(frozen=True)
class TableComposition:
    table_id: int
    returning: int
    newcomers: int

    @property
    def size(self) -> int:
        return self.returning + self.newcomers


@dataclass
class SeatingFigures:
    seated: int = 0
    newcomers: int = 0
    welcomed: int = 0
    anchor_candidates: int = 0
    anchored: int = 0
    newcomers_with_topics: int = 0
    sharing_a_topic: int = 0
    repeat_pairs: int = 0
    small_tables: int = 0
    newcomer_spread: float = 0.0
    composition: list[TableComposition] = field(default_factory=list)

    @property
    def returning(self) -> int:
        return self.seated - self.newcomers

    @property
    def welcome_rate(self) -> float:
        return rate(self.welcomed, self.newcomers)

    @property
    def anchor_rate(self) -> float:
        return rate(self.anchored, self.anchor_candidates)

    @property
    def topic_rate(self) -> float:
        return rate(self.sharing_a_topic, self.newcomers_with_topics)

    @property
    def tables_used(self) -> int:
        return len(self.composition)

    def __add__(self, other: "SeatingFigures") -> "SeatingFigures":
        """Pooled over rounds (the spread is the worst round's)."""
        return SeatingFigures(
            seated=self.seated + other.seated,
            newcomers=self.newcomers + other.newcomers,
            welcomed=self.welcomed + other.welcomed,
            anchor_candidates=self.anchor_candidates + other.anchor_candidates,
            anchored=self.anchored + other.anchored,
            newcomers_with_topics=self.newcomers_with_topics + other.newcomers_with_topics,
            sharing_a_topic=self.sharing_a_topic + other.sharing_a_topic,
            repeat_pairs=self.repeat_pairs + other.repeat_pairs,
            small_tables=self.small_tables + other.small_tables,
            newcomer_spread=max(self.newcomer_spread, other.newcomer_spread),
            composition=self.composition + other.composition,
        )


def table_pairs(seating: Mapping[int, Iterable[int]]) -> Iterable[Pair]:
    for people in seating.values():
        yield from (pair(a, b) for a, b in combinations(sorted(set(people)), 2))


def score_seating(
    *,
    seating: Mapping[int, list[int]],
    newcomers: set[int],
    ties: set[Pair],
    history: Counter,
    topics: Mapping[int, set[int]],
) -> SeatingFigures:
    """Score one round's seating.

    ``ties`` are the pairs who knew each other before the round; ``history`` counts how often
    each pair already shared a table earlier at the conference.
    """
    figures = SeatingFigures()
    seated = {person for people in seating.values() for person in people}
    friends: dict[int, set[int]] = {}
    for first, second in ties:
        if first in seated and second in seated:
            friends.setdefault(first, set()).add(second)
            friends.setdefault(second, set()).add(first)
    shares = []
    for table_id, people in sorted(seating.items()):
        if not people:
            continue
        at_table = set(people)
        table_newcomers = at_table & newcomers
        returning = at_table - newcomers
        figures.composition.append(TableComposition(table_id, len(returning), len(table_newcomers)))
        shares.append(len(table_newcomers) / len(at_table))
        circle = any(pair(a, b) in ties for a, b in combinations(sorted(returning), 2))
        for person in at_table:
            tablemates = at_table - {person}
            if person in table_newcomers:
                figures.newcomers += 1
                # The circle must be two returning people other than this newcomer.
                figures.welcomed += circle
                mine = topics.get(person, set())
                if mine:
                    figures.newcomers_with_topics += 1
                    figures.sharing_a_topic += any(mine & topics.get(m, set()) for m in tablemates)
            elif person in friends:
                figures.anchor_candidates += 1
                figures.anchored += bool(friends[person] & tablemates)
        figures.seated += len(at_table)
    figures.repeat_pairs = sum(1 for p in table_pairs(seating) if history.get(p, 0) >= 1)
    if figures.seated >= 3:
        figures.small_tables = sum(1 for c in figures.composition if c.size < 3)
    figures.newcomer_spread = max(shares) - min(shares) if shares else 0.0
    return figures
