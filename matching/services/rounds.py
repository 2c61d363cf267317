"""The round workflow after matching: publish, unpublish, mark held, cancel."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from conferences.enums import RoundStatus
from conferences.models import MeetupRound
from config.db import locked
from config.exceptions import Conflict
from matching import engine
from matching.enums import ACTIVE_RUN_STATUSES, RunStatus
from matching.models import MatchingRun, RunCandidate, SeatNotification
from matching.selectors.runs import latest_succeeded_run
from matching.services.encounters import encounters_record_round
from matching.services.notices import notices_enqueue, pending_notices

logger = logging.getLogger(__name__)


def round_publish(
    *, round: MeetupRound, by, run: MatchingRun | None = None, notify: bool = True
) -> MeetupRound:
    """Make a run (by default the latest finished one) the round's plan and tell attendees.

    Each seated attendee gets one e-mail with their table and an .ics; on a re-publish only
    those whose table changed (or who lost their seat) hear again. Publishing the plan that is
    already published changes nothing, but sends the notices still owed, if any.
    ``notify=False`` (the demo) sends nothing. When the task queue cannot be reached the round
    is published all the same (``round.queue_unreachable`` is True) and the notices go out once
    it is back (``notices_sweep_pending``).
    """
    with transaction.atomic():
        meetup_round = locked(MeetupRound.objects.filter(pk=round.pk)).get()
        no_plan = "There is no finished plan to publish yet: run the matching first."
        if meetup_round.status in (RoundStatus.DRAFT, RoundStatus.OPEN):
            raise Conflict(no_plan)
        if not meetup_round.can_become(RoundStatus.PUBLISHED):
            raise Conflict(
                f"This round is {meetup_round.get_status_display().lower()}; "
                "its plan can no longer be published."
            )
        run = run or latest_succeeded_run(round=meetup_round)
        if run is None or run.round_id != meetup_round.pk or run.status != RunStatus.SUCCEEDED:
            raise Conflict(no_plan)
        if run.metrics and engine.hard_violations(run.metrics):
            raise Conflict("This plan breaks a hard constraint; run the matching again.")
        dispatch = None
        if meetup_round.status == RoundStatus.PUBLISHED and meetup_round.published_run_id == run.pk:
            # Nothing changes; notices still owed (the task queue was down) are sent again.
            if notify and pending_notices(meetup_round):
                dispatch = notices_enqueue(meetup_round.pk)
        else:
            meetup_round.published_run = run
            meetup_round.published_at = timezone.now()
            meetup_round.status = RoundStatus.PUBLISHED
            meetup_round.save(update_fields=["published_run", "published_at", "status"])
            logger.info(
                "round %s: run %s published by user %s", round.pk, run.pk, getattr(by, "pk", None)
            )
            if notify:
                dispatch = notices_enqueue(meetup_round.pk)
    meetup_round.queue_unreachable = dispatch is not None and dispatch.failed
    return meetup_round


def round_unpublish(*, round: MeetupRound, by) -> MeetupRound:
    """Take the plan back to review; attendees keep what they were told until it is published."""
    with transaction.atomic():
        meetup_round = locked(MeetupRound.objects.filter(pk=round.pk)).get()
        if meetup_round.status != RoundStatus.PUBLISHED:
            raise Conflict("Only a published round can be unpublished.")
        meetup_round.status = RoundStatus.MATCHED
        meetup_round.published_run = None
        meetup_round.published_at = None
        meetup_round.save(update_fields=["status", "published_run", "published_at"])
    logger.info("round %s unpublished by user %s", round.pk, getattr(by, "pk", None))
    return meetup_round


def round_mark_held(*, round: MeetupRound, by) -> int:
    """Mark a published round held and record a ``seated`` encounter for every pair who shared
    a table. Returns how many encounters were created; doing it again creates none."""
    with transaction.atomic():
        meetup_round = (
            locked(MeetupRound.objects.filter(pk=round.pk)).select_related("conference").get()
        )
        if meetup_round.status not in (RoundStatus.PUBLISHED, RoundStatus.HELD):
            raise Conflict("Publish the plan before marking the round held.")
        if meetup_round.status == RoundStatus.PUBLISHED:
            if meetup_round.starts_at > timezone.now():
                raise Conflict(
                    "This round has not started yet; mark it held once the evening took place."
                )
            meetup_round.status = RoundStatus.HELD
            meetup_round.held_at = timezone.now()
            meetup_round.save(update_fields=["status", "held_at"])
        created = encounters_record_round(round=meetup_round)
    logger.info(
        "round %s held: %s encounters by user %s", round.pk, created, getattr(by, "pk", None)
    )
    return created


def round_cancel(*, round: MeetupRound, by) -> MeetupRound:
    """Cancel the round: active runs stop, and anyone told a table hears it is cancelled."""
    with transaction.atomic():
        meetup_round = locked(MeetupRound.objects.filter(pk=round.pk)).get()
        if meetup_round.status == RoundStatus.HELD:
            raise Conflict("This round has been held; it can no longer be cancelled.")
        if meetup_round.status == RoundStatus.CANCELLED:
            raise Conflict("This round is already cancelled.")
        meetup_round.status = RoundStatus.CANCELLED
        meetup_round.save(update_fields=["status"])
        MatchingRun.objects.filter(round=meetup_round, status__in=ACTIVE_RUN_STATUSES).update(
            status=RunStatus.CANCELLED,
            finished_at=timezone.now(),
            error="The round was cancelled.",
        )
        RunCandidate.objects.filter(run__round=meetup_round).delete()
        dispatch = None
        if SeatNotification.objects.filter(round=meetup_round, table__isnull=False).exists():
            dispatch = notices_enqueue(meetup_round.pk)
    meetup_round.queue_unreachable = dispatch is not None and dispatch.failed
    logger.info("round %s cancelled by user %s", round.pk, getattr(by, "pk", None))
    return meetup_round
