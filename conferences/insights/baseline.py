"""The friends-first baseline: how the matching engine's simplest seating would seat a round.

"Friends first" seats people next to the friends they already have, the way a room fills up
when nobody plans it. The insights put its figures beside the real plan's. This module is the
only place where the insights reach into the engine.
"""

import logging

from conferences.models import MeetupRound

logger = logging.getLogger(__name__)


def _pk(engine_id: str, prefix: str) -> int:
    if not engine_id.startswith(prefix):
        raise ValueError(f"unexpected engine id {engine_id!r}")
    return int(engine_id[len(prefix) :])


def friends_first_seating(*, round: MeetupRound, seed: int) -> dict[int, list[int]] | None:
    """Table pk → person pks of the friends-first seating of ``round``; None if unavailable.

    The round becomes an engine problem through ``matching.services.build_problem`` (people
    "p<pk>", tables "t<pk>"), and ``matching.engine.baselines.friends_first`` seats it with the
    same seed as the plan.
    """
    try:
        from matching.engine import baselines
        from matching.services import build_problem
    except ImportError:
        logger.info("friends-first baseline unavailable: the matching engine is not installed")
        return None
    problem = build_problem(round=round)
    solution = baselines.friends_first(problem, seed)
    seating: dict[int, list[int]] = {}
    for table_id, people in solution.rounds[0].tables.items():
        seating[_pk(table_id, "t")] = [_pk(person_id, "p") for person_id in people]
    return seating
