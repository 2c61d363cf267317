"""Organizer edits of a round or a table that may move a round's status or tell attendees.

Every door (the admin, the API) edits a round and a table here. The details change through
``conferences.services`` and the status through the lifecycle (``matching.services.lifecycle``),
in one transaction: a refused status leaves the details unchanged, and a matched round
re-opened in the same request may change its tables.

Changing when or where a published round happens, or where one of its tables stands, is a
new revision of the attendees' calendar events (the round's ``calendar_sequence``): each
person it concerns is e-mailed once with the updated event (``notices``, after the commit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from conferences import services as conference_services
from conferences.enums import RoundStatus
from conferences.models import MeetupRound
from conferences.scoping import round_for_organizer
from config.db import locked
from config.exceptions import ServiceError
from matching.models import Seat
from matching.services.lifecycle import EDITABLE_ROUND_STATUSES, round_transition
from matching.services.notices import notices_enqueue, notices_settle_unchanged, pending_notices

# What a round's calendar event says about when and where.
CALENDAR_FIELDS = frozenset({"starts_at", "ends_at", "location"})


@dataclass(frozen=True)
class Changed:
    """What an edit did: the object's id, the fields that changed, and the attendees who are
    being e-mailed the updated calendar event (and whether the task queue took the task)."""

    id: int
    changed: tuple[str, ...] = ()
    emails_queued: int = 0
    queue_unreachable: bool = False


def _check_editable(status: str) -> None:
    if status not in EDITABLE_ROUND_STATUSES:
        raise ServiceError(
            "Set the status to draft or open here; a round becomes matched, published or held "
            "through its runs, publish and held.",
            field="status",
        )


def round_create_with_status(
    *, by, conference_id: int, data: dict[str, Any]
) -> conference_services.Saved:
    """A new round, as a draft or opened for RSVPs at once (``data["status"]``)."""
    data = dict(data)
    status = data.pop("status", RoundStatus.DRAFT)
    _check_editable(status)
    with transaction.atomic():
        saved = conference_services.round_create(by=by, conference_id=conference_id, data=data)
        if status != RoundStatus.DRAFT:
            round_transition(round_id=saved.id, to=status, by=by)
    return saved


def round_update_with_status(*, by, round_id: int, data: dict[str, Any]) -> Changed:
    """Change a round's details and, between draft and open, its status (a matched round may
    be re-opened, a cancelled one restored as a draft). A published round whose time or place
    changes tells each seated attendee, once, with the updated calendar event."""
    data = dict(data)
    status = data.pop("status", None)
    meetup_round = round_for_organizer(user=by, pk=round_id)
    with transaction.atomic():
        changed = []
        if status is not None and status != meetup_round.status:
            _check_editable(status)
            round_transition(round_id=round_id, to=status, by=by)
            changed.append("status")
        saved = conference_services.round_update(by=by, round_id=round_id, data=data)
        told = []
        if CALENDAR_FIELDS & set(saved.changed):
            told = _tell_of_change(round_id=round_id)
    return _changed(saved.id, (*changed, *saved.changed), told)


def table_update_with_notices(*, by, table_id: int, data: dict[str, Any]) -> Changed:
    """Change a table; when its location changes, everyone seated at it in a published round
    still ahead is e-mailed once with the updated calendar event (nobody else)."""
    with transaction.atomic():
        saved = conference_services.table_update(by=by, table_id=table_id, data=data)
        told = []
        if "location" in saved.changed:
            round_ids = (
                Seat.objects.filter(
                    table_id=table_id,
                    run__round__status=RoundStatus.PUBLISHED,
                    run__round__published_run=F("run"),
                    run__round__ends_at__gte=timezone.now(),
                )
                .values_list("run__round_id", flat=True)
                .distinct()
            )
            for round_id in sorted(set(round_ids)):
                told += _tell_of_change(round_id=round_id, table_id=table_id)
    return _changed(saved.id, saved.changed, told)


def _tell_of_change(*, round_id: int, table_id: int | None = None) -> list:
    """A new revision of a published round's events; queue the e-mails to those concerned (all
    its seated attendees, or those at ``table_id``). Inside the edit's transaction."""
    meetup_round = locked(MeetupRound.objects.filter(pk=round_id)).first()
    if meetup_round is None or meetup_round.status != RoundStatus.PUBLISHED:
        return []
    previous = meetup_round.calendar_sequence
    meetup_round.calendar_sequence = previous + 1
    meetup_round.save(update_fields=["calendar_sequence"])
    if table_id is not None:
        notices_settle_unchanged(
            round=meetup_round, previous_sequence=previous, except_table_id=table_id
        )
    pending = len(pending_notices(meetup_round))
    return [(pending, notices_enqueue(round_id))] if pending else []


def _changed(object_id: int, changed, told: list) -> Changed:
    return Changed(
        object_id,
        tuple(changed),
        emails_queued=sum(count for count, _ in told),
        queue_unreachable=any(dispatch.failed for _, dispatch in told),
    )
