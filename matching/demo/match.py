"""Seat the demo with the matcher, without e-mailing anyone (safe to run again)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils import timezone

from attendees.enums import EncounterKind
from attendees.models import Encounter
from attendees.services import encounters_create
from conferences.enums import RoundStatus
from conferences.models import Conference, MeetupRound
from matching.enums import ACTIVE_RUN_STATUSES, RunStatus
from matching.models import MatchingRun
from matching.selectors.runs import latest_succeeded_run, plan_run_for
from matching.services.lifecycle import round_mark_held, round_publish
from matching.services.runs import RunOutcome, run_execute

logger = logging.getLogger(__name__)


DEMO_TIME_LIMIT_S = 3.0
DEMO_SEED = 2009


@dataclass(frozen=True)
class DemoRound:
    round: MeetupRound
    seated: int
    metrics: dict
    encounters: int  # created now (0 when the demo was loaded before)


@dataclass(frozen=True)
class DemoMatch:
    current: DemoRound | None
    history: list[DemoRound]


def demo_match(*, conference: Conference) -> DemoMatch:
    """Seat the demo with the matcher, without e-mailing anyone (safe to run again).

    The two most recent past editions get a held evening round seated by the engine, with its
    ``seated`` encounters and some ``met`` ones; then the first open round of ``conference`` is
    seated and published, so the dashboard shows tables at once. Solved in-process (no worker
    needed), a few seconds each.
    """
    from matching.demo.data import demo_met_pairs, demo_past_round

    past = Conference.objects.filter(
        series_id=conference.series_id, starts_on__lt=conference.starts_on
    ).order_by("-starts_on")[:2]
    history = []
    for edition in reversed(list(past)):
        meetup_round = demo_past_round(conference=edition)
        held = _demo_seat(meetup_round)
        created = 0
        if held.status != RoundStatus.HELD:
            round_publish(round_id=held.pk, by=None, notify=False)
            marked = round_mark_held(round_id=held.pk, by=None, notify=False)
            held, created = marked.round, marked.encounters_created
            seated_pairs = list(
                Encounter.objects.filter(round=held, kind=EncounterKind.SEATED).values_list(
                    "person_a_id", "person_b_id"
                )
            )
            met = demo_met_pairs(pairs=seated_pairs, conference=edition)
            encounters_create(round=held, pairs=met, kind=EncounterKind.MET)
            created += len(met)
        history.append(_demo_summary(held, created))

    first_open = (
        MeetupRound.objects.filter(conference=conference)
        .exclude(status__in=[RoundStatus.DRAFT, RoundStatus.CANCELLED])
        .order_by("starts_at", "pk")
        .first()
    )
    current = None
    if first_open is not None:
        seated = _demo_seat(first_open)
        if seated.status == RoundStatus.MATCHED:
            seated = round_publish(round_id=seated.pk, by=None, notify=False).round
        current = _demo_summary(seated, 0)
    return DemoMatch(current=current, history=history)


def _demo_seat(meetup_round: MeetupRound) -> MeetupRound:
    """Solve the round in-process unless it already has a plan."""
    if latest_succeeded_run(round=meetup_round) is None:
        MatchingRun.objects.filter(round=meetup_round, status__in=ACTIVE_RUN_STATUSES).update(
            status=RunStatus.CANCELLED, finished_at=timezone.now(), error="Replaced by the demo."
        )
        run = MatchingRun.objects.create(
            round=meetup_round, seed=DEMO_SEED, time_limit_s=DEMO_TIME_LIMIT_S
        )
        outcome = run_execute(run_id=run.pk)
        if outcome != RunOutcome.SUCCEEDED:
            run.refresh_from_db()
            raise RuntimeError(f"The demo round {meetup_round} could not be seated: {run.error}")
    return MeetupRound.objects.select_related("conference").get(pk=meetup_round.pk)


def _demo_summary(meetup_round: MeetupRound, created: int) -> DemoRound:
    plan = plan_run_for(round=meetup_round)
    run = plan.run if plan else None
    return DemoRound(
        round=meetup_round,
        seated=run.seats.count() if run else 0,
        metrics=run.metrics if run else {},
        encounters=created,
    )
