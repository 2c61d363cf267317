"""Organizer edits of a conference, its tables and rounds.

Every function takes the acting user as ``by`` (``None``: the system) and the ids it acts on,
looks them up in ``by``'s scope (``conferences.scoping``: someone else's conference, table or
round is ``NotFound``, the same as one that does not exist), checks what the database cannot and
answers a ``ServiceError`` (400) or a ``Conflict`` (409) whose message says what to do instead.
Results are small frozen dataclasses. The admin, the organizer pages and the API all call these.

A round's status is never written here: it moves only through the lifecycle
(``matching.services.lifecycle``); a new round is a draft.
"""

import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from conferences.enums import PLAN_VISIBLE_STATUSES, RoundStatus
from conferences.models import Conference, DrinkTable, MeetupRound, Series, Topic
from conferences.scoping import (
    conference_by_id_for_organizer,
    round_for_organizer,
    table_for_organizer,
)
from config.exceptions import Conflict, NotFound, ServiceError

logger = logging.getLogger(__name__)


CONFERENCE_FIELDS = frozenset({"name", "city", "starts_on", "ends_on", "time_zone"})
CONFERENCE_CREATE_FIELDS = CONFERENCE_FIELDS | {"series", "slug"}
# Who organizes a conference, and where it lives, are a superuser's to change.
CONFERENCE_SUPERUSER_FIELDS = frozenset({"series", "slug", "organizers"})
TABLE_FIELDS = frozenset({"label", "location", "capacity", "accessible", "active", "host"})
ROUND_FIELDS = frozenset({"name", "starts_at", "ends_at", "location", "tables"})
# Text that ends up in e-mail subjects, calendar files, CSV lines and table cards: one line.
SINGLE_LINE_FIELDS = frozenset({"name", "city", "label", "location", "slug"})
# Once a round is matched its tables are part of a plan; re-open it to change them.
TABLES_FIXED_STATUSES = frozenset(
    {RoundStatus.MATCHED, RoundStatus.PUBLISHED, RoundStatus.HELD, RoundStatus.CANCELLED}
)


@dataclass(frozen=True)
class Saved:
    """What an edit did: the object's id and the fields that changed."""

    id: int
    changed: tuple[str, ...] = ()


def check_single_line(value: Any, *, field: str) -> None:
    """Refuse line breaks and other control characters in a one-line text."""
    if (
        isinstance(value, str)
        and any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value)
        or (isinstance(value, str) and any(c in value for c in "\u2028\u2029\u0085"))
    ):
        raise ServiceError(
            "Keep this on one line: remove the line breaks (and tabs or other control "
            "characters); it is printed in e-mail subjects, calendars and table cards.",
            field=field,
        )


def _assign(instance, data: dict[str, Any], allowed: frozenset[str]) -> list[str]:
    unknown = set(data) - allowed
    if unknown:
        raise ServiceError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    changed = []
    for name, value in data.items():
        if name in SINGLE_LINE_FIELDS:
            check_single_line(value, field=name)
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _id(value) -> int | None:
    return getattr(value, "pk", value)


# Conferences ---------------------------------------------------------------------------------


def _check_conference(conference: Conference) -> None:
    if conference.ends_on < conference.starts_on:
        raise ServiceError(
            "The conference cannot end before it starts; check starts_on and ends_on.",
            field="ends_on",
        )


def conference_create(*, by, data: dict[str, Any]) -> Saved:
    """A new edition of a series; an organizer who creates it organizes it."""
    data = dict(data)
    organizers = data.pop("organizers", None) if by is None or by.is_superuser else None
    series_id = _id(data.pop("series", None))
    if not Series.objects.filter(pk=series_id).exists():
        raise ServiceError("Choose the series this conference belongs to.", field="series")
    conference = Conference(series_id=series_id)
    _assign(conference, data, CONFERENCE_CREATE_FIELDS - {"series"})
    _check_conference(conference)
    try:
        with transaction.atomic():
            conference.save()
            if by is not None and not by.is_superuser:
                conference.organizers.add(by)
            if organizers:
                conference.organizers.set(organizers)
    except IntegrityError:
        raise ServiceError(
            "Another conference already has this slug; pick another.", field="slug"
        ) from None
    logger.info("conference %s created by user %s", conference.pk, getattr(by, "pk", None))
    return Saved(conference.pk)


def conference_update(*, by, conference_id: int, data: dict[str, Any]) -> Saved:
    """Change a conference's name, city, dates or time zone."""
    data = dict(data)
    superuser = by is None or by.is_superuser
    organizers = data.pop("organizers", None) if superuser else None
    if superuser and "series" in data:
        data["series_id"] = _id(data.pop("series"))
    allowed = CONFERENCE_FIELDS | ({"series_id", "slug"} if superuser else set())
    with transaction.atomic():
        conference = conference_by_id_for_organizer(user=by, pk=conference_id)
        changed = _assign(conference, data, allowed)
        _check_conference(conference)
        try:
            with transaction.atomic():
                if changed:
                    conference.save(update_fields=changed)
        except IntegrityError:
            raise ServiceError(
                "Another conference already has this slug; pick another.", field="slug"
            ) from None
        if organizers is not None:
            conference.organizers.set(organizers)
            changed.append("organizers")
    logger.info(
        "conference %s updated by user %s: %s", conference_id, getattr(by, "pk", None), changed
    )
    return Saved(conference_id, tuple(changed))


def conference_delete(*, by, conference_id: int) -> None:
    """Delete a conference that never published a plan; one with history stays (only a
    superuser may delete it, with its plans and encounters)."""
    with transaction.atomic():
        conference = conference_by_id_for_organizer(user=by, pk=conference_id)
        superuser = by is None or by.is_superuser
        if not superuser and conference.rounds.filter(status__in=PLAN_VISIBLE_STATUSES).exists():
            raise Conflict(
                "This conference has published or held rounds, whose plans and encounters are "
                "history; it cannot be deleted."
            )
        conference.delete()
    logger.info("conference %s deleted by user %s", conference_id, getattr(by, "pk", None))


# Tables --------------------------------------------------------------------------------------


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
        table.host_id is not None
        and not table.conference.attendances.filter(
            person_id=table.host_id, person__deleted_at__isnull=True
        ).exists()
    ):
        # The same answer for somebody registered elsewhere and for an id nobody has.
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


def _table_data(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "host" in data:
        data["host_id"] = _id(data.pop("host"))
    return data


TABLE_ATTRS = (TABLE_FIELDS - {"host"}) | {"host_id"}


def table_create(*, by, conference_id: int, data: dict[str, Any]) -> Saved:
    conference = conference_by_id_for_organizer(user=by, pk=conference_id)
    table = DrinkTable(conference=conference)
    _assign(table, _table_data(data), TABLE_ATTRS)
    _check_table(table)
    _save_table(table, None)
    logger.info("table %s created by user %s", table.pk, getattr(by, "pk", None))
    return Saved(table.pk)


def table_update(*, by, table_id: int, data: dict[str, Any]) -> Saved:
    with transaction.atomic():
        table = table_for_organizer(user=by, pk=table_id)
        changed = _assign(table, _table_data(data), TABLE_ATTRS)
        if changed:
            _check_table(table)
            _save_table(table, changed)
    logger.info("table %s updated by user %s: %s", table_id, getattr(by, "pk", None), changed)
    return Saved(table_id, tuple(c.removesuffix("_id") for c in changed))


def table_delete(*, by, table_id: int) -> None:
    """Delete a table nobody was ever seated at; a table in a plan is deactivated instead.

    A published or held round's plan is history, and a plan under review would lose seats; the
    database refuses too (``Seat.table`` is ``PROTECT``).
    """
    with transaction.atomic():
        table = table_for_organizer(user=by, pk=table_id)
        if table.seats.exists():
            raise Conflict(
                f"Table {table.label} is part of a seating plan, which must stay intact; "
                "set active to false to stop using it."
            )
        table.delete()
    logger.info("table %s deleted by user %s", table_id, getattr(by, "pk", None))


# Rounds --------------------------------------------------------------------------------------


def _round_tables(round: MeetupRound, tables) -> list[DrinkTable] | None:
    if tables is None:
        return None
    ids = {_id(t) for t in tables}
    found = list(DrinkTable.objects.filter(pk__in=ids, conference_id=round.conference_id))
    if len(found) != len(ids):
        # Another conference's table answers as a table that does not exist.
        missing = sorted(ids - {t.pk for t in found}, key=str)
        raise ServiceError(
            f"This conference has no table with id {', '.join(map(str, missing))}; choose "
            "tables of this conference.",
            field="tables",
        )
    return found


def _check_round(round: MeetupRound) -> None:
    if round.ends_at <= round.starts_at:
        raise ServiceError("The round must end after it starts; check ends_at.", field="ends_at")


def round_create(*, by, conference_id: int, data: dict[str, Any]) -> Saved:
    conference = conference_by_id_for_organizer(user=by, pk=conference_id)
    """A new round, as a draft (``matching.services.rounds`` opens it in the same request)."""
    data = dict(data)
    tables = data.pop("tables", None)
    round = MeetupRound(conference=conference)
    _assign(round, data, ROUND_FIELDS)
    _check_round(round)
    tables = _round_tables(round, tables)
    with transaction.atomic():
        round.save()
        if tables:
            round.tables.set(tables)
    logger.info("round %s created by user %s", round.pk, getattr(by, "pk", None))
    return Saved(round.pk)


def round_update(*, by, round_id: int, data: dict[str, Any]) -> Saved:
    """Change a round's details (its status moves through the lifecycle, before this)."""
    data = dict(data)
    tables = data.pop("tables", None)
    with transaction.atomic():
        round = round_for_organizer(user=by, pk=round_id)
        round = MeetupRound.objects.select_for_update().get(pk=round.pk)
        changing = {name for name, value in data.items() if getattr(round, name) != value}
        if round.status == RoundStatus.HELD and changing - {"name", "location"}:
            raise Conflict("This round has been held; only its name and location can change.")
        tables = _round_tables(round, tables)
        tables_change = tables is not None and set(tables) != set(round.tables.all())
        next_status = RoundStatus(round.status)
        if tables_change and next_status in TABLES_FIXED_STATUSES:
            raise Conflict(
                f"The tables of a {next_status.label.lower()} round are part of "
                "its plan; set the round back to open before changing them.",
            )
        changed = _assign(round, data, ROUND_FIELDS - {"tables"})
        _check_round(round)
        if changed:
            round.save(update_fields=changed)
        if tables_change:
            round.tables.set(tables)
            changed.append("tables")
    logger.info("round %s updated by user %s: %s", round_id, getattr(by, "pk", None), changed)
    return Saved(round_id, tuple(changed))


def round_delete(*, by, round_id: int) -> None:
    """Delete a round that was never published; a published one keeps its history."""
    with transaction.atomic():
        round = round_for_organizer(user=by, pk=round_id)
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
    logger.info("round %s deleted by user %s", round_id, getattr(by, "pk", None))


# Shared vocabulary: series and topics --------------------------------------------------------


def _vocabulary_save(model, *, by, pk: int | None, data: dict[str, Any], noun: str) -> Saved:
    """Organizers add series and topics (everyone shares them); only superusers change them."""
    if pk is not None and not (by is None or by.is_superuser):
        raise ServiceError(f"Only a superuser can change a {noun} that everyone shares.")
    instance = model.objects.get(pk=pk) if pk is not None else model()
    changed = _assign(
        instance,
        data,
        frozenset({"name", "slug", "description"} & {f.name for f in model._meta.get_fields()}),
    )
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ServiceError(
            f"Another {noun} already has this name or slug; pick another.", field="slug"
        ) from None
    logger.info("%s %s saved by user %s", noun, instance.pk, getattr(by, "pk", None))
    return Saved(instance.pk, tuple(changed))


def vocabulary_delete(*, by, model, pk: int) -> None:
    """A superuser removes a series (none of its editions left) or a topic."""
    if not (by is None or by.is_superuser):
        raise ServiceError("Only a superuser can delete what everyone shares.")
    if model not in (Series, Topic):
        raise ValueError(model)
    with transaction.atomic():
        instance = model.objects.filter(pk=pk).first()
        if instance is None:
            raise NotFound("There is nothing with this id.")
        if model is Series and instance.conferences.exists():
            raise Conflict("This series still has editions; delete or move them first.")
        instance.delete()
    logger.info("%s %s deleted by user %s", model._meta.model_name, pk, getattr(by, "pk", None))


def series_save(*, by, series_id: int | None = None, data: dict[str, Any]) -> Saved:
    return _vocabulary_save(Series, by=by, pk=series_id, data=data, noun="series")


def topic_save(*, by, topic_id: int | None = None, data: dict[str, Any]) -> Saved:
    return _vocabulary_save(Topic, by=by, pk=topic_id, data=data, noun="topic")
