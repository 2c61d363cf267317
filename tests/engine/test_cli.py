"""``python -m matching``: exit codes 0/1/2/3, messages on stderr, '-' for stdin/stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "matching", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=120,
    )


def write(path: Path, data) -> str:
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return str(path)


def test_solve_then_score(tmp_path, problem_data):
    problem = write(tmp_path / "problem.json", problem_data)
    out = tmp_path / "solution.json"
    done = run("solve", problem, "-o", str(out), "--seed", "3", "--time-limit", "2")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "seated" in done.stderr
    solution = json.loads(out.read_text())
    assert solution["format"] == "drinktables.solution.v1"
    assert [r["round"] for r in solution["rounds"]] == [1, 2]
    scored = run("score", problem, str(out))
    assert scored.returncode == 0, scored.stderr
    assert json.loads(scored.stdout) == solution["metrics"]


def test_stdin_and_stdout_with_dash(problem_data):
    done = run("solve", "-", "--time-limit", "1", "--progress", stdin=json.dumps(problem_data))
    assert done.returncode == 0, done.stderr
    solution = json.loads(done.stdout)
    assert solution["metrics"]["violations"]["capacity"] == 0
    assert "progress 100%" in done.stderr


def test_score_exits_1_when_a_hard_constraint_is_broken(tmp_path, problem_data):
    problem = write(tmp_path / "problem.json", problem_data)
    broken = {
        "format": "drinktables.solution.v1",
        "rounds": [
            {"round": 1, "tables": {"T1": ["ann", "eve", "bob", "cy", "dee"]}, "unseated": []},
            {"round": 2, "tables": {"T2": ["fay"]}},
        ],
    }
    done = run("score", problem, "-", stdin=json.dumps(broken))
    assert done.returncode == 1
    metrics = json.loads(done.stdout)
    assert metrics["violations"]["capacity"] == 1
    assert done.stderr.startswith("hard constraints broken: ")


def test_invalid_problem_exits_2_with_one_line_per_error_and_no_traceback(problem_data):
    problem_data["people"][3]["id"] = "ann"
    problem_data["ties"].append({"a": "bob", "b": "zed", "weight": -1})
    done = run("solve", "-", stdin=json.dumps(problem_data))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        'people[3].id: duplicate id "ann"',
        'ties[2].b: unknown person "zed"',
        "ties[2].weight: expected a positive number, got -1",
        'history[0][2]: unknown person "dee"',
    ]


def test_nan_in_the_json_is_invalid_input():
    text = (
        '{"format": "drinktables.problem.v1", "people": [{"id": "a"}, {"id": "b"}],'
        ' "tables": [{"id": "t", "capacity": 2}], "ties": [{"a": "a", "b": "b", "weight": NaN}]}'
    )
    done = run("solve", "-", stdin=text)
    assert done.returncode == 2
    assert done.stderr == "ties[0].weight: expected a finite number, got NaN\n"


def test_bad_json_reports_its_position(tmp_path):
    path = write(
        tmp_path / "bad.json", '{\n  "format": "drinktables.problem.v1",\n  "people": [,]\n}'
    )
    done = run("solve", path)
    assert done.returncode == 2
    assert done.stderr == f"{path}: invalid JSON at line 3, column 14: Expecting value\n"


def test_unreadable_file_exits_2(tmp_path):
    done = run("solve", str(tmp_path / "missing.json"))
    assert done.returncode == 2
    missing = tmp_path / "missing.json"
    assert done.stderr == f"{missing}: cannot read the problem file: No such file or directory\n"
    assert "Traceback" not in done.stderr


def test_usage_errors_exit_2():
    assert run().returncode == 2
    done = run("solve", "x.json", "--time-limit", "-1")
    assert done.returncode == 2
    assert "expected a positive number of seconds" in done.stderr
    assert run("frobnicate").returncode == 2


def test_invalid_solution_ids_exit_2(tmp_path, problem_data):
    problem = write(tmp_path / "problem.json", problem_data)
    solution = write(
        tmp_path / "solution.json",
        {"format": "drinktables.solution.v1", "rounds": [{"round": 1, "tables": {"T7": []}}]},
    )
    done = run("score", problem, solution)
    assert done.returncode == 2
    assert done.stderr == 'rounds[0].tables.T7: unknown table "T7"\n'


def test_infeasible_problem_exits_3_and_says_which_constraint():
    data = {
        "format": "drinktables.problem.v1",
        "people": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
        "tables": [{"id": "T1", "capacity": 2}, {"id": "T2", "capacity": 2}],
        "together": [["a", "b", "c"]],
    }
    done = run("solve", "-", stdin=json.dumps(data))
    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr == (
        'infeasible: together: the together group "a", "b", "c" (3 people) is larger than '
        "every table in round 1 (largest: 2)\n"
    )


def test_generate_prints_a_problem_that_solves(tmp_path):
    done = run("generate", "--kind", "community", "--people", "60", "--rounds", "2")
    assert done.returncode == 0, done.stderr
    problem = json.loads(done.stdout)
    assert problem["format"] == "drinktables.problem.v1"
    assert len(problem["people"]) == 60
    path = write(tmp_path / "p.json", problem)
    assert run("solve", path, "--time-limit", "1").returncode == 0
    golf = json.loads(
        run("generate", "--kind", "golfer", "--tables", "5", "--table-size", "3").stdout
    )
    assert (len(golf["people"]), len(golf["tables"]), golf["rounds"]) == (15, 5, 3)
    assert run("generate", "--kind", "golfer").returncode == 2


def test_duplicate_json_keys_are_invalid_input():
    text = '{"format": "drinktables.problem.v1", "people": [{"id": "a", "id": "b"}], "tables": []}'
    done = run("solve", "-", stdin=text)
    assert done.returncode == 2
    assert done.stderr == '<stdin>: invalid JSON: key "id" appears twice in an object\n'


# ---------------------------------------------------------------- hostile input and output


def test_an_integer_too_long_to_read_is_invalid_input_naming_its_place():
    digits = "1" + "0" * 4999  # over Python's int-string conversion limit (4300 digits)
    text = (
        '{"format": "drinktables.problem.v1", "rounds": ' + digits + ","
        ' "people": [{"id": "a"}, {"id": "b"}],'
        ' "tables": [{"id": "t", "capacity": ' + digits + "}],"
        ' "ties": [{"a": "a", "b": "b", "weight": 1' + "0" * 400 + "}]}"
    )
    done = run("solve", "-", stdin=text)
    assert done.returncode == 2
    assert done.stdout == ""
    shown = "1" + "0" * 56 + "..."
    assert done.stderr.splitlines() == [
        "rounds: expected a positive integer, got an integer too long to read (5000 digits)",
        "tables[0].capacity: expected a non-negative integer, got an integer too long to read "
        "(5000 digits)",
        f"ties[0].weight: expected a finite number, got {shown}",
    ]


def test_an_unpaired_surrogate_in_an_id_is_invalid_input():
    text = (
        '{"format": "drinktables.problem.v1", "people": [{"id": "\\ud800"}, {"id": "b"}],'
        ' "tables": [{"id": "t\\udfff", "capacity": 2}],'
        ' "ties": [{"a": "\\ud800", "b": "b"}]}'
    )
    done = run("solve", "-", stdin=text)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    why = "with an unpaired surrogate (\\ud800-\\udfff is not a character)"
    assert done.stderr.splitlines() == [
        f'people[0].id: expected text, got "\\ud800" {why}',
        f'tables[0].id: expected text, got "t\\udfff" {why}',
        f'ties[0].a: expected text, got "\\ud800" {why}',
    ]


def test_absurd_rounds_are_refused_before_anything_is_allocated():
    from matching.engine import MAX_ROUNDS, Person, Problem, ProblemError, Table, validate_problem

    text = json.dumps(
        {
            "format": "drinktables.problem.v1",
            "rounds": 10**12,
            "people": [{"id": "a"}],
            "tables": [{"id": "t", "capacity": 2}],
        }
    )
    done = run("solve", "-", stdin=text)  # would exhaust memory if the rounds were allocated
    assert done.returncode == 2
    assert done.stderr == f"rounds: at most {MAX_ROUNDS} rounds, got 1000000000000\n"
    built = Problem(rounds=10**12, people=(Person(id="a"),), tables=(Table(id="t", capacity=2),))
    with pytest.raises(ProblemError, match="rounds: at most 100 rounds"):
        validate_problem(built)
    at_most = run("generate", "--rounds", str(MAX_ROUNDS + 1))
    assert at_most.returncode == 2
    assert "argument --rounds: at most 100 rounds, got 101" in at_most.stderr


def test_an_output_file_that_cannot_be_written_is_refused_before_solving(tmp_path):
    infeasible = write(
        tmp_path / "infeasible.json",
        {
            "format": "drinktables.problem.v1",
            "people": [{"id": "a"}, {"id": "b"}],
            "tables": [{"id": "T1", "capacity": 1}],
            "together": [["a", "b"]],
        },
    )
    missing_dir = tmp_path / "no-such-dir" / "solution.json"
    done = run("solve", infeasible, "-o", str(missing_dir))
    assert done.returncode == 2  # not 3: the output is checked before the problem is solved
    assert done.stderr == (
        f"{missing_dir}: cannot write the solution file: No such file or directory\n"
    )
    done = run("solve", infeasible, "-o", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr == f"{tmp_path}: cannot write the solution file: Is a directory\n"
    done = run("generate", "--people", "20", "-o", str(missing_dir))
    assert done.returncode == 2
    assert done.stderr == (
        f"{missing_dir}: cannot write the problem file: No such file or directory\n"
    )


def test_checking_the_output_leaves_no_file_behind_when_the_input_is_invalid(tmp_path):
    out = tmp_path / "solution.json"
    done = run("solve", "-", "-o", str(out), stdin="{}")
    assert done.returncode == 2
    assert not out.exists()
    out.write_text("keep me", encoding="utf-8")
    assert run("solve", "-", "-o", str(out), stdin="{}").returncode == 2
    assert out.read_text(encoding="utf-8") == "keep me"
