"""Organizer edits of a round that may move its status too (the API's round create and PATCH).

The details change through ``conferences.services`` and the status through the lifecycle
(``matching.services.lifecycle``), in one transaction: a refused status leaves the details
unchanged, and a matched round re-opened in the same request may change its tables.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from conferences import services as conference_services
from conferences.enums import RoundStatus
from conferences.scoping import round_for_organizer
from config.exceptions import ServiceError
from matching.services.lifecycle import EDITABLE_ROUND_STATUSES, round_transition


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


def round_update_with_status(
    *, by, round_id: int, data: dict[str, Any]
) -> conference_services.Saved:
    """Change a round's details and, between draft and open, its status (a matched round may
    be re-opened, a cancelled one restored as a draft)."""
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
    return conference_services.Saved(saved.id, (*changed, *saved.changed))
