"""The figures of one round's seating: the engine's metrics, and each table's mix.

docs/design.md §3 defines the metrics once, in ``matching.engine.score``. The insights score
the real plan and the friends-first baseline of a round as solutions of the same engine
problem (the round as it stood before it happened), so the two columns compare like with like
and mean exactly what a run's metrics mean. Counted here is only what the engine does not
report: how many returning people and newcomers sit at each table, and the figures pooled
over separately scored rounds.
"""

from dataclasses import dataclass, fields

from matching import engine

# The per-round figures of ``engine.score`` the insights show (and pool over rounds).
ENGINE_FIGURES = (
    "seated",
    "unseated",
    "newcomers",
    "welcomed",
    "anchor_eligible",
    "anchored",
    "topic_newcomers",
    "topic_matched",
    "repeat_pairs",
    "small_tables",
    "newcomer_spread",
)


def rate(numerator: int, denominator: int) -> float:
    """A share; an empty denominator counts as everyone served (1.0), as the engine does."""
    return numerator / denominator if denominator else 1.0


@dataclass(frozen=True)
class TableComposition:
    table_id: str  # the engine's table id, t<pk>
    returning: int
    newcomers: int

    @property
    def size(self) -> int:
        return self.returning + self.newcomers


@dataclass(frozen=True)
class SeatingFigures:
    """A round's figures as ``matching.engine.score`` reports them, and its tables' mix.

    ``repeat_pairs`` is the round's own: pairs seated together again after sharing a table in
    the problem's history (the earlier rounds). Summed over a conference's rounds, each scored
    with the rounds before it as history, it is the design's sum over pairs of (times seated
    together - 1).
    """

    seated: int = 0
    unseated: int = 0
    newcomers: int = 0
    welcomed: int = 0
    anchor_eligible: int = 0
    anchored: int = 0
    topic_newcomers: int = 0
    topic_matched: int = 0
    repeat_pairs: int = 0
    small_tables: int = 0
    newcomer_spread: float = 0.0
    composition: tuple[TableComposition, ...] = ()

    @property
    def welcome_rate(self) -> float:
        return rate(self.welcomed, self.newcomers)

    @property
    def anchor_rate(self) -> float:
        return rate(self.anchored, self.anchor_eligible)

    @property
    def topic_rate(self) -> float:
        return rate(self.topic_matched, self.topic_newcomers)

    @property
    def tables_used(self) -> int:
        return len(self.composition)

    def __add__(self, other: "SeatingFigures") -> "SeatingFigures":
        """Pooled over rounds as the engine pools its rounds: counts add up, the spread is the
        worst round's."""
        pooled = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(self)
            if f.name != "newcomer_spread"
        }
        return SeatingFigures(
            **pooled, newcomer_spread=max(self.newcomer_spread, other.newcomer_spread)
        )


def score_seating(*, problem: engine.Problem, solution: engine.Solution) -> SeatingFigures:
    """Score a one-round ``solution`` of ``problem`` with ``matching.engine.score``."""
    (figures,) = engine.score(problem, solution)["rounds"]
    newcomers = {person.id for person in problem.people if person.newcomer}
    composition = []
    for table_id, people in sorted(solution.rounds[0].tables.items()):
        if people:
            table_newcomers = len(set(people) & newcomers)
            composition.append(
                TableComposition(table_id, len(set(people)) - table_newcomers, table_newcomers)
            )
    return SeatingFigures(
        **{name: figures[name] for name in ENGINE_FIGURES}, composition=tuple(composition)
    )
