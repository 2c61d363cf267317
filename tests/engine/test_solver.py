"""solve(): hard constraints always hold, metrics equal the scorer's, determinism, time limit,
early stop, progress and cancellation, and plan quality on planted instances."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from matching.engine import (
    HARD_CONSTRAINTS,
    InfeasibleError,
    Options,
    Person,
    Problem,
    Table,
    hard_violations,
    problem_from_dict,
    score,
    solution_from_dict,
    solution_to_dict,
    solve,
)
from matching.engine.baselines import friends_first, random_seating
from matching.engine.generate import community, golfer, planted, planted_with_plan, random_problem


def assert_valid(problem: Problem, solution) -> dict:
    metrics = score(problem, solution)
    assert metrics["violations"] == dict.fromkeys(HARD_CONSTRAINTS, 0)
    assert solution.metrics == metrics
    return metrics


def seating(solution) -> list[dict]:
    return [dict(plan.tables) for plan in solution.rounds]


def test_solution_lists_every_table_of_each_round_and_every_attendee(problem_data):
    problem = problem_from_dict(problem_data)
    solution = solve(problem)
    assert_valid(problem, solution)
    assert [list(plan.tables) for plan in solution.rounds] == [["T1", "T2"], ["T1", "T2"]]
    for plan in solution.rounds:
        seated = [x for members in plan.tables.values() for x in members]
        attending = [p.id for p in problem.people if plan.round in p.attends]
        assert sorted(seated + list(plan.unseated)) == sorted(attending)
    # the file-level constraints: ann pinned to T1 in round 1, fay with gus, ann apart from eve
    first, second = solution.rounds
    assert "ann" in first.tables["T1"]
    for plan in solution.rounds:
        assert any({"fay", "gus"} <= set(members) for members in plan.tables.values())
        assert not any({"ann", "eve"} <= set(members) for members in plan.tables.values())
        assert "dee" in plan.tables["T1"]  # needs the accessible table


def test_same_seed_same_plan_and_seed_argument_overrides_the_file():
    problem = random_problem(people=40, seed=11)
    problem = replace(problem, options=replace(problem.options, max_iterations=3000))
    first = solve(problem, seed=3, time_limit_s=30)
    second = solve(problem, seed=3, time_limit_s=30)
    assert seating(first) == seating(second)
    assert first.metrics == second.metrics
    reseeded = Problem(**{**problem.__dict__, "seed": 3})
    assert seating(solve(reseeded, time_limit_s=30)) == seating(first)


def test_time_limit_is_respected():
    problem = community(people=600, rounds=3, seed=1)
    endless = Problem(**{**problem.__dict__, "options": Options(stall_iterations=10**9)})
    started = time.perf_counter()
    solution = solve(endless, time_limit_s=2.0)
    elapsed = time.perf_counter() - started
    assert 1.0 <= elapsed <= 2.0 * 1.1 + 0.25  # (a little slack for a busy machine)
    assert solution.elapsed_s <= 2.0 * 1.1 + 0.25
    assert hard_violations(solution.metrics) == 0


def test_stops_early_when_nothing_can_improve():
    started = time.perf_counter()
    solution = solve(golfer(5, 3, 7), time_limit_s=60)  # Kirkman's schoolgirls: 0 repeats
    assert time.perf_counter() - started < 20
    assert solution.metrics["repeat_pairs"] == 0


def test_progress_is_reported_monotone_and_ends_at_one():
    seen: list[float] = []
    problem = planted(people=100, seed=4)
    problem = replace(problem, options=replace(problem.options, max_iterations=500))
    solve(problem, time_limit_s=60, progress=seen.append)
    assert len(seen) >= 3
    assert seen == sorted(seen)
    assert seen[0] >= 0.0
    assert seen[-1] == 1.0


def test_should_stop_returns_the_best_plan_so_far():
    problem = community(people=600, seed=2)
    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return calls["n"] > 5

    started = time.perf_counter()
    solution = solve(problem, time_limit_s=60, should_stop=stop)
    assert time.perf_counter() - started < 15
    assert calls["n"] > 5
    assert_valid(problem, solution)
    assert solution.metrics["unseated"] == 0


def test_infeasible_problem_raises():
    problem = Problem(
        rounds=1,
        people=(Person(id="a"), Person(id="b")),
        tables=(Table(id="t", capacity=1),),
        together=(("a", "b"),),
    )
    with pytest.raises(InfeasibleError, match="together"):
        solve(problem)


@pytest.mark.parametrize("rounds,history", [(1, 0), (3, 0), (2, 1)])
def test_planted_instances_are_solved_perfectly(rounds, history):
    problem, plan = planted_with_plan(people=100, rounds=rounds, history_rounds=history, seed=5)
    known = score(problem, plan)
    assert (known["welcome_rate"], known["anchor_rate"], known["repeat_pairs"]) == (1, 1, 0)
    # An iteration budget, not the clock: the same search on any machine (300 suffice here).
    problem = replace(problem, options=replace(problem.options, max_iterations=1000))
    solution = solve(problem, time_limit_s=60)
    metrics = assert_valid(problem, solution)
    assert metrics["repeat_pairs"] == 0
    assert metrics["welcome_rate"] == 1.0
    assert metrics["anchor_rate"] == 1.0
    assert metrics["unseated"] == 0


def test_engine_beats_both_baselines_on_the_goals():
    problem = community(people=300, rounds=3, seed=3)
    budget = Problem(**{**problem.__dict__, "options": Options(max_iterations=1500)})
    ours = solve(budget, time_limit_s=60).metrics  # an iteration budget: same result on any machine
    for baseline in (random_seating(problem, seed=1), friends_first(problem, seed=1)):
        theirs = assert_valid(problem, baseline)
        assert ours["repeat_pairs"] <= theirs["repeat_pairs"]
        assert ours["welcome_rate"] >= theirs["welcome_rate"]
    assert ours["repeat_pairs"] == 0
    assert ours["welcome_rate"] >= 0.98


def test_baselines_keep_hard_constraints_on_a_constrained_problem(problem_data):
    problem = problem_from_dict(problem_data)
    for solution in (random_seating(problem, seed=2), friends_first(problem, seed=2)):
        assert_valid(problem, solution)


def test_friends_first_fills_tables_through_ties_and_leaves_newcomers_the_rest():
    problem = Problem(
        rounds=1,
        people=(
            Person(id="a"),
            Person(id="b"),
            Person(id="c"),
            Person(id="n1", newcomer=True),
            Person(id="n2", newcomer=True),
        ),
        tables=(Table(id="T1", capacity=3), Table(id="T2", capacity=3)),
        ties=problem_from_dict(
            {
                "format": "drinktables.problem.v1",
                "people": [{"id": x} for x in "abc"],
                "tables": [],
                "ties": [{"a": "a", "b": "b"}, {"a": "b", "b": "c"}],
            }
        ).ties,
    )
    plan = friends_first(problem).rounds[0].tables
    assert sorted(plan["T1"]) == ["a", "b", "c"]
    assert sorted(plan["T2"]) == ["n1", "n2"]


def test_solution_file_round_trip_scores_the_same(problem_data):
    problem = problem_from_dict(problem_data)
    solution = solve(problem)
    again = solution_from_dict(solution_to_dict(solution), problem)
    assert score(problem, again) == solution.metrics


def test_min_table_size_option_shapes_the_tables():
    people = tuple(Person(id=f"p{i}") for i in range(10))
    tables = tuple(Table(id=f"t{j}", capacity=8) for j in range(4))
    default = solve(Problem(rounds=1, people=people, tables=tables), time_limit_s=2)
    assert sorted(len(m) for m in default.rounds[0].tables.values()) == [0, 3, 3, 4]
    roomy = Problem(rounds=1, people=people, tables=tables, options=Options(min_table_size=5))
    solution = solve(roomy, time_limit_s=2)
    assert sorted(len(m) for m in solution.rounds[0].tables.values()) == [0, 0, 5, 5]
    assert solution.metrics["small_tables"] == 0
