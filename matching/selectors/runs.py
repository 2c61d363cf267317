"""Which run of a round is which: the latest, the latest that succeeded, and "the plan"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import dateformat, timezone

from conferences.models import MeetupRound
from conferences.scoping import organized_conferences
from config.exceptions import NotFound
from matching.enums import RunStatus
from matching.models import MatchingRun


def latest_run(*, round: MeetupRound) -> MatchingRun | None:
    """The round's most recent run, whatever its status (for progress and errors)."""
    return MatchingRun.objects.filter(round=round).order_by("-created_at", "-pk").first()


def latest_succeeded_run(*, round: MeetupRound) -> MatchingRun | None:
    return (
        MatchingRun.objects.filter(round=round, status=RunStatus.SUCCEEDED)
        .order_by("-created_at", "-pk")
        .first()
    )


def run_for_organizer(*, user, pk: int) -> MatchingRun:
    """Run ``pk`` if ``user`` organizes its round's conference; ``NotFound`` otherwise."""
    run = (
        MatchingRun.objects.select_related("round__conference")
        .filter(pk=pk, round__conference__in=organized_conferences(user=user))
        .first()
    )
    if run is None:
        raise NotFound("There is no run of yours at this address.")
    return run


@dataclass(frozen=True)
class PlanRun:
    """The run whose seats are shown as a round's plan, and which plan that is.

    ``published``: it is the round's published plan (attendees were told it); otherwise it is
    a plan under review. ``newer`` is a succeeded run newer than the published plan, still
    under review, when there is one.
    """

    run: MatchingRun
    published: bool
    published_at: datetime | None
    newer: MatchingRun | None = None

    @property
    def kind(self) -> str:
        return "published" if self.published else "under_review"

    @property
    def label(self) -> str:
        return "Published plan" if self.published else "Plan under review"

    def describe(self, *, tz) -> str:
        """ "Published plan: run #12, published on Tue 30 June 2026, 14:02" and the like."""
        if self.published:
            when = ""
            if self.published_at is not None:
                local = timezone.localtime(self.published_at, tz)
                when = f", published on {dateformat.format(local, 'D j F Y, H:i')}"
            return f"Published plan: run #{self.run.pk}{when}"
        return f"Plan under review: run #{self.run.pk}, not published"


def plan_run_for(*, round: MeetupRound, review: bool = False) -> PlanRun | None:
    """Which run is "the plan" of a round: the published run if there is one, else the latest
    succeeded run (under review); None before any run succeeded.

    Every page, export, card and API answer that shows a round's plan reads it here (or, for
    many rounds at once, ``plan_runs_for``) and says which of the two it shows. ``review=True``
    asks for the plan under review instead: the latest succeeded run when it is newer than the
    published one (the organizer reviews it before publishing it in its place), else the same
    answer. One query, whatever the case.
    """
    runs = MatchingRun.objects.filter(_plan_candidates(round), round=round)
    return plan_run_among(round, runs.order_by("-created_at", "-pk"), review=review)


def plan_runs_for(*, rounds: list[MeetupRound]) -> dict[int, PlanRun]:
    """``plan_run_for`` of each round that has a plan, by round pk, in one query."""
    if not rounds:
        return {}
    wanted = Q()
    for meetup_round in rounds:
        wanted |= _plan_candidates(meetup_round) & Q(round_id=meetup_round.pk)
    by_round: dict[int, list[MatchingRun]] = {r.pk: [] for r in rounds}
    for run in MatchingRun.objects.filter(wanted).order_by("-created_at", "-pk"):
        by_round[run.round_id].append(run)
    chosen = {}
    for meetup_round in rounds:
        plan = plan_run_among(meetup_round, by_round[meetup_round.pk], review=False)
        if plan is not None:
            chosen[meetup_round.pk] = plan
    return chosen


def _plan_candidates(round: MeetupRound) -> Q:
    wanted = Q(status=RunStatus.SUCCEEDED)
    if round.published_run_id is not None:
        wanted |= Q(pk=round.published_run_id)
    return wanted


def plan_run_among(round: MeetupRound, runs_newest_first, *, review: bool) -> PlanRun | None:
    """The rule of ``plan_run_for``, over runs of the round read already (newest first; they
    must include its succeeded runs and its published one, others are passed over)."""
    latest = published = None
    for run in runs_newest_first:
        if latest is None and run.status == RunStatus.SUCCEEDED:
            latest = run
        if run.pk == round.published_run_id:
            published = run
        if latest is not None and (published is not None or round.published_run_id is None):
            break
    if published is None:
        if latest is None:
            return None
        return PlanRun(run=latest, published=False, published_at=None)
    newer = latest if latest is not None and latest.pk != published.pk else None
    if review and newer is not None:
        return PlanRun(run=newer, published=False, published_at=None)
    return PlanRun(run=published, published=True, published_at=round.published_at, newer=newer)


def plan_run_of(*, round: MeetupRound, run: MatchingRun) -> PlanRun:
    """``run`` (a run of ``round`` asked for by id) described as a plan."""
    published = run.pk == round.published_run_id
    return PlanRun(
        run=run, published=published, published_at=round.published_at if published else None
    )
