"""The round lifecycle, in one place: the statuses, the moves between them, each move's guard
and its side effects (docs/design.md §2 and §5).

::

    draft ──open──► open ──match──► matched ──publish──► published ──held──► held (final)
      ▲  ◄──draft───┘  ▲──reopen─────┘  ▲────unpublish──────┘ │ ▲publish   ▲held (again)
      │                                                       └─┘          │
      └──restore── cancelled ◄──cancel── draft, open, matched, published ──┘

``round_transition`` is the only code that writes a round's status (a test reads every module
to keep it so). Every door goes through it: the plan page's buttons, the admin's actions, the
API's publish/unpublish/held/cancel endpoints and a PATCH of ``status``; ``match`` is taken by
the system when a run stores its plan (``runs.store_solution``). ``allowed_actions`` says which
moves a page or the admin offers, with a label and the text to confirm them.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from conferences.enums import RoundStatus
from conferences.models import MeetupRound
from conferences.scoping import can_manage, round_for_organizer
from config import caches
from config.db import locked
from config.exceptions import Conflict, NotFound, ServiceError
from config.queue import Dispatch
from matching import engine
from matching.enums import ACTIVE_RUN_STATUSES, RoundAction, RunStatus
from matching.models import MatchingRun, RunCandidate, SeatNotification
from matching.selectors.plans import would_notify_count
from matching.selectors.runs import PlanRun, latest_succeeded_run, plan_run_for
from matching.services.encounters import encounters_record_round
from matching.services.met_prompts import met_prompts_enqueue, met_prompts_pending
from matching.services.notices import (
    notices_enqueue,
    notices_settle_unchanged,
    pending_notices,
    queue_unreachable_notices_message,
)

logger = logging.getLogger(__name__)

S = RoundStatus


@dataclass(frozen=True)
class Move:
    """One allowed move: ``action`` takes a round from ``source`` to ``target``."""

    action: RoundAction
    source: RoundStatus
    target: RoundStatus


# Every move a round can make; any other (status, status) pair is refused with
# ``refusal(source, target)``. A move to the same status repeats an action harmlessly:
# publishing another run of a published round, or marking a held round held again (which
# records the encounters still missing, none the second time).
MOVES: tuple[Move, ...] = (
    Move(RoundAction.OPEN, S.DRAFT, S.OPEN),
    Move(RoundAction.DRAFT, S.OPEN, S.DRAFT),
    Move(RoundAction.MATCH, S.OPEN, S.MATCHED),
    Move(RoundAction.REOPEN, S.MATCHED, S.OPEN),
    Move(RoundAction.PUBLISH, S.MATCHED, S.PUBLISHED),
    Move(RoundAction.PUBLISH, S.PUBLISHED, S.PUBLISHED),
    Move(RoundAction.UNPUBLISH, S.PUBLISHED, S.MATCHED),
    Move(RoundAction.HELD, S.PUBLISHED, S.HELD),
    Move(RoundAction.HELD, S.HELD, S.HELD),
    Move(RoundAction.CANCEL, S.DRAFT, S.CANCELLED),
    Move(RoundAction.CANCEL, S.OPEN, S.CANCELLED),
    Move(RoundAction.CANCEL, S.MATCHED, S.CANCELLED),
    Move(RoundAction.CANCEL, S.PUBLISHED, S.CANCELLED),
    Move(RoundAction.RESTORE, S.CANCELLED, S.DRAFT),
)
_MOVES = {(move.source, move.target): move for move in MOVES}

# Where each status may go next (the transition table, read from MOVES).
ROUND_TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(move.target for move in MOVES if move.source == status) for status in S
}

# Only the system takes these: a round becomes matched when a run stores its plan.
SYSTEM_ACTIONS = frozenset({RoundAction.MATCH})

# Statuses an organizer sets on a round directly (the API's PATCH, the admin's actions); the
# others follow from runs, publishing and holding.
EDITABLE_ROUND_STATUSES = frozenset({S.DRAFT, S.OPEN})

# Rounds that may be (re-)matched: RSVPs are open, or a plan exists that may be redone.
MATCHABLE_STATUSES = frozenset({S.OPEN, S.MATCHED, S.PUBLISHED})

NO_PLAN = "There is no finished plan to publish yet: run the matching first."


def move_for(source: str, target: str) -> Move | None:
    """The move from ``source`` to ``target``, or None when the lifecycle has none."""
    return _MOVES.get((S(source), S(target)))


# A status in a sentence: "a draft round", "back to open".
_WORDS = {
    S.DRAFT: "draft",
    S.OPEN: "open",
    S.MATCHED: "matched",
    S.PUBLISHED: "published",
    S.HELD: "held",
    S.CANCELLED: "cancelled",
}


def refusal(source: str, target: str) -> str:
    """Why a round in ``source`` cannot move to ``target``, in the organizer's words."""
    source, target = S(source), S(target)
    now = _WORDS[source]
    if source == S.HELD:
        if target == S.CANCELLED:
            return "This round has been held; it can no longer be cancelled."
        if target == S.PUBLISHED:
            return "This round is held; its plan can no longer be published."
        return f"This round has been held; it cannot go back to {_WORDS[target]}."
    if target == S.CANCELLED:
        return "This round is already cancelled."
    if target == S.PUBLISHED:
        if source in (S.DRAFT, S.OPEN):
            return NO_PLAN
        return f"This round is {now}; its plan can no longer be published."
    if target == S.HELD:
        if source == S.CANCELLED:
            return "This round is cancelled; it cannot be marked held."
        return "Publish the plan before marking the round held."
    if target == S.MATCHED:
        if source == S.MATCHED:
            return "Only a published round can be unpublished."
        if source == S.OPEN:
            return "A round becomes matched when a matching run stores its plan: run the matching."
        return "Only a published round can be unpublished."
    if source == target:
        return (
            "This round is already a draft."
            if source == S.DRAFT
            else ("This round is already open for RSVPs.")
        )
    if target == S.OPEN and source == S.CANCELLED:
        return "A cancelled round is restored as a draft first; then open it for RSVPs."
    if target == S.OPEN and source == S.PUBLISHED:
        return "A published round cannot go back to open; unpublish it first."
    return f"A {now} round cannot go back to {_WORDS[target]}."


def can_match(round: MeetupRound) -> bool:
    return round.status in MATCHABLE_STATUSES


def match_refusal(round: MeetupRound) -> str:
    """Why a run cannot be requested for a round in its status."""
    messages = {
        S.DRAFT: "This round is still a draft: open it for RSVPs, then run the matching.",
        S.HELD: "This round has been held; its seating can no longer change.",
        S.CANCELLED: "This round is cancelled; it can no longer be matched.",
    }
    return messages.get(round.status, "This round cannot be matched now.")


# ---------------------------------------------------------------------------------------------
# Moving a round


@dataclass(frozen=True)
class RoundTransition:
    """What a move did: the round as it is now, where it came from, and what followed."""

    round: MeetupRound
    action: RoundAction
    previous: str
    status: str
    changed: bool  # False: the move repeated what was already so (same plan, held again)
    emails_queued: int = 0  # attendees the notices task was sent for (table, change, cancel)
    queue_unreachable: bool = False  # the notices task could not be sent; the sweep sends it
    encounters_created: int = 0
    runs_cancelled: int = 0

    @property
    def warning(self) -> str | None:
        """What the organizer must know when the e-mails wait for the task queue."""
        if not self.queue_unreachable:
            return None
        if self.action == RoundAction.HELD:
            return (
                "Done, but the task queue (Redis) is not reachable, so the e-mails asking "
                f"{self.emails_queued} attendees who they met have not gone out yet. They go "
                "out by themselves once the queue is back."
            )
        return queue_unreachable_notices_message(
            pending=self.emails_queued, cancelled=self.action == RoundAction.CANCEL
        )


def round_transition(*, round_id: int, to: str, by, **options: Any) -> RoundTransition:
    """Move round ``round_id`` to status ``to``, checking the move's guard and doing its side
    effects in one transaction; follow-up work (e-mails) is sent after the commit.

    ``by`` is the acting user, who must organize the round's conference (``NotFound``
    otherwise); None is the system (tasks, the demo, commands). A move the lifecycle does not
    have raises ``Conflict`` with ``refusal``'s message; a guard that fails raises ``Conflict``
    too. Options: ``run_id`` (publish: which succeeded run, by default the latest) and
    ``notify`` (publish and held: False sends no e-mail, for the demo).
    """
    unknown = set(options) - {"run_id", "notify"}
    if unknown:
        raise TypeError(f"round_transition got unexpected options: {sorted(unknown)}")
    try:
        target = S(to)
    except ValueError:
        raise ServiceError(
            f"{to!r} is not a round status; use one of {', '.join(S.values)}.", field="status"
        ) from None
    if by is not None:
        round_for_organizer(user=by, pk=round_id)
    with transaction.atomic():
        meetup_round = (
            locked(MeetupRound.objects.filter(pk=round_id)).select_related("conference").first()
        )
        if meetup_round is None:
            raise NotFound("There is no such round.")
        previous = S(meetup_round.status)
        move = move_for(previous, target)
        if move is None:
            raise Conflict(refusal(previous, target))
        if move.action in SYSTEM_ACTIONS and by is not None:
            raise Conflict(refusal(previous, target))
        if set(options) - {"notify"} and move.action != RoundAction.PUBLISH:
            raise TypeError(f"{sorted(options)} apply to publishing only, not to {move.action}")
        if options and move.action not in (RoundAction.PUBLISH, RoundAction.HELD):
            raise TypeError(
                f"{sorted(options)} apply to publishing and holding, not to {move.action}"
            )
        result, dispatch = _EFFECTS[move.action](meetup_round, move, by, **options)
    if dispatch is not None and dispatch.failed:  # known once the transaction has committed
        result = dataclasses.replace(result, queue_unreachable=True)
    logger.info(
        "round %s: %s (%s → %s) by user %s",
        round_id,
        move.action,
        previous,
        result.status,
        getattr(by, "pk", None),
    )
    return result


def _write_status(meetup_round: MeetupRound, status: RoundStatus, **fields: Any) -> None:
    """The one place a round's status is written."""
    meetup_round.status = status
    for name, value in fields.items():
        setattr(meetup_round, name, value)
    meetup_round.save(update_fields=["status", *fields])


Effect = tuple[RoundTransition, Dispatch | None]


def _result(meetup_round, move, previous, dispatch: Dispatch | None = None, **extra) -> Effect:
    """The move's result, and the notices task it sent (whether that failed is known after
    the commit)."""
    result = RoundTransition(
        round=meetup_round,
        action=move.action,
        previous=previous,
        status=meetup_round.status,
        **{"changed": True, **extra},
    )
    return result, dispatch


def _plain(meetup_round: MeetupRound, move: Move, by) -> Effect:
    """Open, back to draft, re-open, match: the status changes, nothing else."""
    _write_status(meetup_round, move.target)
    return _result(meetup_round, move, move.source)


def _match(meetup_round: MeetupRound, move: Move, by) -> Effect:
    _write_status(meetup_round, move.target)
    caches.invalidate(caches.TABLES)
    return _result(meetup_round, move, move.source)


def _restore(meetup_round: MeetupRound, move: Move, by) -> Effect:
    """Back to draft: a plan published before the round was cancelled is no longer the plan."""
    _write_status(meetup_round, move.target, published_run=None, published_at=None)
    return _result(meetup_round, move, move.source)


def _publish(
    meetup_round: MeetupRound, move: Move, by, run_id: int | None = None, notify: bool = True
) -> Effect:
    """Make a run (by default the latest that succeeded) the plan, and tell attendees.

    Each seated attendee gets one e-mail with their table and an .ics; on a re-publish only
    those whose table changed (or who lost their seat) hear again. Publishing the plan that is
    already published changes nothing but sends the notices still owed, if any. When the task
    queue cannot be reached the round is published all the same and the notices go out once it
    is back (``notices_sweep_pending``).
    """
    if run_id is None:
        run = latest_succeeded_run(round=meetup_round)
    else:
        run = MatchingRun.objects.filter(pk=run_id, round=meetup_round).first()
        if run is None:
            raise ServiceError(f"This round has no run #{run_id}.", field="run")
    if run is None or run.status != RunStatus.SUCCEEDED:
        raise Conflict(NO_PLAN)
    if run.metrics and engine.hard_violations(run.metrics):
        raise Conflict("This plan breaks a hard constraint; run the matching again.")
    same = meetup_round.status == S.PUBLISHED and meetup_round.published_run_id == run.pk
    if not same:
        previous_sequence = meetup_round.calendar_sequence
        _write_status(
            meetup_round,
            move.target,
            published_run=run,
            published_at=timezone.now(),
            calendar_sequence=previous_sequence + 1,
        )
        # A new revision of every event; those whose table stays as they were told (and who
        # are owed nothing else) need not hear of it.
        notices_settle_unchanged(
            round=meetup_round, previous_sequence=previous_sequence, keep_table_of_run=run.pk
        )
    queued, dispatch = 0, None
    if notify:
        queued = len(pending_notices(meetup_round))
        if queued or not same:
            dispatch = notices_enqueue(meetup_round.pk)
    return _result(
        meetup_round,
        move,
        move.source,
        dispatch,
        changed=not same,
        emails_queued=queued,
    )


def _unpublish(meetup_round: MeetupRound, move: Move, by) -> Effect:
    """Back to review; attendees keep what they were told until the plan is published again."""
    _write_status(meetup_round, move.target, published_run=None, published_at=None)
    return _result(meetup_round, move, move.source)


def _held(meetup_round: MeetupRound, move: Move, by, notify: bool = True) -> Effect:
    """After the evening: a ``seated`` encounter for every pair who shared a table, and each
    seated attendee is e-mailed once (after the commit) to ask who they met. Marking a held
    round held again records only what is missing (nothing, the second time) and sends only the
    e-mails still owed."""
    changed = move.source != S.HELD
    if changed:
        if meetup_round.starts_at > timezone.now():
            raise Conflict(
                "This round has not started yet; mark it held once the evening took place."
            )
        _write_status(meetup_round, move.target, held_at=timezone.now())
    created = encounters_record_round(round=meetup_round)
    owed = len(met_prompts_pending(meetup_round)) if notify else 0
    dispatch = met_prompts_enqueue(meetup_round.pk) if owed else None
    return _result(
        meetup_round,
        move,
        move.source,
        dispatch,
        changed=changed,
        encounters_created=created,
        emails_queued=owed,
    )


def _cancel(meetup_round: MeetupRound, move: Move, by) -> Effect:
    """Active runs stop, and anyone told a table hears that the round is cancelled."""
    _write_status(meetup_round, move.target, calendar_sequence=meetup_round.calendar_sequence + 1)
    stopped = MatchingRun.objects.filter(round=meetup_round, status__in=ACTIVE_RUN_STATUSES).update(
        status=RunStatus.CANCELLED,
        finished_at=timezone.now(),
        error="The round was cancelled.",
    )
    RunCandidate.objects.filter(run__round=meetup_round).delete()
    queued, dispatch = 0, None
    if SeatNotification.objects.filter(round=meetup_round, table__isnull=False).exists():
        queued = len(pending_notices(meetup_round))
        dispatch = notices_enqueue(meetup_round.pk)
    return _result(
        meetup_round,
        move,
        move.source,
        dispatch,
        emails_queued=queued,
        runs_cancelled=stopped,
    )


_EFFECTS = {
    RoundAction.OPEN: _plain,
    RoundAction.DRAFT: _plain,
    RoundAction.REOPEN: _plain,
    RoundAction.MATCH: _match,
    RoundAction.PUBLISH: _publish,
    RoundAction.UNPUBLISH: _unpublish,
    RoundAction.HELD: _held,
    RoundAction.CANCEL: _cancel,
    RoundAction.RESTORE: _restore,
}


def round_note_matched(*, round_id: int) -> bool:
    """A run stored its plan: an open round becomes matched (the system's ``match`` move).

    Called inside the transaction that stores the plan; a round in any other status stays as it
    is (a new plan of a matched or published round is reviewed first). True when it moved.
    """
    with transaction.atomic():
        status = (
            locked(MeetupRound.objects.filter(pk=round_id)).values_list("status", flat=True).first()
        )
        if status != S.OPEN:
            return False
        round_transition(round_id=round_id, to=S.MATCHED, by=None)
    return True


# Named moves, for readability at the call sites -----------------------------------------------


def round_publish(
    *, round_id: int, by, run_id: int | None = None, notify: bool = True
) -> RoundTransition:
    return round_transition(round_id=round_id, to=S.PUBLISHED, by=by, run_id=run_id, notify=notify)


def round_unpublish(*, round_id: int, by) -> RoundTransition:
    return round_transition(round_id=round_id, to=S.MATCHED, by=by)


def round_mark_held(*, round_id: int, by, notify: bool = True) -> RoundTransition:
    return round_transition(round_id=round_id, to=S.HELD, by=by, notify=notify)


def round_cancel(*, round_id: int, by) -> RoundTransition:
    return round_transition(round_id=round_id, to=S.CANCELLED, by=by)


# ---------------------------------------------------------------------------------------------
# What a page offers


@dataclass(frozen=True)
class ActionOffer:
    """A move a page or the admin offers for a round, with the words to show and confirm it."""

    action: RoundAction
    to: str
    label: str
    confirm: str
    style: str = "secondary"  # "primary", "secondary" or "danger"
    emails: int = 0  # attendees the move would e-mail

    @property
    def confirm_step(self) -> bool:
        """Whether a page asks to confirm first: the move e-mails people or cannot be undone."""
        return self.action in CONFIRMED_ACTIONS


_UNREAD = object()  # allowed_actions: the caller did not read the plan

# Moves that e-mail attendees or cannot be undone: pages confirm them first.
CONFIRMED_ACTIONS = frozenset({RoundAction.PUBLISH, RoundAction.CANCEL, RoundAction.HELD})


def _people(count: int) -> str:
    return f"{count} attendee{'s' if count != 1 else ''}"


def allowed_actions(
    *,
    round: MeetupRound,
    user,
    plan: PlanRun | None | object = _UNREAD,
    pending_notices: int | None = None,
) -> list[ActionOffer]:
    """The moves ``user`` may take on ``round`` now, in the order a page shows them.

    Only moves the lifecycle has from the round's status and whose guard can pass: publish
    needs a succeeded run that is not already the published plan; held, a round that started. ``pending_notices`` is how
    many people publishing the plan under review would e-mail, and ``plan`` the round's
    ``plan_run_for``, when the caller knows them (the plan page does); otherwise they are read
    here. Nothing for someone who does not organize the round's conference.
    """
    if user is not None and not can_manage(user=user, conference=round.conference):
        return []
    status = S(round.status)
    name = round.name
    offers: list[ActionOffer] = []
    if move_for(status, S.OPEN):
        reopen = status == S.MATCHED
        offers.append(
            ActionOffer(
                RoundAction.REOPEN if reopen else RoundAction.OPEN,
                S.OPEN,
                "Re-open for RSVPs" if reopen else "Open for RSVPs",
                (
                    f"Re-open {name} for RSVPs? The plan under review stays until the matching "
                    "runs again; its tables can change."
                    if reopen
                    else f"Open {name} for RSVPs? Attendees see the round and can answer."
                ),
                "secondary" if reopen else "primary",
            )
        )
    if status in (S.MATCHED, S.PUBLISHED):
        if plan is _UNREAD:
            plan = plan_run_for(round=round)
        candidate = None
        if plan is not None:
            candidate = plan.newer if plan.published else plan.run
        if candidate is not None and candidate.pk != round.published_run_id:
            count = (
                pending_notices
                if pending_notices is not None
                else would_notify_count(round=round, run=candidate)
            )
            told = (
                f"This e-mails {_people(count)} their table."
                if count
                else "Everyone already knows their table; nobody is e-mailed."
            )
            offers.append(
                ActionOffer(
                    RoundAction.PUBLISH,
                    S.PUBLISHED,
                    "Publish this plan instead"
                    if status == S.PUBLISHED
                    else "Publish and notify attendees",
                    f"Publish run #{candidate.pk} as the plan of {name}? {told}",
                    "primary",
                    emails=count,
                )
            )
    if move_for(status, S.MATCHED) and status == S.PUBLISHED:
        offers.append(
            ActionOffer(
                RoundAction.UNPUBLISH,
                S.MATCHED,
                "Unpublish",
                "Take the plan back to review? Attendees keep what they were told; when you "
                "publish again, only those whose table changed hear from us.",
            )
        )
    if status == S.PUBLISHED and round.starts_at <= timezone.now():
        offers.append(
            ActionOffer(
                RoundAction.HELD,
                S.HELD,
                "Mark held",
                f"Mark {name} held? Everyone who shared a table is recorded as having sat "
                "together, and each of them is e-mailed once to ask who they met; a held round "
                "cannot change any more.",
            )
        )
    if status == S.OPEN:
        offers.append(
            ActionOffer(
                RoundAction.DRAFT,
                S.DRAFT,
                "Back to draft",
                f"Take {name} back to draft? Attendees no longer see it; their RSVPs are kept.",
            )
        )
    if status == S.CANCELLED:
        offers.append(
            ActionOffer(
                RoundAction.RESTORE,
                S.DRAFT,
                "Restore as a draft",
                f"Restore {name} as a draft? Open it for RSVPs and run the matching again.",
            )
        )
    if move_for(status, S.CANCELLED):
        told = SeatNotification.objects.filter(round=round, table__isnull=False).count()
        offers.append(
            ActionOffer(
                RoundAction.CANCEL,
                S.CANCELLED,
                "Cancel the round",
                f"Cancel {name}? "
                + (
                    f"The {_people(told)} who were told a table get an e-mail that it is cancelled."
                    if told
                    else "Nobody was told a table yet, so nobody is e-mailed."
                ),
                "danger",
                emails=told,
            )
        )
    return offers
