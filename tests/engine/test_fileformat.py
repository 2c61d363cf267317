"""Format v1: parsing, validation messages (one line per error, naming the place), round trips."""

from __future__ import annotations

import math

import pytest

from matching.engine import (
    Options,
    Person,
    Pin,
    Problem,
    ProblemError,
    Table,
    Tie,
    Weights,
    problem_from_dict,
    problem_to_dict,
    solution_from_dict,
    solution_to_dict,
    solve,
)


def errors_of(data) -> list[str]:
    with pytest.raises(ProblemError) as info:
        problem_from_dict(data)
    return info.value.errors


def test_defaults_are_resolved(problem_data):
    problem = problem_from_dict(problem_data)
    bob = problem.people[1]
    assert bob == Person(id="bob", newcomer=False, topics=(), accessible=False, attends=(1, 2))
    assert problem.people[4].attends == (2,)
    assert problem.tables[0] == Table(id="T1", capacity=4, accessible=True, rounds=(1, 2))
    assert problem.ties[1] == Tie(a="bob", b="gus", weight=1.0)
    assert problem.pinned == (Pin(person="ann", table="T1", round=1),)
    assert problem.options == Options()
    assert (problem.seed, problem.time_limit_s, problem.rounds) == (7, 2.0, 2)


def test_only_format_people_and_tables_are_required():
    problem = problem_from_dict(
        {
            "format": "drinktables.problem.v1",
            "people": [{"id": "a"}],
            "tables": [{"id": "t", "capacity": 3}],
        }
    )
    assert problem.rounds == 1
    assert problem.people[0].attends == (1,)
    assert problem.tables[0].rounds == (1,)
    assert (problem.seed, problem.time_limit_s) == (0, None)


def test_problem_round_trips(problem_data):
    problem = problem_from_dict(problem_data)
    assert problem_from_dict(problem_to_dict(problem)) == problem


def test_round_trip_keeps_options():
    options = Options(
        weights=Weights(repeat=5.0, topic=0.0), min_table_size=2, preferred_table_size=6
    )
    problem = Problem(
        rounds=1,
        people=(Person(id="a"),),
        tables=(Table(id="t", capacity=2),),
        options=options,
    )
    assert problem.people[0].attends == (1,)
    assert problem_from_dict(problem_to_dict(problem)) == problem


def test_duplicate_and_unknown_ids_name_their_place(problem_data):
    problem_data["people"][3]["id"] = "ann"
    problem_data["ties"].append({"a": "ann", "b": "zed"})
    problem_data["pinned"].append({"person": "dee", "table": "T1"})
    assert errors_of(problem_data) == [
        'people[3].id: duplicate id "ann"',
        'ties[2].b: unknown person "zed"',
        'history[0][2]: unknown person "dee"',
        'pinned[1].person: unknown person "dee"',
    ]


def test_all_errors_are_collected_not_just_the_first():
    data = {
        "format": "drinktables.problem.v2",
        "rounds": 0,
        "seed": -1,
        "time_limit_s": 0,
        "people": [
            {"id": "a", "nme": "x"},
            {"id": ""},
            {"newcomer": "yes"},
            {"id": "b", "attends": [1, 1, 9], "topics": ["x", "x", 3]},
        ],
        "tables": [{"id": "t", "capacity": 8.5}, {"id": "u", "capacity": True}, {"id": "t"}],
        "ties": [
            {"a": "a", "b": "zed"},
            {"a": "a", "b": "a"},
            {"a": "a", "b": "b", "weight": float("nan")},
            {"a": "a", "b": "b", "weight": -2},
        ],
        "history": [[], ["a", "a"]],
        "avoid": [["a"], "a"],
        "together": [["a", "b", "zed"]],
        "pinned": [{"person": "a", "table": "nope", "round": 3}, {"table": "t"}],
        "options": {"weights": {"repeat": math.inf, "joy": 1}, "min_table_size": 0},
        "extra": 1,
    }
    assert errors_of(data) == [
        "extra: unknown key",
        'format: expected "drinktables.problem.v1", got "drinktables.problem.v2"',
        "rounds: expected a positive integer, got 0",
        "seed: expected a non-negative integer, got -1",
        "time_limit_s: expected a positive number, got 0",
        "people[0].nme: unknown key",
        'people[1].id: expected a non-empty string id, got ""',
        "people[2].id: required field is missing",
        'people[2].newcomer: expected true or false, got "yes"',
        'people[3].topics[1]: duplicate topic "x"',
        "people[3].topics[2]: expected a non-empty string topic, got 3",
        "people[3].attends[1]: duplicate round 1",
        "tables[0].capacity: expected a non-negative integer, got 8.5",
        "tables[1].capacity: expected a non-negative integer, got true",
        'tables[2].id: duplicate id "t"',
        "tables[2].capacity: required field is missing",
        'ties[0].b: unknown person "zed"',
        'ties[1]: a tie needs two different people, got "a" twice',
        "ties[2].weight: expected a finite number, got NaN",
        "ties[3].weight: expected a positive number, got -2",
        'ties[3]: duplicate tie "a"-"b" (also ties[2])',
        "history[0]: expected a list of at least one person, got 0",
        'history[1][1]: "a" is listed twice',
        "avoid[0]: expected a list of two or more people, got 1",
        'avoid[1]: expected a list, got "a"',
        'together[0][2]: unknown person "zed"',
        'pinned[0].table: unknown table "nope"',
        "pinned[1].person: required field is missing",
        "options.weights.joy: unknown key",
        "options.weights.repeat: expected a finite number, got Infinity",
        "options.min_table_size: expected a positive integer, got 0",
    ]


def test_rounds_out_of_range_are_errors(problem_data):
    problem_data["people"][0]["attends"] = [1, 3]
    problem_data["tables"][1]["rounds"] = [0]
    problem_data["pinned"][0]["round"] = 5
    assert errors_of(problem_data) == [
        "people[0].attends[1]: round 3 is out of range 1..2",
        "tables[1].rounds[0]: expected a positive integer, got 0",
        "pinned[0].round: round 5 is out of range 1..2",
    ]


def test_rounds_error_does_not_hide_other_round_checks():
    errors = errors_of(
        {
            "format": "drinktables.problem.v1",
            "rounds": True,
            "people": [{"id": "a", "attends": ["1"]}],
            "tables": [],
        }
    )
    assert errors == [
        "rounds: expected a positive integer, got true",
        'people[0].attends[0]: expected a positive integer, got "1"',
    ]


def test_wrong_container_types():
    assert errors_of([]) == ["(top level): expected a JSON object, got a list"]
    assert errors_of(
        {"format": "drinktables.problem.v1", "people": {}, "tables": [3], "ties": None}
    ) == [
        "people: expected a list, got an object",
        "tables[0]: expected an object, got 3",
        "ties: expected a list, got null",
    ]
    assert errors_of({"people": [], "tables": []}) == ["format: required field is missing"]
    assert errors_of({"format": "drinktables.problem.v1"}) == [
        "people: required field is missing",
        "tables: required field is missing",
    ]


def test_duplicate_tie_is_an_error(problem_data):
    problem_data["ties"].append({"a": "bob", "b": "ann"})
    assert errors_of(problem_data) == ['ties[2]: duplicate tie "bob"-"ann" (also ties[0])']


def test_validate_rejects_invalid_python_problem():
    problem = Problem(
        rounds=1,
        people=(Person(id="a"), Person(id="a")),
        tables=(Table(id="t", capacity=-3),),
        ties=(Tie(a="a", b="b"),),
    )
    with pytest.raises(ProblemError) as info:
        solve(problem)
    assert info.value.errors == [
        'people[1].id: duplicate id "a"',
        "tables[0].capacity: expected a non-negative integer, got -3",
        'ties[0].b: unknown person "b"',
    ]


def test_solution_round_trips_and_validates_ids(problem_data):
    problem = problem_from_dict(problem_data)
    solution = solve(problem, time_limit_s=1)
    data = solution_to_dict(solution)
    assert data["format"] == "drinktables.solution.v1"
    assert [r["round"] for r in data["rounds"]] == [1, 2]
    assert solution_to_dict(solution_from_dict(data, problem)) == data

    data["rounds"][0]["tables"]["T9"] = ["ann"]
    data["rounds"][1]["tables"]["T1"].append("zed")
    data["rounds"][1]["unseated"] = [5]
    data["rounds"].append({"round": 3, "tables": {}})
    data["rounds"].append({"round": 1, "tables": {}, "seats": 1})
    with pytest.raises(ProblemError) as info:
        solution_from_dict(data, problem)
    position = len(data["rounds"][1]["tables"]["T1"]) - 1
    assert info.value.errors == [
        'rounds[0].tables.T9: unknown table "T9"',
        f'rounds[1].tables.T1[{position}]: unknown person "zed"',
        "rounds[1].unseated[0]: expected a non-empty string id, got 5",
        "rounds[2].round: round 3 is out of range 1..2",
        "rounds[3].seats: unknown key",
        "rounds[3].round: duplicate round 1",
    ]


def test_solution_needs_its_format(problem_data):
    problem = problem_from_dict(problem_data)
    with pytest.raises(ProblemError) as info:
        solution_from_dict({"format": "x", "rounds": []}, problem)
    assert info.value.errors == ['format: expected "drinktables.solution.v1", got "x"']
