"""``python -m matching``: exit codes 0/1/2/3, messages on stderr, '-' for stdin/stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
