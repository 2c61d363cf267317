"""Encounters made at a round: everyone who shared a table once it is held, and whom each
attendee says they met there."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import dateformat, timezone
from django.utils.translation import gettext

from attendees.enums import EncounterKind
from attendees.models import Encounter, Person
from attendees.services import encounters_create
from conferences.enums import RoundStatus
from conferences.models import MeetupRound
from config.exceptions import Conflict, NotFound, ServiceError
from matching.models import Seat
from matching.selectors.tables import round_attendee_ids


def encounters_record_round(*, round: MeetupRound) -> int:
    """Create the ``seated`` encounters of a round's published plan that do not exist yet."""
    tables: dict[int, list[int]] = defaultdict(list)
    for table_id, person_id in (
        Seat.objects.filter(run_id=round.published_run_id)
        .order_by("table_id", "person_id")
        .values_list("table_id", "person_id")
    ):
        tables[table_id].append(person_id)
    pairs = {
        (a, b)
        for members in tables.values()
        for i, a in enumerate(members)
        for b in members[i + 1 :]
    }
    existing = set(
        Encounter.objects.filter(round=round, kind=EncounterKind.SEATED).values_list(
            "person_a_id", "person_b_id"
        )
    )
    new = sorted(pairs - existing)
    encounters_create(round=round, pairs=new, kind=EncounterKind.SEATED)
    return len(new)


def met_record(*, person: Person, round: MeetupRound, people: Iterable[Person]) -> list[Encounter]:
    """Record that the person met ``people`` at a held round: one ``met`` encounter per pair.

    Only people who were at the round (seated in its plan or going) can be named, and only by
    someone who was there. Naming someone again changes nothing.
    """
    if round.status != RoundStatus.HELD:
        raise ServiceError(gettext("You can say who you met once the round has taken place."))
    others = {p.pk: p for p in people}
    if not others:
        return []
    if not met_editable(round=round):
        raise Conflict(met_closed_reason(round=round))
    if person.pk in others:
        raise ServiceError(gettext("Choose the people you met, not yourself."))
    present = round_attendee_ids(round=round)
    if person.pk not in present:
        raise ServiceError(
            gettext("Only people who were at this round can say who they met there.")
        )
    if not set(others) <= present or any(p.deleted_at for p in others.values()):
        raise ServiceError(gettext("You can only choose people who were at this round."))
    pairs = [Encounter.ordered(person.pk, other) for other in sorted(others)]
    with transaction.atomic():
        encounters_create(round=round, pairs=pairs, kind=EncounterKind.MET)
        return list(
            Encounter.objects.filter(
                Q(person_a=person, person_b_id__in=others)
                | Q(person_b=person, person_a_id__in=others),
                round=round,
                kind=EncounterKind.MET,
            ).order_by("pk")
        )


# Changing one's mind ------------------------------------------------------------------------

# "Who did you meet" can be changed (ticks added or undone) this long after the round ends;
# after that the answers are history the matcher relies on, and read-only.
MET_EDITABLE_FOR = timedelta(days=14)


def met_editable_until(*, round: MeetupRound) -> datetime:
    """Until when attendees may change who they say they met at ``round``."""
    return round.ends_at + MET_EDITABLE_FOR


def met_editable(*, round: MeetupRound, now: datetime | None = None) -> bool:
    return round.status == RoundStatus.HELD and (now or timezone.now()) < met_editable_until(
        round=round
    )


def met_closed_reason(*, round: MeetupRound) -> str:
    """Why who one met at ``round`` can no longer change, in the attendee's words."""
    until = timezone.localtime(met_editable_until(round=round), round.conference.tzinfo)
    return gettext(
        "Who you met at %(round)s can no longer change: answers can be changed for %(days)s "
        "days after the round, and that time ended on %(until)s."
    ) % {
        "round": round.name,
        "days": MET_EDITABLE_FOR.days,
        "until": dateformat.format(until, gettext("j F Y")),
    }


def met_undo(*, person: Person, round: MeetupRound, other_id: int) -> bool:
    """Take back that ``person`` met ``other_id`` at ``round`` (a tick made by mistake).

    A ``met`` encounter belongs to the pair, so it goes for both of them. Only within
    ``MET_EDITABLE_FOR`` after the round (``Conflict`` after that, saying why). True when there
    was something to take back.
    """
    if round.status != RoundStatus.HELD:
        raise ServiceError(gettext("You can say who you met once the round has taken place."))
    if not met_editable(round=round):
        raise Conflict(met_closed_reason(round=round))
    first, second = Encounter.ordered(person.pk, other_id)
    deleted, _ = Encounter.objects.filter(
        person_a_id=first, person_b_id=second, round=round, kind=EncounterKind.MET
    ).delete()
    return bool(deleted)


def met_encounter_undo(*, person: Person, encounter_id: int) -> None:
    """Take back one of ``person``'s ``met`` encounters by its id (the API's DELETE).

    Someone else's encounter, or none, is ``NotFound``; a ``seated`` or ``imported`` encounter
    is history, not an answer (``Conflict``), as is a ``met`` one past its time.
    """
    encounter = (
        Encounter.objects.filter(Q(person_a=person) | Q(person_b=person), pk=encounter_id)
        .select_related("round__conference")
        .first()
    )
    if encounter is None:
        raise NotFound("You have no such encounter.")
    if encounter.kind != EncounterKind.MET or encounter.round is None:
        raise Conflict(
            "Only a “we met” answer can be taken back; sitting at the same table, or history "
            "brought in by the organizers, stays."
        )
    other = encounter.person_b_id if encounter.person_a_id == person.pk else encounter.person_a_id
    met_undo(person=person, round=encounter.round, other_id=other)
