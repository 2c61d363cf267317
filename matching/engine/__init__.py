"""Drink Tables matching engine: a plain library (no Django), format v1 in and out.

See docs/design.md §3 (constraints, goals, metrics) and §4 (files and command line).
"""

from .baselines import friends_first, random_seating
from .feasibility import check_feasible
from .fileformat import (
    problem_from_dict,
    problem_to_dict,
    solution_from_dict,
    solution_to_dict,
    validate_problem,
)
from .model import (
    DEFAULT_TIME_LIMIT_S,
    HARD_CONSTRAINTS,
    MAX_ROUNDS,
    PROBLEM_FORMAT,
    SOLUTION_FORMAT,
    InfeasibleError,
    Options,
    Person,
    Pin,
    Problem,
    ProblemError,
    RoundPlan,
    Solution,
    Table,
    Tie,
    Weights,
)
from .scoring import hard_violations, plan_rank, score
from .solver import EngineBug, solve

__all__ = [
    "DEFAULT_TIME_LIMIT_S",
    "HARD_CONSTRAINTS",
    "MAX_ROUNDS",
    "PROBLEM_FORMAT",
    "SOLUTION_FORMAT",
    "EngineBug",
    "InfeasibleError",
    "Options",
    "Person",
    "Pin",
    "Problem",
    "ProblemError",
    "RoundPlan",
    "Solution",
    "Table",
    "Tie",
    "Weights",
    "check_feasible",
    "friends_first",
    "hard_violations",
    "plan_rank",
    "problem_from_dict",
    "problem_to_dict",
    "random_seating",
    "score",
    "solution_from_dict",
    "solution_to_dict",
    "solve",
    "validate_problem",
]
