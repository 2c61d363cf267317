"""Fuzzing the problem and solution readers: whatever the input, they answer with their own
``ProblemError`` (the command line with exit 2 and one line per problem), never another
exception. Derandomized and bounded, so the same few hundred examples run in seconds."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.engine import ProblemError, problem_from_dict, solution_from_dict
from matching.engine.cli import main

from .conftest import BASE_PROBLEM

FUZZ = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["ann", "T1", "bob", "drinktables.problem.v1", "drinktables.solution.v1"])
    # hostile values: unpaired surrogates, integers beyond a float, rounds beyond the maximum
    | st.sampled_from(["\ud800", "x\udfff", 10**400, -(10**400), 10**12])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
KEYS = sorted(BASE_PROBLEM) + ["id", "capacity", "attends", "rounds", "a", "b", "weight", "table"]


def paths(value, prefix=()):
    """Every place in a JSON value, so a mutation can reach deep into a valid file."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


@st.composite
def mutated(draw, base: dict) -> object:
    """A valid file with a few places replaced, removed or given an unknown key."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p in paths(data) if p]
        if not places:
            return draw(json_values)
        place = draw(st.sampled_from(places))
        parent = data
        for step in place[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "remove":
            del parent[place[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(KEYS))] = draw(json_values)
        else:
            parent[place[-1]] = draw(json_values)
    return data


def _only_problem_errors(read, data) -> None:
    try:
        read(data)
    except ProblemError as error:
        assert error.errors and all(isinstance(line, str) and line for line in error.errors)


@FUZZ
@given(st.one_of(json_values, mutated(BASE_PROBLEM)))
def test_the_problem_reader_raises_only_its_own_error(data):
    _only_problem_errors(problem_from_dict, data)


SOLUTION = {
    "format": "drinktables.solution.v1",
    "rounds": [
        {"round": 1, "tables": {"T1": ["ann", "bob"], "T2": ["cy"]}, "unseated": ["dee"]},
        {"round": 2, "tables": {"T2": ["eve"]}},
    ],
}
PROBLEM = problem_from_dict(copy.deepcopy(BASE_PROBLEM))


@FUZZ
@given(st.one_of(json_values, mutated(SOLUTION)))
def test_the_solution_reader_raises_only_its_own_error(data):
    _only_problem_errors(lambda d: solution_from_dict(d, PROBLEM), data)


def _run(*args: str) -> tuple[int, str]:
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    return code, stderr.getvalue()


def _file(directory: str, name: str, content: bytes) -> str:
    path = os.path.join(directory, name)
    with open(path, "wb") as handle:
        handle.write(content)
    return path


file_contents = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    json_values.map(lambda v: json.dumps(v).encode()),
    mutated(BASE_PROBLEM).map(lambda v: json.dumps(v).encode()),
    st.integers(1, 3000).map(lambda depth: b"[" * depth + b"]" * depth),
    # an integer over Python's int-string conversion limit, anywhere a value goes
    mutated(BASE_PROBLEM).map(lambda v: json.dumps(v).replace("2", "9" * 5000, 1).encode()),
)


@FUZZ
@given(
    problem=file_contents,
    solution=st.one_of(file_contents, mutated(SOLUTION).map(lambda v: json.dumps(v).encode())),
)
def test_the_command_line_exits_2_with_messages_on_any_file(problem, solution):
    with tempfile.TemporaryDirectory() as directory:
        code, stderr = _run(
            "score", _file(directory, "p.json", problem), _file(directory, "s.json", solution)
        )
        assert code in (0, 1, 2), stderr
        if code == 2:
            assert stderr and "Traceback" not in stderr
        code, stderr = _run(
            "solve",
            "--time-limit",
            "0.05",
            _file(directory, "p.json", problem),
            "-o",
            os.path.join(directory, "out.json"),
        )
        assert code in (0, 2, 3), stderr
        assert "Traceback" not in stderr
