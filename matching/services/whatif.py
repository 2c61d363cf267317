"""What if: the series simulation (docs/outcomes.md) started from an organizer's real history.

The start is the conference as it stood before it began: its attendees (newcomers as
``is_newcomer`` decides), the ties between them (encounters before its first day, weighed as
``attendees.ties`` does) and its active tables; as many evenings as it has rounds (one to
three). ``matching.engine.simulate_policies`` then plays that edition again under each policy
and the next three editions after it, once with the default parameters and once each with
the assumed parameters all at the low and all at the high end of the documented sweep, so the
page can show a range. The result is stored on a ``WhatIfSimulation``; its Celery task
(``matching.tasks.run_whatif``) reports progress there the way a matching run does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from attendees.models import Attendance, Encounter
from attendees.selectors.people import newcomer_ids
from attendees.ties import tie_weights_from
from conferences.enums import RoundStatus
from conferences.models import Conference, DrinkTable, MeetupRound
from conferences.scoping import conference_by_id_for_organizer
from config.exceptions import ServiceError
from config.queue import Dispatch, task_send_on_commit
from matching import engine
from matching.engine.simulate import simulate_policies
from matching.enums import ACTIVE_RUN_STATUSES, RunStatus
from matching.models import WhatIfSimulation
from matching.selectors.problem import person_key, table_key
from matching.services.problem import matcher_options

logger = logging.getLogger(__name__)

WHATIF_FORMAT = "drinktables.whatif.v1"
POLICIES = ("drinktables", "friends-first", "mingle")
# The conference played again under each policy, then the next three editions.
EDITIONS = 4
SEED = 0
MAX_EVENINGS = 3
# The assumed parameters that move the conclusions most (docs/outcomes.md, the sweep), all at
# the low and all at the high end of their swept range: a pessimistic and an optimistic world.
SENSITIVITY: dict[str, dict[str, float]] = {
    "low": {
        "tie_formation": 0.1,
        "closure_boost": 1.0,
        "reinforce_weight": 0.5,
        "tie_return_odds": 1.0,
    },
    "high": {
        "tie_formation": 0.5,
        "closure_boost": 4.0,
        "reinforce_weight": 2.0,
        "tie_return_odds": 1.8,
    },
}
SCENARIOS = ("default", "low", "high")
# The per-edition figures kept from each simulated series (docs/outcomes.md defines them).
FIGURES = (
    "edition",
    "attendees",
    "newcomers",
    "newcomer_ties_to_returning",
    "woven_in_share",
    "newcomer_return_rate",
    "hosts_who_were_newcomers",
)


@dataclass(frozen=True)
class WhatIfRequested:
    simulation: WhatIfSimulation
    newly_requested: bool
    queue_unreachable: bool

    @property
    def warning(self) -> str | None:
        if not self.queue_unreachable:
            return None
        return (
            "The what-if is saved, but the task queue (Redis) is not reachable, so it has not "
            "started. Ask again once the queue is back."
        )


def _enqueue(simulation_id: int) -> Dispatch:
    from matching import tasks

    return task_send_on_commit(tasks.run_whatif, kwargs={"simulation_id": simulation_id})


def whatif_request(*, conference_id: int, by) -> WhatIfRequested:
    """Start a what-if for conference ``conference_id`` (one ``by`` organizes; else
    ``NotFound``). One at a time per conference: asking while one is queued or working returns
    that one. The start is checked first, so a conference without people or tables is refused
    with what to do."""
    conference = conference_by_id_for_organizer(user=by, pk=conference_id)
    whatif_sweep_stale(conference_id=conference.pk)
    whatif_problem(conference=conference)  # refuses a start that cannot be simulated
    with transaction.atomic():
        active = WhatIfSimulation.objects.filter(
            conference=conference, status__in=ACTIVE_RUN_STATUSES
        ).first()
        if active is not None:
            dispatch = _enqueue(active.pk) if active.status == RunStatus.QUEUED else None
            return WhatIfRequested(active, False, dispatch is not None and dispatch.failed)
        try:
            with transaction.atomic():
                simulation = WhatIfSimulation.objects.create(
                    conference=conference, requested_by=by if by and by.pk else None
                )
        except IntegrityError:  # another request created it a moment ago
            simulation = WhatIfSimulation.objects.get(
                conference=conference, status__in=ACTIVE_RUN_STATUSES
            )
            return WhatIfRequested(simulation, False, False)
        dispatch = _enqueue(simulation.pk)
    logger.info("what-if %s queued for conference %s", simulation.pk, conference.pk)
    return WhatIfRequested(simulation, True, dispatch.failed)


def whatif_latest(*, conference_id: int, by) -> WhatIfSimulation | None:
    """The conference's latest what-if (scoped to ``by``'s conferences, else ``NotFound``); one
    whose worker went silent is marked failed first."""
    conference = conference_by_id_for_organizer(user=by, pk=conference_id)
    whatif_sweep_stale(conference_id=conference.pk)
    return WhatIfSimulation.objects.filter(conference=conference).first()


def whatif_sweep_stale(*, conference_id: int | None = None) -> int:
    """Fail what-ifs whose worker went silent (no heartbeat for ``MATCHING_HEARTBEAT_STALE_S``
    while running), so the organizer can start another."""
    cutoff = timezone.now() - timedelta(seconds=settings.MATCHING_HEARTBEAT_STALE_S)
    stale = WhatIfSimulation.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=cutoff)
    if conference_id is not None:
        stale = stale.filter(conference_id=conference_id)
    return stale.update(
        status=RunStatus.FAILED,
        error="The worker running this what-if stopped. Start it again.",
        finished_at=timezone.now(),
    )


def whatif_problem(*, conference: Conference) -> engine.Problem:
    """The conference as the simulation's first edition (format v1, ids ``p<pk>``/``t<pk>``):
    its attendees who have not deleted their account, newcomers marked, the ties between them
    before its first day, its active tables and one to three evenings."""
    people = sorted(
        Attendance.objects.filter(
            conference=conference, person__deleted_at__isnull=True
        ).values_list("person_id", flat=True)
    )
    if len(people) < 2:
        raise ServiceError(
            f"{conference.name} has fewer than two attendees: register people first, then ask "
            "for the what-if."
        )
    tables = list(
        DrinkTable.objects.filter(conference=conference, active=True).order_by("label", "pk")
    )
    if not tables:
        raise ServiceError(
            f"{conference.name} has no active tables: add its drink tables first, the "
            "simulation seats people at them."
        )
    newcomers = newcomer_ids(conference=conference)
    present = set(people)
    rows = (
        Encounter.objects.filter(
            person_a_id__in=people, person_b_id__in=people, occurred_on__lt=conference.starts_on
        )
        .order_by()
        .values_list("person_a_id", "person_b_id", "kind", "occurred_on")
    )
    weights = tie_weights_from(rows, as_of=conference.starts_on)
    evenings = (
        MeetupRound.objects.filter(conference=conference)
        .exclude(status=RoundStatus.CANCELLED)
        .count()
    )
    return engine.Problem(
        rounds=max(1, min(MAX_EVENINGS, evenings)),
        people=tuple(engine.Person(id=person_key(pk), newcomer=pk in newcomers) for pk in people),
        tables=tuple(engine.Table(id=table_key(t.pk), capacity=t.capacity) for t in tables),
        ties=tuple(
            engine.Tie(a=person_key(a), b=person_key(b), weight=round(weight, 4))
            for (a, b), weight in sorted(weights.items())
            if a in present and b in present and round(weight, 4) > 0
        ),
        seed=SEED,
        options=matcher_options(),
    )


def whatif_simulate(
    problem: engine.Problem, *, progress: Callable[[float], None] | None = None
) -> dict[str, Any]:
    """Every policy of ``POLICIES`` in every scenario of ``SCENARIOS`` from ``problem``: the
    stored result (``WHATIF_FORMAT``), figures per policy and edition."""
    scenarios: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for index, scenario in enumerate(SCENARIOS):

        def part(fraction: float, index: int = index) -> None:
            if progress is not None:
                progress((index + fraction) / len(SCENARIOS))

        results = simulate_policies(
            problem,
            policies=POLICIES,
            editions=EDITIONS,
            seed=SEED,
            params=SENSITIVITY.get(scenario),
            progress=part,
        )
        scenarios[scenario] = {
            policy: [{key: row.get(key) for key in FIGURES} for row in result["editions"]]
            for policy, result in results.items()
        }
    return {
        "format": WHATIF_FORMAT,
        "start": {
            "people": len(problem.people),
            "newcomers": sum(1 for p in problem.people if p.newcomer),
            "ties": len(problem.ties),
            "lasting_ties": sum(
                1 for t in problem.ties if t.weight >= problem.options.friend_threshold
            ),
            "tables": len(problem.tables),
            "evenings": problem.rounds,
        },
        "editions": EDITIONS,
        "seed": SEED,
        "policies": list(POLICIES),
        "sensitivity": SENSITIVITY,
        "scenarios": scenarios,
    }


class _Progress:
    """Throttled progress and heartbeat on the simulation while it runs (a conditional UPDATE:
    nothing is written once it is no longer running)."""

    def __init__(self, simulation_id: int):
        self.simulation_id = simulation_id
        self.last = 0.0

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and fraction < 1.0:
            return
        self.last = now
        WhatIfSimulation.objects.filter(pk=self.simulation_id, status=RunStatus.RUNNING).update(
            progress=int(5 + 90 * max(0.0, min(1.0, fraction))), heartbeat_at=timezone.now()
        )


def whatif_execute(*, simulation_id: int) -> str:
    """Claim a queued what-if, simulate and store the result (``succeeded``), or fail it with a
    message for the organizer. A second delivery finds it claimed and changes nothing."""
    now = timezone.now()
    claimed = WhatIfSimulation.objects.filter(pk=simulation_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now, heartbeat_at=now, progress=1
    )
    if not claimed:
        return "not queued"
    simulation = WhatIfSimulation.objects.select_related("conference").get(pk=simulation_id)
    try:
        problem = whatif_problem(conference=simulation.conference)
        result = whatif_simulate(problem, progress=_Progress(simulation_id))
    except ServiceError as exc:
        return _whatif_fail(simulation_id, exc.message)
    except (engine.ProblemError, engine.InfeasibleError) as exc:
        return _whatif_fail(
            simulation_id, f"The simulation cannot seat this conference: {exc}. Check its tables."
        )
    except Exception:  # a bug: the organizer gets an answer, the log gets the traceback
        logger.exception("what-if %s crashed", simulation_id)
        return _whatif_fail(
            simulation_id, "The what-if failed unexpectedly; the error is logged. Try again."
        )
    WhatIfSimulation.objects.filter(pk=simulation_id, status=RunStatus.RUNNING).update(
        status=RunStatus.SUCCEEDED,
        progress=100,
        result=result,
        error="",
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    return "succeeded"


def _whatif_fail(simulation_id: int, message: str) -> str:
    WhatIfSimulation.objects.filter(pk=simulation_id, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED, error=message, finished_at=timezone.now()
    )
    logger.info("what-if %s failed: %s", simulation_id, message)
    return "failed"
