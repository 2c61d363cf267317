"""Which run of a round is which: the latest, the latest that succeeded, and "the plan"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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


def plan_run_for(
    *, round: MeetupRound, review: bool = False, latest: MatchingRun | None = None
) -> PlanRun | None:
    """Which run is "the plan" of a round: the published run if there is one, else the latest
    succeeded run (under review); None before any run succeeded.

    Every page, export, card and API answer that shows a round's plan reads it here and says
    which of the two it shows. ``review=True`` asks for the plan under review instead: the
    latest succeeded run when it is newer than the published one (the organizer reviews it
    before publishing it in its place), else the same answer. ``latest`` is the round's latest
    run when the caller has read it already (it saves a query when it succeeded).
    """
    if latest is None or latest.status != RunStatus.SUCCEEDED:
        latest = latest_succeeded_run(round=round)
    published = None
    if round.published_run_id is not None:
        same = latest is not None and latest.pk == round.published_run_id
        published = latest if same else round.published_run
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
