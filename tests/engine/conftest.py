"""Helpers for the engine tests (no Django anywhere)."""

from __future__ import annotations

import copy

import pytest

BASE_PROBLEM = {
    "format": "drinktables.problem.v1",
    "rounds": 2,
    "seed": 7,
    "time_limit_s": 2,
    "people": [
        {"id": "ann", "newcomer": False, "topics": ["open-source"], "attends": [1, 2]},
        {"id": "bob"},
        {"id": "cy", "newcomer": True, "topics": ["open-source", "stem"]},
        {"id": "dee", "accessible": True},
        {"id": "eve", "attends": [2]},
        {"id": "fay", "newcomer": True},
        {"id": "gus"},
    ],
    "tables": [
        {"id": "T1", "capacity": 4, "accessible": True},
        {"id": "T2", "capacity": 4, "rounds": [1, 2]},
    ],
    "ties": [{"a": "ann", "b": "bob", "weight": 2.5}, {"a": "bob", "b": "gus"}],
    "history": [["ann", "cy", "dee"]],
    "avoid": [["ann", "eve"]],
    "together": [["fay", "gus"]],
    "pinned": [{"person": "ann", "table": "T1", "round": 1}],
    "options": {},
}


@pytest.fixture
def problem_data() -> dict:
    """A small valid problem using every feature of format v1."""
    return copy.deepcopy(BASE_PROBLEM)
