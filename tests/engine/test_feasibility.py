"""Contradictory hard constraints are reported (InfeasibleError, CLI exit 3) with a clear
message naming the constraint, the people and the tables; too few seats is not an error."""

from __future__ import annotations

import pytest

from matching.engine import InfeasibleError, check_feasible, problem_from_dict, solve


def problem(**extra) -> dict:
    data = {
        "format": "drinktables.problem.v1",
        "rounds": 2,
        "people": [{"id": x} for x in ("ann", "bob", "cy", "dee", "eve")],
        "tables": [
            {"id": "T1", "capacity": 3, "accessible": True},
            {"id": "T2", "capacity": 2, "rounds": [1]},
        ],
    }
    data.update(extra)
    return data


def message(data: dict) -> str:
    with pytest.raises(InfeasibleError) as info:
        check_feasible(problem_from_dict(data))
    return info.value.message


def test_feasible_problem_passes():
    assert check_feasible(problem_from_dict(problem())) is None


def test_together_group_larger_than_every_table():
    data = problem(together=[["ann", "bob"], ["bob", "cy", "dee"]])
    assert message(data) == (
        'together: the together group "ann", "bob", "cy", "dee" (4 people) is larger than '
        "every table in every round (largest: 3)"
    )


def test_together_group_only_checked_in_rounds_all_of_it_attends():
    data = problem(together=[["ann", "bob", "cy", "dee"]])
    data["people"][0]["attends"] = [2]
    data["tables"][0]["rounds"] = [1]
    data["tables"][1]["rounds"] = [1, 2]
    assert message(data) == (
        'together: the together group "ann", "bob", "cy", "dee" (4 people) is larger than '
        "every table in round 2 (largest: 2)"
    )


def test_together_pair_that_also_avoids():
    data = problem(together=[["ann", "bob"]], avoid=[["bob", "ann"]])
    assert message(data) == (
        'together and avoid: "ann" and "bob" must sit together (together) and apart (avoid) '
        "in every round"
    )


def test_avoiding_people_pinned_to_the_same_table():
    data = problem(
        avoid=[["ann", "eve"]],
        pinned=[{"person": "ann", "table": "T1"}, {"person": "eve", "table": "T1", "round": 2}],
    )
    assert message(data) == (
        'avoid and pinned: "ann" and "eve" must sit apart but are both pinned to "T1" in round 2'
    )


def test_pin_to_a_table_missing_in_that_round():
    data = problem(pinned=[{"person": "bob", "table": "T2"}])
    assert message(data) == 'pinned: "bob" is pinned to "T2", which is not available in round 2'


def test_pin_to_a_table_too_small_for_the_pinned_people_and_their_groups():
    data = problem(
        together=[["ann", "bob"]],
        pinned=[{"person": "ann", "table": "T2", "round": 1}, {"person": "cy", "table": "T2"}],
    )
    data["tables"][1]["rounds"] = [1, 2]
    assert message(data) == (
        'pinned: 3 people ("ann", "bob", "cy", with their together groups) are pinned to "T2", '
        "which seats 2, in round 1"
    )


def test_person_pinned_to_two_tables():
    data = problem(
        pinned=[{"person": "ann", "table": "T1"}, {"person": "ann", "table": "T2", "round": 1}]
    )
    assert message(data) == 'pinned: "ann" is pinned to both "T1" and "T2" in round 1'


def test_together_members_pinned_to_different_tables():
    data = problem(
        together=[["ann", "bob"]],
        pinned=[{"person": "ann", "table": "T1"}, {"person": "bob", "table": "T2", "round": 1}],
    )
    assert message(data) == (
        'together and pinned: "ann", "bob" must sit together but "ann", "bob" are pinned to '
        'different tables ("T1", "T2") in round 1'
    )


def test_accessible_need_pinned_to_a_table_that_is_not_accessible():
    data = problem(pinned=[{"person": "cy", "table": "T2", "round": 1}])
    data["people"][2]["accessible"] = True
    assert message(data) == (
        'accessible and pinned: "cy" needs an accessible table but is pinned to "T2", '
        "which is not accessible (round 1)"
    )


def test_accessible_need_with_no_accessible_table():
    data = problem()
    data["people"][4]["accessible"] = True
    data["tables"][0]["accessible"] = False
    assert message(data) == (
        'accessible: "eve" needs an accessible table but there is none in every round'
    )


def test_together_group_needing_access_that_no_accessible_table_fits():
    data = problem(together=[["ann", "bob", "cy"]])
    data["people"][1]["accessible"] = True
    data["tables"][0]["capacity"] = 2
    data["tables"][1]["capacity"] = 5
    assert message(data) == (
        'together and accessible: the together group "ann", "bob", "cy" (3 people) needs an '
        "accessible table but no accessible table seats 3 in every round (largest: 2)"
    )


def test_every_contradiction_is_listed():
    data = problem(
        together=[["ann", "bob"]],
        avoid=[["ann", "bob"]],
        pinned=[{"person": "cy", "table": "T2"}],
    )
    assert message(data).splitlines() == [
        'together and avoid: "ann" and "bob" must sit together (together) and apart (avoid) '
        "in every round",
        'pinned: "cy" is pinned to "T2", which is not available in round 2',
    ]


def test_too_few_seats_is_not_infeasible_the_plan_lists_the_unseated():
    data = problem()
    data["people"] += [{"id": f"x{i}"} for i in range(10)]
    solution = solve(problem_from_dict(data), time_limit_s=1)
    assert solution.metrics["unseated"] == (15 - 5) + (15 - 3)
    assert [len(plan.unseated) for plan in solution.rounds] == [10, 12]
    assert solution.metrics["violations"]["unseated_with_room"] == 0


def test_a_round_without_seats_leaves_everyone_unseated():
    data = problem(together=[["ann", "bob"]])
    data["people"][2]["accessible"] = True
    data["tables"] = [{"id": "T1", "capacity": 0}]
    check_feasible(problem_from_dict(data))
    solution = solve(problem_from_dict(data), time_limit_s=1)
    assert solution.metrics["unseated"] == 10
    assert solution.metrics["violations"]["unseated_with_room"] == 0
