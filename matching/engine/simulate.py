"""Simulation of a conference series: how a seating policy weaves newcomers in over editions.

The model and every parameter (default, source, or "assumed") are documented in
docs/outcomes.md; this module implements it. In short, for each edition:

1. The attendees: edition 1 is the problem file (its people, ``newcomer`` flags, ties and
   tables); later editions are whoever returned plus new newcomers (``newcomer_share`` of the
   edition, new ids), with tables like the first edition's, scaled to attendance.
2. Each evening (``problem.rounds`` of them) is seated by the policy: ``drinktables`` (the
   engine, on an iteration budget), ``friends-first`` or ``random`` (the baselines of
   baselines.py), or ``mingle`` (no seating: people mostly meet friends and friends of
   friends).
3. Ties form between people who shared a table (or met at the mixer) with probability
   ``tie_formation``, times ``closure_boost`` when a mutual friend sits with them; ties
   between people who meet again gain ``reinforce_weight``; ``background_tie_rate`` adds ties
   between any two attendees.
4. A year passes: each tie survives with a probability that grows with its weight (from
   ``weak_tie_survival`` to ``close_tie_survival``) and its weight decays by ``weight_decay``.
   A *lasting* tie is one at or above ``options.friend_threshold`` after this step.
5. The edition's figures are taken; then each attendee returns to the next edition with a
   probability that grows with past attendances and with lasting ties to co-attendees.

Everything random comes from generators seeded by the simulation's seed, so the same
problem, policy, params and seed give the same result; the engine runs on an iteration
budget (its time limit is only a safety net), so nothing depends on the clock.

Python API: :func:`simulate`, :func:`simulate_policies`, :func:`simulation_params`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from . import baselines
from .fileformat import validate_problem
from .model import Person, Problem, ProblemError, Solution, Table, Tie
from .solver import solve

SIMULATION_FORMAT = "drinktables.simulation.v1"
POLICIES = ("drinktables", "friends-first", "random", "mingle")
MAX_EDITIONS = 50

# name -> (default, kind, description); kinds: "share" 0..1, "positive", "non-negative",
# "count" (a non-negative integer), "positive count" (an integer >= 1). docs/outcomes.md
# gives the source of each default.
PARAMETERS: dict[str, tuple[Any, str, str]] = {
    "newcomer_share": (0.30, "share", "share of each later edition's attendees who are new"),
    "first_edition_attendances": (
        2,
        "positive count",
        "editions attended so far by a returning person of the first edition (incl. it)",
    ),
    "return_first_timers": (0.45, "share", "chance a one-time attendee returns, no ties"),
    "return_five_timers": (0.80, "share", "chance a five-time attendee returns, no ties"),
    "tie_return_odds": (
        1.3,
        "positive",
        "odds of returning multiply by this per lasting tie to a returning attendee",
    ),
    "tie_return_cap": (3, "count", "lasting ties that count for returning, at most"),
    "tie_formation": (0.25, "share", "chance two strangers at one table for an evening tie"),
    "closure_boost": (2.0, "positive", "tie_formation multiplies by this with a mutual friend"),
    "new_tie_weight": (1.0, "positive", "weight of a new tie (one shared table)"),
    "reinforce_weight": (1.0, "non-negative", "weight a tie gains when its pair meets again"),
    "background_tie_rate": (
        0.0,
        "share",
        "chance that any two attendees form a tie during an edition, seated or not",
    ),
    "weight_decay": (0.5 ** (1 / 3), "share", "yearly factor on every tie's weight"),
    "weak_tie_survival": (0.10, "share", "chance a tie of weight <= weak_tie_weight survives"),
    "close_tie_survival": (0.975, "share", "chance a tie of weight >= close_tie_weight lasts"),
    "weak_tie_weight": (1.0, "positive", "up to this weight a tie survives as a weak tie"),
    "close_tie_weight": (3.0, "positive", "from this weight a tie survives as a close tie"),
    "mingle_contacts": (7, "count", "people each attendee meets per mixer evening"),
    "mingle_friend_share": (0.5, "share", "share of mixer contacts spent with friends"),
    "mingle_fof_share": (0.25, "share", "share of mixer contacts with friends of friends"),
    "engine_iterations": (3000, "positive count", "drinktables: the engine's move budget"),
    "engine_time_limit_s": (120.0, "positive", "drinktables: the engine's safety time limit"),
}
DEFAULT_PARAMS: dict[str, Any] = {name: spec[0] for name, spec in PARAMETERS.items()}


# ---------------------------------------------------------------------------- parameters
def simulation_params(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every parameter with its effective value: the defaults, then ``overrides``.

    Raises ProblemError with one line per unknown key or bad value (``params.tie_formation:
    expected a number from 0 to 1, got 2``).
    """
    errors: list[str] = []
    params = dict(DEFAULT_PARAMS)
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, Mapping):
        raise ProblemError([f"params: expected an object, got {_describe(overrides)}"])
    for key, value in overrides.items():
        place = f"params.{key}"
        if key not in PARAMETERS:
            errors.append(f"{_printable(place)}: unknown parameter")
            continue
        kind = PARAMETERS[key][1]
        checked = _check_param(value, kind)
        if isinstance(checked, str):
            errors.append(f"{place}: {checked}, got {_describe(value)}")
        else:
            params[key] = checked
    if not errors and params["weak_tie_weight"] > params["close_tie_weight"]:
        errors.append(
            f"params.weak_tie_weight: must not exceed close_tie_weight "
            f"({params['close_tie_weight']:g}), got {params['weak_tie_weight']:g}"
        )
    if not errors and params["mingle_friend_share"] + params["mingle_fof_share"] > 1:
        errors.append(
            "params.mingle_fof_share: mingle_friend_share + mingle_fof_share must not exceed 1"
        )
    if not errors and params["return_five_timers"] < params["return_first_timers"]:
        errors.append(
            "params.return_five_timers: must not be below return_first_timers (returning grows "
            "with attendances)"
        )
    for key in ("return_first_timers", "return_five_timers"):
        if not errors and not 0 < params[key] < 1:
            errors.append(
                f"params.{key}: expected a share above 0 and below 1, got {params[key]:g}"
            )
    if not errors and not 0 < params["newcomer_share"] < 1:
        errors.append(
            f"params.newcomer_share: expected a share above 0 and below 1, got "
            f"{params['newcomer_share']:g}"
        )
    if errors:
        raise ProblemError(errors)
    return params


def _check_param(value: Any, kind: str) -> Any:
    """The value as the kind wants it, or the error message (a str) when it is not one."""
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind in ("count", "positive count"):
        minimum = 1 if kind == "positive count" else 0
        what = "a positive integer" if minimum else "a non-negative integer"
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            return f"expected {what}"
        if value > 10**9:
            return f"expected {what} up to 1000000000"
        return value
    if not is_number or (isinstance(value, int) and abs(value) > 1e308):
        return "expected a number"
    value = float(value)
    if not math.isfinite(value):
        return "expected a finite number"
    if kind == "share" and not 0 <= value <= 1:
        return "expected a number from 0 to 1"
    if kind == "positive" and value <= 0:
        return "expected a positive number"
    if kind == "non-negative" and value < 0:
        return "expected a non-negative number"
    return value


def _printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return _printable(f'"{value}"' if len(value) <= 40 else f'"{value[:37]}..."')
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, int) and value.bit_length() > 200:
        return "a very large integer"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return type(value).__name__


def return_chance(attendances: int, params: Mapping[str, Any]) -> float:
    """Chance to come back after ``attendances`` editions (ties aside): (k + a) / (k + a + b),
    the positive feedback of a Pólya urn as in Smiljanić et al. 2016, with a and b set so that
    k = 1 gives ``return_first_timers`` and k = 5 ``return_five_timers``."""
    p1, p5 = params["return_first_timers"], params["return_five_timers"]
    r1, r5 = (1 - p1) / p1, (1 - p5) / p5  # the odds against returning
    if r1 - r5 < 1e-12:
        return p1  # flat: the same chance whatever the attendances
    a = (5 * r5 - r1) / (r1 - r5)  # > -1 whenever p5 > p1, so k + a > 0 for k >= 1
    b = (1 + a) * r1
    k = max(1, attendances)
    return (k + a) / (k + a + b)


# ---------------------------------------------------------------------------- the series
@dataclass
class _Person:
    id: str
    topics: tuple[str, ...]
    accessible: bool
    attendances: int  # editions attended so far (the current one included once seated)
    first_newcomer_edition: int | None  # the edition they came to as a newcomer, if any


@dataclass
class _Series:
    """Everyone seen so far and the ties between them (keys: person indices, a < b)."""

    people: list[_Person] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    ties: dict[tuple[int, int], float] = field(default_factory=dict)

    def add(self, person: _Person) -> int:
        i = len(self.people)
        self.people.append(person)
        self.index[person.id] = i
        return i

    def neighbours(self, present: Iterable[int], threshold: float) -> dict[int, list[int]]:
        """For the people present, their friends present (weight >= threshold), sorted."""
        here = set(present)
        out: dict[int, list[int]] = {x: [] for x in sorted(here)}
        for (a, b), w in self.ties.items():
            if w >= threshold and a in here and b in here:
                out[a].append(b)
                out[b].append(a)
        for friends in out.values():
            friends.sort()
        return out


def simulate(
    problem: Problem,
    *,
    policy: str,
    editions: int,
    seed: int,
    params: Mapping[str, Any] | None = None,
    progress: Callable[[float], None] | None = None,
    keep_seatings: bool = False,
) -> dict[str, Any]:
    """Run ``editions`` editions of a series whose first edition is ``problem``.

    Returns the result dict of docs/outcomes.md (the same as ``python -m matching simulate``
    writes): ``{"format", "policy", "seed", "params", "editions": [...]}``. ``progress(fraction)``
    is called with a non-decreasing fraction in 0..1 (last call 1.0). ``keep_seatings`` adds
    each edition's evenings (tables of ids, or mixer pairs) as ``"seatings"``. Raises
    ProblemError (invalid problem, policy, editions or params) or InfeasibleError (the first
    edition's hard constraints cannot hold).
    """
    errors = request_errors(policy=policy, editions=editions, seed=seed)
    effective: dict[str, Any] = {}
    try:
        effective = simulation_params(params)
    except ProblemError as exc:
        errors.extend(exc.errors)
    if errors:
        raise ProblemError(errors)
    problem = validate_problem(problem)
    runner = _Simulation(problem, policy, editions, seed, effective, progress, keep_seatings)
    return runner.run()


def request_errors(*, policy: Any, editions: Any, seed: Any) -> list[str]:
    """One line per invalid argument of :func:`simulate` (params aside), naming it."""
    errors = []
    if policy not in POLICIES:
        errors.append(f"policy: expected one of {', '.join(POLICIES)}, got {_describe(policy)}")
    if (
        not isinstance(editions, int)
        or isinstance(editions, bool)
        or not 1 <= editions <= MAX_EDITIONS
    ):
        errors.append(
            f"editions: expected an integer from 1 to {MAX_EDITIONS}, got {_describe(editions)}"
        )
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        errors.append(f"seed: expected a non-negative integer, got {_describe(seed)}")
    return errors


def simulate_policies(
    problem: Problem,
    *,
    policies: Iterable[str] = POLICIES,
    editions: int,
    seed: int,
    params: Mapping[str, Any] | None = None,
    progress: Callable[[float], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """:func:`simulate` for several policies on the same problem, params and seed:
    ``{policy: result}`` in the order given. ``progress`` covers all of them."""
    chosen = list(policies)
    out: dict[str, dict[str, Any]] = {}
    for i, policy in enumerate(chosen):

        def part(fraction: float, i: int = i) -> None:
            if progress is not None:
                progress((i + fraction) / len(chosen))

        out[policy] = simulate(
            problem, policy=policy, editions=editions, seed=seed, params=params, progress=part
        )
    return out


class _Simulation:
    def __init__(
        self,
        problem: Problem,
        policy: str,
        editions: int,
        seed: int,
        params: dict[str, Any],
        progress: Callable[[float], None] | None,
        keep_seatings: bool,
    ):
        self.problem = problem
        self.policy = policy
        self.editions = editions
        self.seed = seed
        self.params = params
        self.progress = progress
        self.keep_seatings = keep_seatings
        self.threshold = problem.options.friend_threshold
        self.reported = 0.0
        self.series = _Series()
        # Separate generators: the seatings, the tie dynamics and attendance do not share
        # draws, so changing one part of the model does not reshuffle the others.
        self.rng_ties = random.Random(f"{seed}:ties")
        self.rng_attendance = random.Random(f"{seed}:attendance")
        self.rng_mingle = random.Random(f"{seed}:mingle")
        capacities = [(t.capacity, t.accessible) for t in problem.tables if t.capacity > 0]
        self.table_pattern = capacities or [(8, False)]
        seats = sum(c for c, _ in self.table_pattern)
        self.seat_ratio = max(1.0, seats / max(1, len(problem.people)))
        self.topic_pool = [p.topics for p in problem.people if p.topics]

    # ------------------------------------------------------------------ progress
    def report(self, fraction: float) -> None:
        if self.progress is not None and fraction > self.reported:
            self.reported = fraction
            self.progress(min(1.0, fraction))

    # ------------------------------------------------------------------ main loop
    def run(self) -> dict[str, Any]:
        series, params = self.series, self.params
        self.report(0.0)
        first = [
            series.add(
                _Person(
                    id=p.id,
                    topics=p.topics,
                    accessible=p.accessible,
                    attendances=0 if p.newcomer else params["first_edition_attendances"] - 1,
                    first_newcomer_edition=1 if p.newcomer else None,
                )
            )
            for p in self.problem.people
        ]
        for tie in self.problem.ties:
            a, b = series.index[tie.a], series.index[tie.b]
            series.ties[(min(a, b), max(a, b))] = tie.weight
        attendees = first
        newcomers = {i for i, p in zip(first, self.problem.people, strict=True) if p.newcomer}
        results: list[dict[str, Any]] = []
        for edition in range(1, self.editions + 1):
            span = (edition - 1) / self.editions, edition / self.editions
            figures, returning = self.edition(edition, attendees, newcomers, span)
            results.append(figures)
            if edition < self.editions:
                returned = set(returning)
                figures["newcomer_return_rate"] = _rate(
                    sum(1 for x in newcomers if x in returned), len(newcomers)
                )
                figures["return_rate"] = _rate(len(returning), len(attendees))
                attendees, newcomers = self.next_attendees(edition + 1, returning)
            else:
                figures["newcomer_return_rate"] = None
                figures["return_rate"] = None
            self.report(span[1])
        self.report(1.0)
        return {
            "format": SIMULATION_FORMAT,
            "policy": self.policy,
            "seed": self.seed,
            "params": {**params, "friend_threshold": self.threshold},
            "editions": results,
        }

    def edition(
        self, edition: int, attendees: list[int], newcomers: set[int], span: tuple[float, float]
    ) -> tuple[dict[str, Any], list[int]]:
        series, params, threshold = self.series, self.params, self.threshold
        people = series.people
        problem = self.edition_problem(edition, attendees, newcomers)
        friends_before = series.neighbours(attendees, threshold)
        for x in attendees:
            people[x].attendances += 1

        def seat_progress(fraction: float) -> None:
            self.report(span[0] + (span[1] - span[0]) * 0.9 * fraction)

        seating, metrics = self.seat(edition, problem, seat_progress)
        for evening in seating:
            self.evening(evening)
        if params["background_tie_rate"] > 0:
            self.background(attendees)
        self.decay()

        # Figures after the decay step: lasting ties are those at or above the threshold.
        returning = [x for x in attendees if x not in newcomers]
        returning_set = set(returning)
        lasting = series.neighbours(attendees, threshold)
        to_returning = [sum(1 for f in lasting[x] if f in returning_set) for x in sorted(newcomers)]
        hosts = self.former_newcomer_hosts(edition, seating, newcomers, friends_before)
        figures: dict[str, Any] = {
            "edition": edition,
            "attendees": len(attendees),
            "newcomers": len(newcomers),
            "returning": len(returning),
            "newcomer_ties_to_returning": (
                sum(to_returning) / len(to_returning) if to_returning else None
            ),
            "woven_in_share": (
                sum(1 for c in to_returning if c >= 2) / len(to_returning) if to_returning else None
            ),
            "newcomer_return_rate": None,
            "return_rate": None,
            "hosts_who_were_newcomers": hosts,
            "largest_component_share": _largest_component_share(lasting),
            "clustering": _average_clustering(lasting),
            "lasting_ties": sum(len(fs) for fs in lasting.values()) // 2,
            "welcome_rate": metrics.get("welcome_rate") if metrics else None,
            "anchor_rate": metrics.get("anchor_rate") if metrics else None,
            "repeat_pairs": metrics.get("repeat_pairs") if metrics else None,
        }
        if self.keep_seatings:
            figures["seatings"] = [
                [[people[x].id for x in group] for group in evening] for evening in seating
            ]
        returning_next = self.returners(attendees, lasting, returning_set)
        return figures, returning_next

    # ------------------------------------------------------------------ building editions
    def edition_problem(self, edition: int, attendees: list[int], newcomers: set[int]) -> Problem:
        options = replace(self.problem.options, max_iterations=self.params["engine_iterations"])
        if edition == 1:
            return replace(self.problem, options=options, seed=self.seed)
        people = self.series.people
        rounds = self.problem.rounds
        every = tuple(range(1, rounds + 1))
        seats_needed = math.ceil(len(attendees) * self.seat_ratio)
        tables: list[Table] = []
        seats = 0
        while seats < seats_needed or not tables:
            capacity, accessible = self.table_pattern[len(tables) % len(self.table_pattern)]
            tables.append(
                Table(
                    id=f"t{len(tables) + 1}", capacity=capacity, accessible=accessible, rounds=every
                )
            )
            seats += capacity
        has_accessible = any(t.accessible for t in tables)
        present = set(attendees)
        ties = tuple(
            Tie(a=people[a].id, b=people[b].id, weight=w)
            for (a, b), w in sorted(self.series.ties.items())
            if a in present and b in present and w > 0
        )
        return Problem(
            rounds=rounds,
            people=tuple(
                Person(
                    id=people[x].id,
                    newcomer=x in newcomers,
                    topics=people[x].topics,
                    accessible=people[x].accessible and has_accessible,
                    attends=every,
                )
                for x in attendees
            ),
            tables=tuple(tables),
            ties=ties,
            options=options,
            seed=self.seed + edition - 1,
        )

    def next_attendees(self, edition: int, returning: list[int]) -> tuple[list[int], set[int]]:
        share = self.params["newcomer_share"]
        if returning:
            count = round(len(returning) * share / (1 - share))
        else:
            count = max(1, round(len(self.problem.people) * share))
        rng = self.rng_attendance
        fresh = []
        for k in range(count):
            ident = f"e{edition}-n{k + 1}"
            while ident in self.series.index:
                ident += "'"
            topics = rng.choice(self.topic_pool) if self.topic_pool else ()
            fresh.append(
                self.series.add(
                    _Person(
                        id=ident,
                        topics=topics,
                        accessible=False,
                        attendances=0,
                        first_newcomer_edition=edition,
                    )
                )
            )
        # Ties of people who left the series play no further part.
        keep = set(returning)
        self.series.ties = {
            key: w for key, w in self.series.ties.items() if key[0] in keep and key[1] in keep
        }
        return sorted(returning) + fresh, set(fresh)

    # ------------------------------------------------------------------ seating
    def seat(
        self, edition: int, problem: Problem, progress: Callable[[float], None]
    ) -> tuple[list[list[list[int]]], dict[str, Any] | None]:
        """The evenings: per evening, groups of person indices that met (tables, or pairs at
        the mixer); with the plan's metrics for seated policies."""
        index = self.series.index
        seed = self.seed + edition - 1
        if self.policy == "mingle":
            attendees = [index[p.id] for p in problem.people]
            evenings = [self.mingle_evening(attendees) for _ in range(problem.rounds)]
            progress(1.0)
            return evenings, None
        solution = seat_problem(problem, self.policy, seed, self.params, progress)
        evenings = [
            [[index[x] for x in members] for members in plan.tables.values() if members]
            for plan in solution.rounds
        ]
        return evenings, solution.metrics

    def mingle_evening(self, attendees: list[int]) -> list[list[int]]:
        """A mixer: contacts per person, friends first, then friends of friends, then anyone
        with time left (Ingram & Morris 2007: about half the encounters are with friends)."""
        params, rng, series = self.params, self.rng_mingle, self.series
        contacts = params["mingle_contacts"]
        slots = dict.fromkeys(attendees, contacts)
        friends = series.neighbours(attendees, self.threshold)
        met: set[tuple[int, int]] = set()
        pairs: list[list[int]] = []

        def meet(a: int, b: int) -> None:
            met.add((min(a, b), max(a, b)))
            slots[a] -= 1
            slots[b] -= 1
            pairs.append([min(a, b), max(a, b)])

        def free(a: int, b: int) -> bool:
            return a != b and slots[b] > 0 and (min(a, b), max(a, b)) not in met

        order = list(attendees)
        rng.shuffle(order)
        want_friends = round(contacts * params["mingle_friend_share"])
        want_fof = round(contacts * params["mingle_fof_share"])
        for x in order:
            options = [f for f in friends[x] if free(x, f)]
            rng.shuffle(options)
            for f in options[: max(0, min(want_friends, slots[x]))]:
                if slots[x] > 0 and free(x, f):
                    meet(x, f)
        for x in order:
            mine = set(friends[x])
            fof = sorted({g for f in friends[x] for g in friends[f]} - mine - {x})
            options = [g for g in fof if free(x, g)]
            rng.shuffle(options)
            for g in options[: max(0, min(want_fof, slots[x]))]:
                if slots[x] > 0 and free(x, g):
                    meet(x, g)
        available = [x for x in order if slots[x] > 0]
        for x in order:
            tries = 0
            while slots[x] > 0 and available and tries < 4 * contacts:
                tries += 1
                y = available[rng.randrange(len(available))]
                if free(x, y):
                    meet(x, y)
            available = [y for y in available if slots[y] > 0]
        return pairs

    # ------------------------------------------------------------------ tie dynamics
    def evening(self, groups: list[list[int]]) -> None:
        """Ties form or strengthen between people who met this evening."""
        params, series, rng = self.params, self.series, self.rng_ties
        threshold = self.threshold
        ties = series.ties
        before = dict(ties)  # friendships as they stood when the evening began
        at_mixer: dict[int, set[int]] = {}
        if self.policy == "mingle":  # a mutual friend anywhere at the mixer introduces them
            for (a, b), w in before.items():
                if w >= threshold:
                    at_mixer.setdefault(a, set()).add(b)
                    at_mixer.setdefault(b, set()).add(a)
        p_form = params["tie_formation"]
        boost = params["closure_boost"]
        gain = params["reinforce_weight"]
        new_weight = params["new_tie_weight"]
        for group in groups:
            members = sorted(group)
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    key = (a, b)
                    if before.get(key, 0.0) > 0:
                        ties[key] = ties.get(key, 0.0) + gain
                        continue
                    if at_mixer:
                        mutual = not at_mixer.get(a, set()).isdisjoint(at_mixer.get(b, ()))
                    else:
                        mutual = any(
                            before.get((min(a, c), max(a, c)), 0.0) >= threshold
                            and before.get((min(b, c), max(b, c)), 0.0) >= threshold
                            for c in members
                            if c != a and c != b
                        )
                    chance = min(1.0, p_form * (boost if mutual else 1.0))
                    if rng.random() < chance:
                        ties[key] = ties.get(key, 0.0) + new_weight

    def background(self, attendees: list[int]) -> None:
        rate, rng, ties = self.params["background_tie_rate"], self.rng_ties, self.series.ties
        weight = self.params["new_tie_weight"]
        ordered = sorted(attendees)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if rng.random() < rate and ties.get((a, b), 0.0) <= 0:
                    ties[(a, b)] = weight

    def decay(self) -> None:
        """A year passes: each tie survives or not, and survivors lose weight."""
        rng = self.rng_ties
        draws = {key: rng.random() for key in sorted(self.series.ties)}
        kept = {}
        for key, w in self.series.ties.items():
            after = decayed_weight(w, draws[key], self.params)
            if after > 0:
                kept[key] = after
        self.series.ties = kept

    # ------------------------------------------------------------------ attendance
    def returners(
        self, attendees: list[int], lasting: dict[int, list[int]], returning: set[int]
    ) -> list[int]:
        """Who comes back: the chance after their attendances (``return_chance``), its odds
        multiplied by ``tie_return_odds`` per lasting tie to a returning attendee of this
        edition (at most ``tie_return_cap`` of them)."""
        params, rng, people = self.params, self.rng_attendance, self.series.people
        odds_per_tie, cap = params["tie_return_odds"], params["tie_return_cap"]
        out = []
        for x in sorted(attendees):
            base = return_chance(people[x].attendances, params)
            ties = min(cap, sum(1 for f in lasting[x] if f in returning))
            odds = base / max(1e-12, 1 - base) * odds_per_tie**ties
            if rng.random() < odds / (1 + odds):
                out.append(x)
        return out

    # ------------------------------------------------------------------ figures
    def former_newcomer_hosts(
        self,
        edition: int,
        seating: list[list[list[int]]],
        newcomers: set[int],
        friends: dict[int, list[int]],
    ) -> int | None:
        """People who came as newcomers to an earlier edition and now belong to a circle that
        welcomes a newcomer: in some evening they sit, as a returning person, at a table with
        a newcomer of this edition and with a friend (a tie at or above the threshold when
        the edition began) who is returning too. None for the mixer (no tables)."""
        if self.policy == "mingle":
            return None
        people = self.series.people
        hosts: set[int] = set()
        for evening in seating:
            for members in evening:
                if not any(x in newcomers for x in members):
                    continue
                returning = [x for x in members if x not in newcomers]
                for x in returning:
                    came = people[x].first_newcomer_edition
                    if came is None or came >= edition:
                        continue
                    mine = friends.get(x, ())
                    if any(y in mine for y in returning if y != x):
                        hosts.add(x)
        return len(hosts)


def decayed_weight(weight: float, draw: float, params: Mapping[str, Any]) -> float:
    """A tie's weight a year later, given a uniform draw in [0, 1): 0 when it does not survive.

    It survives when ``draw`` < the survival chance, which rises linearly with the weight from
    ``weak_tie_survival`` (at ``weak_tie_weight`` and below) to ``close_tie_survival`` (at
    ``close_tie_weight`` and above); a survivor's weight is multiplied by ``weight_decay``.
    For one draw the result never exceeds the weight and never decreases as the weight grows.
    """
    if weight <= 0:
        return 0.0
    weak, close = params["weak_tie_weight"], params["close_tie_weight"]
    low, high = params["weak_tie_survival"], params["close_tie_survival"]
    if weight <= weak:
        survival = low
    elif weight >= close:
        survival = high
    else:
        survival = low + (high - low) * (weight - weak) / (close - weak)
    survival = max(survival, low) if high >= low else survival
    return weight * params["weight_decay"] if draw < survival else 0.0


def seat_problem(
    problem: Problem,
    policy: str,
    seed: int,
    params: Mapping[str, Any],
    progress: Callable[[float], None] | None = None,
) -> Solution:
    """One edition's evenings seated by a table policy (not ``mingle``)."""
    if policy == "drinktables":
        budgeted = replace(
            problem, options=replace(problem.options, max_iterations=params["engine_iterations"])
        )
        return solve(
            budgeted, seed=seed, time_limit_s=params["engine_time_limit_s"], progress=progress
        )
    if policy == "friends-first":
        solution = baselines.friends_first(problem, seed)
    elif policy == "random":
        solution = baselines.random_seating(problem, seed)
    else:
        raise ValueError(f"not a table policy: {policy}")
    if progress is not None:
        progress(1.0)
    return solution


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _largest_component_share(graph: Mapping[int, list[int]]) -> float:
    """Share of the people in the largest connected component (1.0 for nobody)."""
    if not graph:
        return 1.0
    seen: set[int] = set()
    largest = 0
    for start in graph:
        if start in seen:
            continue
        seen.add(start)
        stack, size = [start], 0
        while stack:
            x = stack.pop()
            size += 1
            for y in graph[x]:
                if y not in seen:
                    seen.add(y)
                    stack.append(y)
        largest = max(largest, size)
    return largest / len(graph)


def _average_clustering(graph: Mapping[int, list[int]]) -> float:
    """Mean local clustering coefficient; people with fewer than two ties count 0."""
    if not graph:
        return 0.0
    neighbour_sets = {x: set(ys) for x, ys in graph.items()}
    total = 0.0
    for ys in graph.values():
        k = len(ys)
        if k < 2:
            continue
        links = sum(1 for i, a in enumerate(ys) for b in ys[i + 1 :] if b in neighbour_sets[a])
        total += 2 * links / (k * (k - 1))
    return total / len(graph)
