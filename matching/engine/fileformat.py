"""Format v1 (docs/design.md §4): parse and validate problem and solution files, and write them back.

Every error is collected (not just the first) as one line naming its place, e.g.
``people[3].id: duplicate id "ann"`` or ``ties[10].b: unknown person "zed"``.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import fields
from typing import Any

from .model import (
    MAX_ROUNDS,
    PROBLEM_FORMAT,
    SOLUTION_FORMAT,
    Options,
    Person,
    Pin,
    Problem,
    ProblemError,
    RoundPlan,
    Solution,
    Table,
    Tie,
    Weights,
    options_as_dict,
)

_MISSING = object()


class TooLongInteger:
    """Stands in for a JSON integer with more digits than Python converts
    (``sys.get_int_max_str_digits()``, 4300 by default), so that validation can name its
    place instead of the JSON reader failing on it. See :func:`parse_json_int`."""

    __slots__ = ("digits",)

    def __init__(self, digits: int):
        self.digits = digits

    def __repr__(self) -> str:
        return f"TooLongInteger({self.digits})"


def parse_json_int(text: str) -> int | TooLongInteger:
    """``parse_int`` for :func:`json.loads`: an int, or :class:`TooLongInteger`."""
    try:
        return int(text)
    except ValueError:
        return TooLongInteger(len(text.lstrip("-")))


def _printable(text: str) -> str:
    """Text safe to print and store: unpaired surrogates (from JSON escapes such as
    ``"\\ud800"``) written as backslash escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _show(value: Any) -> str:
    if isinstance(value, TooLongInteger):
        return f"an integer too long to read ({value.digits} digits)"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 10_000:
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Checker:
    """Collects errors while reading nested JSON values."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, place: str, message: str) -> None:
        self.errors.append(_printable(f"{place}: {message}" if place else message))

    def obj(self, value: Any, place: str, allowed: tuple[str, ...]) -> dict | None:
        if not isinstance(value, dict):
            self.error(place, f"expected an object, got {_show(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.error(_join(place, key), "unknown key")
        return value

    def array(self, value: Any, place: str) -> list | None:
        if not isinstance(value, list):
            self.error(place, f"expected a list, got {_show(value)}")
            return None
        return value

    def boolean(self, value: Any, place: str) -> bool | None:
        if not isinstance(value, bool):
            self.error(place, f"expected true or false, got {_show(value)}")
            return None
        return value

    def integer(self, value: Any, place: str, minimum: int = 0) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            kind = {0: "a non-negative integer", 1: "a positive integer"}.get(
                minimum, f"an integer >= {minimum}"
            )
            self.error(place, f"expected {kind}, got {_show(value)}")
            return None
        return value

    def number(self, value: Any, place: str, *, positive: bool = False) -> float | None:
        kind = "a positive number" if positive else "a non-negative number"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(place, f"expected {kind}, got {_show(value)}")
            return None
        if isinstance(value, int) and abs(value) > sys.float_info.max:
            self.error(place, f"expected a finite number, got {_show(value)}")
            return None
        if not math.isfinite(value):
            self.error(place, f"expected a finite number, got {_show(value)}")
            return None
        if value < 0 or (positive and value == 0):
            self.error(place, f"expected {kind}, got {_show(value)}")
            return None
        return float(value)

    def ident(self, value: Any, place: str, what: str = "id") -> str | None:
        if not isinstance(value, str) or not value:
            self.error(place, f"expected a non-empty string {what}, got {_show(value)}")
            return None
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.error(
                place,
                f"expected text, got {_show(value)} with an unpaired surrogate "
                "(\\ud800-\\udfff is not a character)",
            )
            return None
        return value

    def required(self, item: dict, key: str, place: str, fallback: Any = None) -> Any:
        """``item[key]``; when it is missing, an error at ``place.key`` and ``fallback``."""
        if key in item:
            return item[key]
        self.error(_join(place, key), "required field is missing")
        return fallback

    def new_id(self, item: dict, place: str, seen: set[str]) -> str | None:
        """The item's required ``id``: a non-empty string not already in ``seen``."""
        raw = self.required(item, "id", place, _MISSING)
        if raw is _MISSING:
            return None
        ident = self.ident(raw, f"{place}.id")
        if ident is not None and ident in seen:
            self.error(f"{place}.id", f"duplicate id {_show(ident)}")
            return None
        return ident

    def ref(self, value: Any, place: str, known: set[str], kind: str) -> str | None:
        ident = self.ident(value, place)
        if ident is None:
            return None
        if ident not in known:
            self.error(place, f"unknown {kind} {_show(ident)}")
            return None
        return ident


def _join(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key


_PROBLEM_KEYS = (
    "format",
    "rounds",
    "seed",
    "time_limit_s",
    "people",
    "tables",
    "ties",
    "history",
    "avoid",
    "together",
    "pinned",
    "options",
)


def problem_from_dict(data: Any) -> Problem:
    """Validate a format-v1 problem (parsed JSON) and build a :class:`Problem`.

    Raises :class:`ProblemError` listing every error found.
    """
    c = _Checker()
    top = c.obj(data, "", _PROBLEM_KEYS)
    if top is None:
        raise ProblemError(["(top level): expected a JSON object, got " + _show(data)])
    fmt = c.required(top, "format", "", _MISSING)
    if fmt is not _MISSING and fmt != PROBLEM_FORMAT:
        c.error("format", f'expected "{PROBLEM_FORMAT}", got {_show(fmt)}')

    rounds = c.integer(top.get("rounds", 1), "rounds", minimum=1)
    if rounds is not None and rounds > MAX_ROUNDS:
        # Refused before anything is sized by it (every person's and table's rounds).
        c.error("rounds", f"at most {MAX_ROUNDS} rounds, got {_show(rounds)}")
        rounds = None
    seed = c.integer(top.get("seed", 0), "seed", minimum=0)
    time_limit = top.get("time_limit_s")
    time_limit_s = (
        None if time_limit is None else c.number(time_limit, "time_limit_s", positive=True)
    )

    def round_list(value: Any, place: str) -> tuple[int, ...] | None:
        items = c.array(value, place)
        if items is None:
            return None
        seen: set[int] = set()
        out = []
        for i, item in enumerate(items):
            where = f"{place}[{i}]"
            number = c.integer(item, where, minimum=1)
            if number is None:
                continue
            if rounds is not None and number > rounds:
                c.error(where, f"round {number} is out of range 1..{rounds}")
            elif number in seen:
                c.error(where, f"duplicate round {number}")
            else:
                seen.add(number)
                out.append(number)
        return tuple(out)

    every_round = tuple(range(1, (rounds or 1) + 1))

    people: list[Person] = []
    person_ids: set[str] = set()
    raw_people = c.required(top, "people", "", [])
    for i, raw in enumerate(c.array(raw_people, "people") or []):
        place = f"people[{i}]"
        item = c.obj(raw, place, ("id", "newcomer", "topics", "accessible", "attends"))
        if item is None:
            continue
        ident = c.new_id(item, place, person_ids)
        newcomer = c.boolean(item.get("newcomer", False), f"{place}.newcomer")
        accessible = c.boolean(item.get("accessible", False), f"{place}.accessible")
        topics: list[str] = []
        for j, topic in enumerate(c.array(item.get("topics", []), f"{place}.topics") or []):
            name = c.ident(topic, f"{place}.topics[{j}]", "topic")
            if name is None:
                continue
            if name in topics:
                c.error(f"{place}.topics[{j}]", f"duplicate topic {_show(name)}")
            else:
                topics.append(name)
        attends = (
            round_list(item["attends"], f"{place}.attends") if "attends" in item else every_round
        )
        if ident is not None:
            person_ids.add(ident)
            people.append(
                Person(
                    id=ident,
                    newcomer=bool(newcomer),
                    topics=tuple(topics),
                    accessible=bool(accessible),
                    attends=attends or (),
                )
            )

    tables: list[Table] = []
    table_ids: set[str] = set()
    raw_tables = c.required(top, "tables", "", [])
    for i, raw in enumerate(c.array(raw_tables, "tables") or []):
        place = f"tables[{i}]"
        item = c.obj(raw, place, ("id", "capacity", "accessible", "rounds"))
        if item is None:
            continue
        ident = c.new_id(item, place, table_ids)
        capacity = c.required(item, "capacity", place, _MISSING)
        capacity = (
            None if capacity is _MISSING else c.integer(capacity, f"{place}.capacity", minimum=0)
        )
        accessible = c.boolean(item.get("accessible", False), f"{place}.accessible")
        table_rounds = (
            round_list(item["rounds"], f"{place}.rounds") if "rounds" in item else every_round
        )
        if ident is not None:
            table_ids.add(ident)
            tables.append(
                Table(
                    id=ident,
                    capacity=capacity or 0,
                    accessible=bool(accessible),
                    rounds=table_rounds or (),
                )
            )

    ties: list[Tie] = []
    seen_ties: dict[tuple[str, str], int] = {}
    for i, raw in enumerate(c.array(top.get("ties", []), "ties") or []):
        place = f"ties[{i}]"
        item = c.obj(raw, place, ("a", "b", "weight"))
        if item is None:
            continue
        ends = []
        for key in ("a", "b"):
            if key not in item:
                c.error(f"{place}.{key}", "required field is missing")
                ends.append(None)
            else:
                ends.append(c.ref(item[key], f"{place}.{key}", person_ids, "person"))
        weight = c.number(item.get("weight", 1.0), f"{place}.weight", positive=True)
        a, b = ends
        if a is not None and b is not None:
            if a == b:
                c.error(place, f"a tie needs two different people, got {_show(a)} twice")
                continue
            key = (a, b) if a < b else (b, a)
            if key in seen_ties:
                c.error(place, f"duplicate tie {_show(a)}-{_show(b)} (also ties[{seen_ties[key]}])")
                continue
            seen_ties[key] = i
            if weight is not None:
                ties.append(Tie(a=a, b=b, weight=weight))

    def groups(name: str, minimum: int) -> list[tuple[str, ...]]:
        out = []
        for i, raw in enumerate(c.array(top.get(name, []), name) or []):
            place = f"{name}[{i}]"
            items = c.array(raw, place)
            if items is None:
                continue
            if len(items) < minimum:
                need = "two or more people" if minimum == 2 else "at least one person"
                c.error(place, f"expected a list of {need}, got {len(items)}")
                continue
            group: list[str] = []
            ok = True
            for j, member in enumerate(items):
                ident = c.ref(member, f"{place}[{j}]", person_ids, "person")
                if ident is None:
                    ok = False
                elif ident in group:
                    c.error(f"{place}[{j}]", f"{_show(ident)} is listed twice")
                    ok = False
                else:
                    group.append(ident)
            if ok:
                out.append(tuple(group))
        return out

    history = groups("history", 1)
    avoid = groups("avoid", 2)
    together = groups("together", 2)

    pinned: list[Pin] = []
    for i, raw in enumerate(c.array(top.get("pinned", []), "pinned") or []):
        place = f"pinned[{i}]"
        item = c.obj(raw, place, ("person", "table", "round"))
        if item is None:
            continue
        person = table = None
        if "person" not in item:
            c.error(f"{place}.person", "required field is missing")
        else:
            person = c.ref(item["person"], f"{place}.person", person_ids, "person")
        if "table" not in item:
            c.error(f"{place}.table", "required field is missing")
        else:
            table = c.ref(item["table"], f"{place}.table", table_ids, "table")
        pin_round = item.get("round")
        ok = True
        if pin_round is not None:
            pin_round = c.integer(pin_round, f"{place}.round", minimum=1)
            if pin_round is None:
                ok = False
            elif rounds is not None and pin_round > rounds:
                c.error(f"{place}.round", f"round {pin_round} is out of range 1..{rounds}")
                ok = False
        if person is not None and table is not None and ok:
            pinned.append(Pin(person=person, table=table, round=pin_round))

    options = _options_from(c, top.get("options", {}))

    if c.errors:
        raise ProblemError(c.errors)
    return Problem(
        rounds=rounds,
        people=tuple(people),
        tables=tuple(tables),
        ties=tuple(ties),
        history=tuple(history),
        avoid=tuple(avoid),
        together=tuple(together),
        pinned=tuple(pinned),
        options=options,
        seed=seed,
        time_limit_s=time_limit_s,
    )


def _options_from(c: _Checker, raw: Any) -> Options:
    names = tuple(f.name for f in fields(Options))
    item = c.obj(raw, "options", names)
    if item is None:
        return Options()
    values: dict[str, Any] = {}
    if "weights" in item:
        weight_names = tuple(f.name for f in fields(Weights))
        raw_weights = c.obj(item["weights"], "options.weights", weight_names)
        if raw_weights is not None:
            weights = {}
            for key in weight_names:
                if key in raw_weights:
                    value = c.number(raw_weights[key], f"options.weights.{key}")
                    if value is not None:
                        weights[key] = value
            values["weights"] = Weights(**weights)
    if "friend_threshold" in item:
        value = c.number(item["friend_threshold"], "options.friend_threshold")
        if value is not None:
            values["friend_threshold"] = value
    if "min_table_size" in item:
        value = c.integer(item["min_table_size"], "options.min_table_size", minimum=1)
        if value is not None:
            values["min_table_size"] = value
    for key, minimum in (
        ("preferred_table_size", 1),
        ("max_iterations", 0),
        ("stall_iterations", 1),
    ):
        if item.get(key) is not None:
            value = c.integer(item[key], f"options.{key}", minimum=minimum)
            if value is not None:
                values[key] = value
    return Options(**values)


def validate_problem(problem: Problem) -> Problem:
    """Check a Problem built in Python by the same rules as a file (ProblemError if invalid)."""
    try:
        data = problem_to_dict(problem)
    except (AttributeError, TypeError) as exc:
        raise ProblemError([f"(problem): not a valid Problem: {exc}"]) from None
    return problem_from_dict(data)


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The format-v1 dict of a problem, every default written out explicitly."""
    return {
        "format": PROBLEM_FORMAT,
        "rounds": problem.rounds,
        "seed": problem.seed,
        "time_limit_s": problem.time_limit_s,
        "people": [
            {
                "id": p.id,
                "newcomer": p.newcomer,
                "topics": list(p.topics),
                "accessible": p.accessible,
                "attends": list(p.attends) if p.attends is not None else None,
            }
            for p in problem.people
        ],
        "tables": [
            {
                "id": t.id,
                "capacity": t.capacity,
                "accessible": t.accessible,
                "rounds": list(t.rounds) if t.rounds is not None else None,
            }
            for t in problem.tables
        ],
        "ties": [{"a": t.a, "b": t.b, "weight": t.weight} for t in problem.ties],
        "history": [list(g) for g in problem.history],
        "avoid": [list(g) for g in problem.avoid],
        "together": [list(g) for g in problem.together],
        "pinned": [
            {
                "person": p.person,
                "table": p.table,
                **({} if p.round is None else {"round": p.round}),
            }
            for p in problem.pinned
        ],
        "options": options_as_dict(problem.options),
    }


def solution_to_dict(solution: Solution) -> dict[str, Any]:
    """The format-v1 dict of a solution."""
    return {
        "format": SOLUTION_FORMAT,
        "rounds": [
            {
                "round": plan.round,
                "tables": {table: list(members) for table, members in plan.tables.items()},
                "unseated": list(plan.unseated),
            }
            for plan in solution.rounds
        ],
        "metrics": solution.metrics,
        "elapsed_s": solution.elapsed_s,
    }


def solution_from_dict(data: Any, problem: Problem) -> Solution:
    """Validate a format-v1 solution against its problem's ids (ProblemError otherwise).

    Structure and ids are checked here; broken hard constraints (a person at two tables,
    a full table overfilled, ...) are not errors but show up in ``score``'s violations.
    """
    c = _Checker()
    top = c.obj(data, "", ("format", "rounds", "metrics", "elapsed_s"))
    if top is None:
        raise ProblemError(["(top level): expected a JSON object, got " + _show(data)])
    fmt = c.required(top, "format", "", _MISSING)
    if fmt is not _MISSING and fmt != SOLUTION_FORMAT:
        c.error("format", f'expected "{SOLUTION_FORMAT}", got {_show(fmt)}')
    person_ids = {p.id for p in problem.people}
    table_ids = {t.id for t in problem.tables}
    plans: list[RoundPlan] = []
    seen_rounds: set[int] = set()
    raw_rounds = c.required(top, "rounds", "", [])
    for i, raw in enumerate(c.array(raw_rounds, "rounds") or []):
        place = f"rounds[{i}]"
        item = c.obj(raw, place, ("round", "tables", "unseated"))
        if item is None:
            continue
        number = None
        if "round" not in item:
            c.error(f"{place}.round", "required field is missing")
        else:
            number = c.integer(item["round"], f"{place}.round", minimum=1)
            if number is not None and number > problem.rounds:
                c.error(f"{place}.round", f"round {number} is out of range 1..{problem.rounds}")
                number = None
            elif number is not None and number in seen_rounds:
                c.error(f"{place}.round", f"duplicate round {number}")
                number = None
        tables: dict[str, tuple[str, ...]] = {}
        raw_tables = c.required(item, "tables", place, {})
        if not isinstance(raw_tables, dict):
            c.error(f"{place}.tables", f"expected an object, got {_show(raw_tables)}")
            raw_tables = {}
        for table, raw_members in raw_tables.items():
            where = f"{place}.tables.{table}"
            if table not in table_ids:
                c.error(where, f"unknown table {_show(table)}")
                continue
            members = []
            for j, member in enumerate(c.array(raw_members, where) or []):
                ident = c.ref(member, f"{where}[{j}]", person_ids, "person")
                if ident is not None:
                    members.append(ident)
            tables[table] = tuple(members)
        unseated = []
        for j, member in enumerate(c.array(item.get("unseated", []), f"{place}.unseated") or []):
            ident = c.ref(member, f"{place}.unseated[{j}]", person_ids, "person")
            if ident is not None:
                unseated.append(ident)
        if number is not None:
            seen_rounds.add(number)
            plans.append(RoundPlan(round=number, tables=tables, unseated=tuple(unseated)))
    metrics = top.get("metrics", {})
    if not isinstance(metrics, dict):
        c.error("metrics", f"expected an object, got {_show(metrics)}")
        metrics = {}
    elapsed = c.number(top.get("elapsed_s", 0.0), "elapsed_s")
    if c.errors:
        raise ProblemError(c.errors)
    plans.sort(key=lambda plan: plan.round)
    return Solution(rounds=tuple(plans), metrics=metrics, elapsed_s=elapsed or 0.0)
