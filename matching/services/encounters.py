"""Encounters made at a round: everyone who shared a table once it is held, and whom each
attendee says they met there."""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from attendees.enums import EncounterKind
from attendees.models import Encounter, Person
from attendees.services import encounters_create
from conferences.enums import RoundStatus
from conferences.models import MeetupRound
from config.exceptions import ServiceError
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
