"""Organizer edits of a conference, its tables and rounds.

Edits (``conference_update``, ``table_create``, ``round_update``, ...) check what the database
cannot and answer a ``ServiceError`` (400) or a ``Conflict`` (409) whose message says what to do
instead. A round's status is never written here: it moves only through the lifecycle
(``matching.services.lifecycle``); a new round is a draft.
"""

import logging
from typing import Any

from django.db import IntegrityError, transaction

from conferences.enums import RoundStatus
from conferences.models import Conference, DrinkTable, MeetupRound
from config.exceptions import Conflict, ServiceError

logger = logging.getLogger(__name__)


CONFERENCE_FIELDS = frozenset({"name", "city", "starts_on", "ends_on", "time_zone"})
TABLE_FIELDS = frozenset({"label", "location", "capacity", "accessible", "active", "host"})
ROUND_FIELDS = frozenset({"name", "starts_at", "ends_at", "location", "tables"})
# Once a round is matched its tables are part of a plan; re-open it to change them.
TABLES_FIXED_STATUSES = frozenset(
    {RoundStatus.MATCHED, RoundStatus.PUBLISHED, RoundStatus.HELD, RoundStatus.CANCELLED}
)


def _assign(instance, data: dict[str, Any], allowed: frozenset[str]) -> list[str]:
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"unexpected fields: {sorted(unknown)}")
    changed = []
    for name, value in data.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def conference_update(*, conference: Conference, data: dict[str, Any], by) -> Conference:
    """Change a conference's name, city, dates or time zone."""
    with transaction.atomic():
        changed = _assign(conference, data, CONFERENCE_FIELDS)
        if conference.ends_on < conference.starts_on:
            raise ServiceError(
                "The conference cannot end before it starts; check starts_on and ends_on.",
                field="ends_on",
            )
        if changed:
            conference.save(update_fields=changed)
    logger.info("conference %s updated by user %s: %s", conference.pk, by.pk, changed)
    return conference


def _check_table(table: DrinkTable) -> None:
    if (
        DrinkTable.objects.filter(conference_id=table.conference_id, label__iexact=table.label)
        .exclude(pk=table.pk)
        .exists()
    ):
        raise ServiceError(
            f"This conference already has a table labelled {table.label!r}; pick another label.",
            field="label",
        )
    if (
        table.host is not None
        and not table.host.attendances.filter(conference_id=table.conference_id).exists()
    ):
        raise ServiceError(
            "The host must be registered for this conference; add their attendance first.",
            field="host",
        )


def _save_table(table: DrinkTable, update_fields: list[str] | None) -> None:
    try:
        with transaction.atomic():
            table.save(update_fields=update_fields)
    except IntegrityError:
        # Two requests created the same label at once; the unique constraint held.
        raise ServiceError(
            f"This conference already has a table labelled {table.label!r}; pick another label.",
            field="label",
        ) from None


def table_create(*, conference: Conference, data: dict[str, Any], by) -> DrinkTable:
    table = DrinkTable(conference=conference)
    _assign(table, data, TABLE_FIELDS)
    _check_table(table)
    _save_table(table, None)
    logger.info("table %s created by user %s", table.pk, by.pk)
    return table


def table_update(*, table: DrinkTable, data: dict[str, Any], by) -> DrinkTable:
    changed = _assign(table, data, TABLE_FIELDS)
    if changed:
        _check_table(table)
        _save_table(table, [f"{name}_id" if name == "host" else name for name in changed])
    logger.info("table %s updated by user %s: %s", table.pk, by.pk, changed)
    return table


def table_delete(*, table: DrinkTable, by) -> None:
    """Delete a table nobody was ever seated at; a table in a plan is deactivated instead."""
    with transaction.atomic():
        if table.seats.exists():
            raise Conflict(
                f"Table {table.label} is part of a seating plan, which must stay intact; "
                "set active to false to stop using it."
            )
        table.delete()
    logger.info("table %s deleted by user %s", table.pk, by.pk)


def _check_round(round: MeetupRound, tables: list[DrinkTable] | None) -> None:
    if round.ends_at <= round.starts_at:
        raise ServiceError("The round must end after it starts; check ends_at.", field="ends_at")
    if tables is not None:
        strangers = [t.label for t in tables if t.conference_id != round.conference_id]
        if strangers:
            raise ServiceError(
                f"Tables {', '.join(strangers)} belong to another conference; "
                "choose tables of this conference.",
                field="tables",
            )


def round_create(*, conference: Conference, data: dict[str, Any], by) -> MeetupRound:
    """A new round, as a draft (``matching.services.rounds`` opens it in the same request)."""
    data = dict(data)
    tables = data.pop("tables", None)
    round = MeetupRound(conference=conference)
    _assign(round, data, ROUND_FIELDS)
    _check_round(round, tables)
    with transaction.atomic():
        round.save()
        if tables:
            round.tables.set(tables)
    logger.info("round %s created by user %s", round.pk, by.pk)
    return round


def round_update(*, round: MeetupRound, data: dict[str, Any], by) -> MeetupRound:
    """Change a round's details (its status moves through the lifecycle, before this)."""
    data = dict(data)
    tables = data.pop("tables", None)
    with transaction.atomic():
        round = MeetupRound.objects.select_for_update().get(pk=round.pk)
        changing = {name for name, value in data.items() if getattr(round, name) != value}
        if round.status == RoundStatus.HELD and changing - {"name", "location"}:
            raise Conflict("This round has been held; only its name and location can change.")
        tables_change = tables is not None and set(tables) != set(round.tables.all())
        next_status = RoundStatus(round.status)
        if tables_change and next_status in TABLES_FIXED_STATUSES:
            raise Conflict(
                f"The tables of a {next_status.label.lower()} round are part of "
                "its plan; set the round back to open before changing them.",
            )
        changed = _assign(round, data, ROUND_FIELDS - {"tables"})
        _check_round(round, tables)
        if changed:
            round.save(update_fields=changed)
        if tables is not None:
            round.tables.set(tables)
    logger.info("round %s updated by user %s: %s", round.pk, by.pk, changed)
    return round


def round_delete(*, round: MeetupRound, by) -> None:
    """Delete a round that was never published; a published one keeps its history."""
    with transaction.atomic():
        round = MeetupRound.objects.select_for_update().get(pk=round.pk)
        if round.published_run_id is not None or round.status in (
            RoundStatus.PUBLISHED,
            RoundStatus.HELD,
        ):
            raise Conflict(
                "This round was published, and its plan and encounters are history; "
                "cancel it instead of deleting it."
            )
        round.delete()
    logger.info("round %s deleted by user %s", round.pk, by.pk)
