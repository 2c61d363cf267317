"""Property tests: for any valid problem, solve() never breaks a hard constraint and reports
exactly the metrics the scorer computes; contradictions are reported as infeasible."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.engine import (
    HARD_CONSTRAINTS,
    InfeasibleError,
    check_feasible,
    problem_from_dict,
    score,
    solution_from_dict,
    solution_to_dict,
    solve,
)
from matching.engine.baselines import friends_first, random_seating

TOPICS = ("open-source", "stem", "games")


@st.composite
def problems(draw) -> dict:
    rounds = draw(st.integers(1, 3))
    round_sets = st.lists(st.integers(1, rounds), unique=True, max_size=rounds)
    n = draw(st.integers(0, 16))
    ids = [f"p{i}" for i in range(n)]
    people = [
        {
            "id": x,
            "newcomer": draw(st.booleans()),
            "topics": draw(st.lists(st.sampled_from(TOPICS), unique=True, max_size=2)),
            "accessible": draw(st.sampled_from([False, False, False, True])),
            "attends": draw(round_sets),
        }
        for x in ids
    ]
    m = draw(st.integers(1, 5))
    tables = [
        {
            "id": f"t{j}",
            "capacity": draw(st.integers(0, 6)),
            "accessible": draw(st.booleans()),
            "rounds": draw(round_sets),
        }
        for j in range(m)
    ]
    data = {
        "format": "drinktables.problem.v1",
        "rounds": rounds,
        "seed": draw(st.integers(0, 5)),
        "people": people,
        "tables": tables,
        "options": {"stall_iterations": 400},
    }
    if n >= 2:
        pair = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] < p[1])
        data["ties"] = [
            {"a": a, "b": b, "weight": w}
            for (a, b), w in draw(
                st.dictionaries(pair, st.floats(0.1, 5.0), max_size=3 * n)
            ).items()
        ]
        group = st.lists(st.sampled_from(ids), unique=True, min_size=2, max_size=4)
        data["history"] = draw(st.lists(group, max_size=4))
        data["avoid"] = [list(p) for p in draw(st.lists(pair, max_size=3))]
        data["together"] = [list(p) for p in draw(st.lists(pair, max_size=2))]
        data["pinned"] = [
            {"person": x, "table": f"t{draw(st.integers(0, m - 1))}"}
            | ({"round": r} if (r := draw(st.integers(0, rounds))) else {})
            for x in draw(st.lists(st.sampled_from(ids), unique=True, max_size=2))
        ]
    return data


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(problems())
def test_plans_never_break_a_hard_constraint(data):
    problem = problem_from_dict(data)
    try:
        check_feasible(problem)
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            solve(problem, time_limit_s=2)
        return
    solution = solve(problem, time_limit_s=2)
    metrics = score(problem, solution)
    assert metrics["violations"] == dict.fromkeys(HARD_CONSTRAINTS, 0)
    assert solution.metrics == metrics
    assert score(problem, solution_from_dict(solution_to_dict(solution), problem)) == metrics
    for plan in solution.rounds:
        seated = [x for members in plan.tables.values() for x in members]
        attending = [p.id for p in problem.people if plan.round in p.attends]
        assert sorted(seated + list(plan.unseated)) == sorted(attending)
    for baseline in (random_seating(problem, seed=1), friends_first(problem, seed=1)):
        assert score(problem, baseline)["violations"] == dict.fromkeys(HARD_CONSTRAINTS, 0)
