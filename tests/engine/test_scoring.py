"""The metrics of docs/design.md §3, checked on hand-made plans."""

from __future__ import annotations

import pytest

from matching.engine import (
    HARD_CONSTRAINTS,
    Person,
    Pin,
    Problem,
    RoundPlan,
    Solution,
    Table,
    Tie,
    hard_violations,
    plan_rank,
    score,
)


def plan(*rounds: dict[str, tuple[str, ...]], unseated=()) -> Solution:
    return Solution(
        rounds=tuple(
            RoundPlan(round=i + 1, tables=tables, unseated=tuple(unseated))
            for i, tables in enumerate(rounds)
        )
    )


@pytest.fixture
def small() -> Problem:
    return Problem(
        rounds=2,
        people=(
            Person(id="a", topics=("go",)),
            Person(id="b"),
            Person(id="c"),
            Person(id="d"),
            Person(id="x", newcomer=True, topics=("go",)),
            Person(id="y", newcomer=True, topics=("go",)),
        ),
        tables=(Table(id="A", capacity=4), Table(id="B", capacity=4)),
        ties=(Tie(a="a", b="b"), Tie(a="c", b="d"), Tie(a="a", b="c")),
        history=(("a", "b"),),
    )


def test_goal_metrics_per_round_and_pooled(small):
    metrics = score(
        small,
        plan(
            {"A": ("a", "c", "x"), "B": ("b", "d", "y")},
            {"A": ("a", "b", "y"), "B": ("c", "d", "x")},
        ),
    )
    assert metrics["violations"] == dict.fromkeys(HARD_CONSTRAINTS, 0)
    assert (metrics["seated"], metrics["unseated"]) == (12, 0)
    # a-b sat together in the history; c-x and b-y sat together in round 1
    assert metrics["repeat_pairs"] == 3
    assert (metrics["welcomed"], metrics["newcomers"], metrics["welcome_rate"]) == (3, 4, 0.75)
    assert (metrics["anchored"], metrics["anchor_eligible"], metrics["anchor_rate"]) == (6, 8, 0.75)
    # a can be anchored once (by c: b was met in the history), b never, c twice, d once.
    assert metrics["anchor_bound"] == 0.5
    assert (metrics["topic_matched"], metrics["topic_newcomers"], metrics["topic_rate"]) == (
        2,
        4,
        0.5,
    )
    assert metrics["small_tables"] == 0
    assert metrics["newcomer_spread"] == 0.0
    first, second = metrics["rounds"]
    assert first["round"] == 1
    assert (first["welcome_rate"], first["anchor_rate"], first["topic_rate"]) == (0.5, 0.5, 0.5)
    assert (first["repeat_pairs"], first["anchor_bound"]) == (0, 0.75)
    assert (second["welcome_rate"], second["anchor_rate"], second["repeat_pairs"]) == (1.0, 1.0, 3)


def test_rates_with_empty_denominators_are_one():
    problem = Problem(rounds=1, people=(Person(id="a"),), tables=(Table(id="t", capacity=1),))
    metrics = score(problem, plan({"t": ("a",)}))
    assert (metrics["welcome_rate"], metrics["anchor_rate"], metrics["topic_rate"]) == (1, 1, 1)
    assert metrics["anchor_bound"] == 1.0
    assert metrics["small_tables"] == 0  # fewer than 3 people in the round


def test_small_tables_and_newcomer_spread(small):
    metrics = score(small, plan({"A": ("a", "b", "c", "d"), "B": ("x", "y")}, {}))
    assert metrics["small_tables"] == 1
    assert metrics["newcomer_spread"] == 1.0
    assert metrics["welcome_rate"] == 0.0  # x and y only have each other
    assert metrics["unseated"] == 6
    assert metrics["violations"]["unseated_with_room"] == 6


def test_each_hard_constraint_violation_is_counted():
    problem = Problem(
        rounds=1,
        people=(
            Person(id="a"),
            Person(id="b"),
            Person(id="c", accessible=True),
            Person(id="d", attends=()),
            Person(id="e"),
            Person(id="f"),
            Person(id="g"),
        ),
        tables=(
            Table(id="A", capacity=2, accessible=True),
            Table(id="B", capacity=3),
            Table(id="C", capacity=3, rounds=()),
            Table(id="D", capacity=2),
        ),
        avoid=(("a", "b"),),
        together=(("e", "f"),),
        pinned=(Pin(person="g", table="A"),),
    )
    metrics = score(
        problem,
        plan({"A": ("a", "b", "a"), "B": ("c", "d", "e", "g"), "C": ("f",)}),
    )
    assert metrics["violations"] == {
        "one_table": 1,  # a twice at A
        "attendance": 1,  # d does not attend
        "capacity": 3,  # A holds 3 for 2 seats, B 4 for 3, C is closed this round
        "avoid": 1,  # a and b
        "together": 1,  # e and f apart
        "pinned": 1,  # g not at A
        "accessible": 1,  # c at B
        "unseated_with_room": 0,
    }
    assert hard_violations(metrics) == 9


def test_unseated_with_room_counts_people_a_free_seat_could_take():
    problem = Problem(
        rounds=1,
        people=(Person(id="a"), Person(id="b"), Person(id="c"), Person(id="d", accessible=True)),
        tables=(Table(id="A", capacity=3), Table(id="B", capacity=1)),
        avoid=(("c", "a"),),
    )
    # c avoids a (at A) and B is full; d needs an accessible table and there is none.
    metrics = score(problem, plan({"A": ("a",), "B": ("b",)}))
    assert metrics["violations"]["unseated_with_room"] == 0
    assert metrics["unseated"] == 2
    metrics = score(problem, plan({"A": ("a",), "B": ()}))
    assert metrics["violations"]["unseated_with_room"] == 2  # b at A or B, c at B
    assert metrics["unseated"] == 3


def test_pairs_of_a_together_group_are_not_repeats():
    problem = Problem(
        rounds=2,
        people=(Person(id="a"), Person(id="b"), Person(id="c")),
        tables=(Table(id="A", capacity=3),),
        together=(("a", "b"),),
    )
    metrics = score(problem, plan({"A": ("a", "b", "c")}, {"A": ("a", "b", "c")}))
    assert metrics["repeat_pairs"] == 2  # a-c and b-c; a-b asked to sit together


def test_plan_rank_follows_the_goal_priority(small):
    first = {"A": ("a", "c", "x"), "B": ("b", "d", "y")}
    good = score(small, plan(first, {"A": ("a", "b", "y"), "B": ("c", "d", "x")}))
    repeated = score(small, plan(first, first))
    broken = score(small, plan({"A": ("a", "b", "c", "d", "x")}, {}))
    assert (good["repeat_pairs"], repeated["repeat_pairs"]) == (3, 6)
    assert sorted([broken, repeated, good], key=plan_rank) == [good, repeated, broken]
