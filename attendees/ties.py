"""Tie weights: how well two people know each other, the matcher's main input.

The weight of a tie is the sum over the pair's encounters of the kind's weight times
0.5 ** (years since / 3): a meeting confirmed by the attendees counts twice a shared table or
imported history, and every three years an encounter counts half as much as it did.
"""

from collections.abc import Iterable
from datetime import date

from attendees.enums import EncounterKind

KIND_WEIGHTS: dict[str, float] = {
    EncounterKind.MET: 2.0,
    EncounterKind.SEATED: 1.0,
    EncounterKind.IMPORTED: 1.0,
}
HALF_LIFE_YEARS = 3.0
DAYS_PER_YEAR = 365.25


def encounter_weight(*, kind: str, occurred_on: date, as_of: date) -> float:
    """The weight one encounter adds to a tie, seen from ``as_of``.

    Encounters after ``as_of`` have not happened yet from that point of view and weigh 0.
    """
    if occurred_on > as_of:
        return 0.0
    years_since = (as_of - occurred_on).days / DAYS_PER_YEAR
    return KIND_WEIGHTS[kind] * 0.5 ** (years_since / HALF_LIFE_YEARS)


def tie_weights_from(
    encounters: Iterable[tuple[int, int, str, date]], *, as_of: date
) -> dict[tuple[int, int], float]:
    """Sum encounters ``(a, b, kind, occurred_on)`` into ``{(a, b): weight}`` with a < b."""
    weights: dict[tuple[int, int], float] = {}
    for first, second, kind, occurred_on in encounters:
        weight = encounter_weight(kind=kind, occurred_on=occurred_on, as_of=as_of)
        if weight <= 0.0:
            continue
        pair = (first, second) if first < second else (second, first)
        weights[pair] = weights.get(pair, 0.0) + weight
    return weights
