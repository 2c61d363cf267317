"""The friends-first baseline: how people would have seated themselves at the same round.

``matching.engine.baselines.friends_first`` fills each table from a returning person outward
through their ties, the way a room fills up when nobody plans it. The insights put its figures
beside the real plan's, both scored on the same engine problem.
"""

import logging

from matching import engine
from matching.engine import baselines

logger = logging.getLogger(__name__)


def friends_first_seating(*, problem: engine.Problem, seed: int) -> engine.Solution | None:
    """The friends-first seating of a one-round ``problem``; None if the engine cannot seat it.

    ``problem`` is the round as it stood before it happened (its ties and history are those
    before the round), so the baseline knows no more than people seating themselves that
    evening would have.
    """
    try:
        return baselines.friends_first(problem, seed)
    except (engine.ProblemError, engine.InfeasibleError) as error:
        logger.warning("friends-first baseline failed: %s", error)
        return None
