"""The engine's vocabulary: frozen dataclasses of primitives in, a plan out.

Ids are opaque non-empty strings. Rounds are numbered from 1. A ``Problem`` built in Python
resolves the two defaults that depend on the number of rounds (``Person.attends`` and
``Table.rounds`` left as ``None`` mean "every round"), so after construction every field is
explicit, exactly as after parsing a format-v1 file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

PROBLEM_FORMAT = "drinktables.problem.v1"
SOLUTION_FORMAT = "drinktables.solution.v1"

DEFAULT_TIME_LIMIT_S = 10.0
# Most rounds a problem may have (docs/design.md §4): a conference has a few evenings; a
# larger number is refused before anything is sized by it.
MAX_ROUNDS = 100

HARD_CONSTRAINTS = (
    "one_table",
    "attendance",
    "capacity",
    "avoid",
    "together",
    "pinned",
    "accessible",
    "unseated_with_room",
)


class ProblemError(ValueError):
    """Invalid input: ``errors`` holds one line per problem, each naming its place."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


class InfeasibleError(ValueError):
    """The hard constraints cannot all hold; the message says which and for whom."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Person:
    id: str
    newcomer: bool = False
    topics: tuple[str, ...] = ()
    accessible: bool = False  # needs an accessible table
    attends: tuple[int, ...] | None = None  # None: every round (resolved by Problem)


@dataclass(frozen=True)
class Table:
    id: str
    capacity: int
    accessible: bool = False  # is an accessible table
    rounds: tuple[int, ...] | None = None  # None: every round (resolved by Problem)


@dataclass(frozen=True)
class Tie:
    a: str
    b: str
    weight: float = 1.0


@dataclass(frozen=True)
class Pin:
    person: str
    table: str
    round: int | None = None  # None: every round the person attends


@dataclass(frozen=True)
class Weights:
    """Weights of the objective, one per goal of docs/design.md §3 (lower total is better).

    The defaults are tiered so that, move by move, a higher goal always wins over any change
    a single move can make to the goals below it: no repeats > welcome > anchor > mix
    (small tables, then newcomer spread and table sizes) > topics.

    - ``repeat``: per repeated pair (two people seated together again).
    - ``welcome``: per seated newcomer whose table has no two returning friends.
    - ``anchor``: per seated returning person with a friend in the room but none at the table.
    - ``small_table``: per occupied table with fewer than ``Options.min_table_size`` people.
    - ``oversize``: per person above ``Options.preferred_table_size`` at a table.
    - ``newcomer_spread``: per unit of squared deviation of a table's newcomer count from its
      fair share (table size × the round's newcomer share).
    - ``table_size``: per unit of the sum of squared table sizes (evens sizes out).
    - ``topic``: per seated newcomer with topics who shares none with a tablemate.
    """

    repeat: float = 100_000_000.0
    welcome: float = 1_000_000.0
    anchor: float = 10_000.0
    small_table: float = 1_000.0
    oversize: float = 100.0
    newcomer_spread: float = 20.0
    table_size: float = 2.0
    topic: float = 1.0


@dataclass(frozen=True)
class Options:
    """Solver options (the ``options`` object of a problem file).

    - ``weights``: see :class:`Weights`.
    - ``friend_threshold``: a tie counts as a friendship (for the welcome circle, the anchor
      goal and their metrics) when its weight is at least this. The default 0.6 follows the
      tie weights of docs/design.md §2 (kind weight × 0.5^(years / 3)): one shared table
      (weight 1) counts for about two years (0.63 after two, 0.5 after three), a confirmed
      meeting (weight 2) for about five, ties renewed at several editions for longer. 0: every
      tie counts.
    - ``min_table_size``: tables with fewer people count as small (metric ``small_tables``).
    - ``preferred_table_size``: soft upper size; each person above it costs ``weights.oversize``.
      ``None`` (default): fill tables evenly up to their capacity.
    - ``max_iterations``: local-search move budget; ``None`` picks one from the problem size.
    - ``stall_iterations``: stop after this many moves without a better plan; ``None`` picks
      one from the problem size.
    """

    weights: Weights = field(default_factory=Weights)
    friend_threshold: float = 0.6
    min_table_size: int = 3
    preferred_table_size: int | None = None
    max_iterations: int | None = None
    stall_iterations: int | None = None


@dataclass(frozen=True)
class Problem:
    rounds: int
    people: tuple[Person, ...]
    tables: tuple[Table, ...]
    ties: tuple[Tie, ...] = ()
    history: tuple[tuple[str, ...], ...] = ()
    avoid: tuple[tuple[str, ...], ...] = ()
    together: tuple[tuple[str, ...], ...] = ()
    pinned: tuple[Pin, ...] = ()
    options: Options = field(default_factory=Options)
    seed: int = 0
    time_limit_s: float | None = None

    def __post_init__(self) -> None:
        valid_rounds = isinstance(self.rounds, int) and 0 < self.rounds <= MAX_ROUNDS
        every_round = tuple(range(1, self.rounds + 1)) if valid_rounds else ()
        people = tuple(
            replace(p, attends=every_round) if p.attends is None else p for p in self.people
        )
        tables = tuple(
            replace(t, rounds=every_round) if t.rounds is None else t for t in self.tables
        )
        object.__setattr__(self, "people", people)
        object.__setattr__(self, "tables", tables)
        for name in ("ties", "history", "avoid", "together", "pinned"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))


@dataclass(frozen=True)
class RoundPlan:
    round: int
    tables: dict[str, tuple[str, ...]]  # table id -> person ids; treat as read-only
    unseated: tuple[str, ...] = ()


@dataclass(frozen=True)
class Solution:
    rounds: tuple[RoundPlan, ...]
    metrics: dict[str, Any] = field(default_factory=dict)
    elapsed_s: float = 0.0


def options_as_dict(options: Options) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(options):
        value = getattr(options, f.name)
        if isinstance(value, Weights):
            value = {w.name: getattr(value, w.name) for w in fields(value)}
        out[f.name] = value
    return out
