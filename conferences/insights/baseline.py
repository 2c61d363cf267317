"""The friends-first baseline: how people would have seated themselves at the same round.

``matching.engine.baselines.friends_first`` fills each table from a returning person outward
through their ties, the way a room fills up when nobody plans it. The insights put its figures
beside the real plan's. This module is the only place where the insights reach the engine.
"""

import builtins
import dataclasses
import logging
from collections.abc import Callable

from conferences.models import MeetupRound

from .metrics import Pair

logger = logging.getLogger(__name__)

PERSON_PREFIX, TABLE_PREFIX = "p", "t"


def _pk(engine_id: str, prefix: str) -> int:
    if not engine_id.startswith(prefix) or not engine_id[len(prefix) :].isdigit():
        raise ValueError(f"unexpected engine id {engine_id!r}")
    return int(engine_id[len(prefix) :])


def _default_builder() -> Callable | None:
    try:
        from matching.services import build_problem
    except ImportError:  # the runs branch (matching.services) is not merged yet
        return None
    return build_problem


def friends_first_seating(
    *,
    round: MeetupRound,
    seed: int,
    ties: dict[Pair, float],
    history: list[list[int]],
    build_problem: Callable | None = None,
) -> dict[int, list[int]] | None:
    """Table pk → person pks of the friends-first seating of ``round``; None if unavailable.

    The round becomes an engine problem through ``matching.services.build_problem`` (people
    "p<pk>", tables "t<pk>": who is going, the tables, blocks, pins, accessibility). Its ties
    and history are then replaced by ``ties`` and ``history`` as they stood before the round:
    a round that was held already has encounters of its own, and later rounds have tables,
    which people seating themselves that evening could not have known about.
    """
    from matching.engine import InfeasibleError, ProblemError, Tie, baselines

    build_problem = build_problem or _default_builder()
    if build_problem is None:
        logger.info(
            "friends-first baseline unavailable: matching.services.build_problem is missing"
        )
        return None
    problem = build_problem(round=round, seed=seed)
    present = {person.id for person in problem.people}

    def key(pk: int) -> str:
        return f"{PERSON_PREFIX}{pk}"

    before = tuple(
        Tie(a=key(a), b=key(b), weight=round_weight)
        for (a, b), weight in sorted(ties.items())
        if key(a) in present
        and key(b) in present
        and (round_weight := builtins.round(weight, 4)) > 0
    )
    groups = tuple(
        group
        for group in (
            tuple(key(pk) for pk in sorted(table) if key(pk) in present) for table in history
        )
        if len(group) >= 2
    )
    problem = dataclasses.replace(problem, ties=before, history=groups)
    try:
        solution = baselines.friends_first(problem, seed)
    except (ProblemError, InfeasibleError) as error:
        logger.warning("friends-first baseline of round %s failed: %s", round.pk, error)
        return None
    return {
        _pk(table_id, TABLE_PREFIX): [_pk(person_id, PERSON_PREFIX) for person_id in people]
        for table_id, people in solution.rounds[0].tables.items()
    }
