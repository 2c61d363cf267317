"""Which run of a round is which: the latest, the one to show, the latest that succeeded."""

from __future__ import annotations

from conferences.enums import RoundStatus
from conferences.models import MeetupRound
from matching.enums import RunStatus
from matching.models import MatchingRun

# ---------------------------------------------------------------------------------------------
# Ids in problem and solution files: p<person pk>, t<table pk>


def latest_run(*, round: MeetupRound) -> MatchingRun | None:
    """The round's most recent run, whatever its status (for progress and errors)."""
    return MatchingRun.objects.filter(round=round).order_by("-created_at", "-pk").first()


def current_run(*, round: MeetupRound) -> MatchingRun | None:
    """The run whose plan is the round's current plan.

    A held round keeps its published plan; otherwise the latest run that succeeded (it may be a
    new plan under review while an older one is published).
    """
    if round.status == RoundStatus.HELD:
        return round.published_run
    return (
        MatchingRun.objects.filter(round=round, status=RunStatus.SUCCEEDED)
        .order_by("-created_at", "-pk")
        .first()
    )


def latest_succeeded_run(*, round: MeetupRound) -> MatchingRun | None:
    return (
        MatchingRun.objects.filter(round=round, status=RunStatus.SUCCEEDED)
        .order_by("-created_at", "-pk")
        .first()
    )
