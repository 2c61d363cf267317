"""Tie strength: only ties of at least ``options.friend_threshold`` are friendships (welcome
circles, anchors and their metrics), stronger circles are preferred, and ``circle_strength``
reports how strong the circles are (docs/design.md §3)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matching.engine import (
    Options,
    Person,
    Problem,
    ProblemError,
    RoundPlan,
    Solution,
    Table,
    Tie,
    problem_from_dict,
    problem_to_dict,
    score,
    solve,
)
from matching.engine.generate import planted_with_plan


def people(returning: str, newcomers: str = "") -> tuple[Person, ...]:
    return tuple(Person(id=x) for x in returning) + tuple(
        Person(id=x, newcomer=True) for x in newcomers
    )


def budget(problem: Problem, **options) -> Problem:
    return replace(problem, options=replace(problem.options, max_iterations=2000, **options))


def test_ties_below_the_threshold_are_not_friendships():
    # a-b met once at a table three years ago (0.5); c-d confirmed a meeting this year (2.0)
    problem = Problem(
        rounds=1,
        people=people("abcd", "xy"),
        tables=(Table(id="T1", capacity=3), Table(id="T2", capacity=3)),
        ties=(Tie("a", "b", 0.5), Tie("c", "d", 2.0)),
    )
    plan = Solution(
        rounds=(RoundPlan(round=1, tables={"T1": ("a", "b", "x"), "T2": ("c", "d", "y")}),)
    )
    strict = score(problem, plan)  # default threshold 0.6
    assert (strict["welcomed"], strict["newcomers"]) == (1, 2)
    assert (strict["anchored"], strict["anchor_eligible"]) == (2, 2)
    assert (strict["circle_tables"], strict["circle_strength"]) == (1, 2.0)
    assert strict["rounds"][0]["circle_strength"] == 2.0

    every_tie = replace(problem, options=Options(friend_threshold=0.0))
    loose = score(every_tie, plan)
    assert (loose["welcomed"], loose["anchored"], loose["anchor_eligible"]) == (2, 4, 4)
    assert (loose["circle_tables"], loose["circle_strength"]) == (2, 1.25)


def test_circle_strength_is_the_mean_over_circles_of_their_ties_mean_weight():
    problem = Problem(
        rounds=2,
        people=people("abcdef", "x"),
        tables=(Table(id="T1", capacity=4), Table(id="T2", capacity=4)),
        ties=(Tie("a", "b", 1.0), Tie("a", "c", 3.0), Tie("d", "e", 4.0), Tie("b", "f", 2.0)),
    )
    plan = Solution(
        rounds=(
            # round 1: T1 ties a-b 1, a-c 3 (mean 2); T2 tie d-e 4
            RoundPlan(round=1, tables={"T1": ("a", "b", "c", "x"), "T2": ("d", "e", "f")}),
            # round 2: T1 tie b-f 2; T2 no circle (counts for nothing)
            RoundPlan(round=2, tables={"T1": ("b", "f", "x"), "T2": ("a", "d")}),
        ),
    )
    metrics = score(problem, plan)
    assert [m["circle_strength"] for m in metrics["rounds"]] == [3.0, 2.0]
    assert [m["circle_tables"] for m in metrics["rounds"]] == [2, 1]
    assert (metrics["circle_tables"], metrics["circle_strength"]) == (3, (2 + 4 + 2) / 3)
    nobody = score(problem, Solution(rounds=(RoundPlan(1, {"T1": ("a", "d")}), RoundPlan(2, {}))))
    assert (nobody["circle_tables"], nobody["circle_strength"]) == (0, 0.0)


def test_the_solver_welcomes_newcomers_with_real_friends_not_weak_ties():
    # Two possible circles: a-b (a single seated encounter years ago) and c-d (close friends).
    problem = Problem(
        rounds=1,
        people=people("abcdef", "x"),
        tables=(Table(id="T1", capacity=4), Table(id="T2", capacity=4)),
        ties=(Tie("a", "b", 0.4), Tie("c", "d", 2.5)),
    )
    for seed in range(4):
        solution = solve(budget(problem), seed=seed, time_limit_s=30)
        table = next(m for m in solution.rounds[0].tables.values() if "x" in m)
        assert {"c", "d"} <= set(table), (seed, solution.rounds[0].tables)
        assert solution.metrics["welcome_rate"] == 1.0


def test_stronger_circles_are_preferred_when_both_are_friends():
    # a-b and c-d are close friends; a-c and b-d barely over the threshold. Both pairings
    # welcome both newcomers and anchor everyone: the stronger one should win.
    problem = Problem(
        rounds=1,
        people=people("abcd", "xy"),
        tables=(Table(id="T1", capacity=3), Table(id="T2", capacity=3)),
        ties=(Tie("a", "b", 5.0), Tie("c", "d", 5.0), Tie("a", "c", 0.7), Tie("b", "d", 0.7)),
    )
    for seed in range(6):
        solution = solve(budget(problem), seed=seed, time_limit_s=30)
        tables = sorted(sorted(m) for m in solution.rounds[0].tables.values())
        assert [t[:2] for t in tables] == [["a", "b"], ["c", "d"]], (seed, tables)
        assert solution.metrics["circle_strength"] == 5.0


def test_on_a_planted_instance_weak_ties_are_not_friendships():
    problem, _ = planted_with_plan(people=100, rounds=2, seed=3)
    returning = [p.id for p in problem.people if not p.newcomer]
    newcomers = {p.id for p in problem.people if p.newcomer}
    lonely = returning[0]  # loses every planted tie: only weak ones are left to them
    ties = tuple(t for t in problem.ties if lonely not in (t.a, t.b))
    friends = {(t.a, t.b) for t in ties if t.weight >= 0.6}
    friends |= {(b, a) for a, b in friends}
    tied = {frozenset((t.a, t.b)) for t in ties}
    # Every returning pair without a tie gets a weak one (below the default threshold 0.6).
    weak = tuple(
        Tie(a, b, 0.3)
        for i, a in enumerate(returning)
        for b in returning[i + 1 :]
        if frozenset((a, b)) not in tied
    )
    noisy = replace(problem, ties=ties + weak)

    solution = solve(budget(noisy), time_limit_s=60)
    metrics = solution.metrics
    assert (metrics["repeat_pairs"], metrics["welcome_rate"], metrics["anchor_rate"]) == (0, 1, 1)
    for round_plan in solution.rounds:
        for members in round_plan.tables.values():
            if newcomers.intersection(members):  # its circle holds a real friendship
                assert any((a, b) in friends for a in members for b in members), members

    # Counting every tie, the weak ones make everybody a friend: the lonely person is there
    # to be anchored in both rounds, and circles look weaker. The default threshold ignores them.
    every_tie = score(replace(noisy, options=Options(friend_threshold=0.0)), solution)
    assert every_tie["anchor_eligible"] == metrics["anchor_eligible"] + 2
    assert every_tie["circle_strength"] < metrics["circle_strength"]


def test_friend_threshold_round_trips_and_is_validated():
    data = {
        "format": "drinktables.problem.v1",
        "people": [{"id": "a"}, {"id": "b"}],
        "tables": [{"id": "t", "capacity": 2}],
        "options": {"friend_threshold": 1.5},
    }
    problem = problem_from_dict(data)
    assert problem.options.friend_threshold == 1.5
    written = problem_to_dict(problem)
    assert written["options"]["friend_threshold"] == 1.5
    assert problem_from_dict(written) == problem
    assert problem_from_dict({**data, "options": {}}).options.friend_threshold == 0.6
    for value, message in (
        (-1, "options.friend_threshold: expected a non-negative number, got -1"),
        ("high", 'options.friend_threshold: expected a non-negative number, got "high"'),
        (float("inf"), "options.friend_threshold: expected a finite number, got Infinity"),
    ):
        with pytest.raises(ProblemError) as error:
            problem_from_dict({**data, "options": {"friend_threshold": value}})
        assert error.value.errors == [message]
