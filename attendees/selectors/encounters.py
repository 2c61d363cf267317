"""Who an attendee met: their encounters, and whom they confirmed meeting at a round."""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Q,
)

from attendees.enums import EncounterKind
from attendees.models import (
    Encounter,
    Person,
)
from conferences.models import MeetupRound


def met_confirmed_ids(*, person: Person, round: MeetupRound) -> set[int]:
    """The people the person is recorded as having met at the round (by either of the two)."""
    pairs = Encounter.objects.filter(
        Q(person_a=person) | Q(person_b=person), round=round, kind=EncounterKind.MET
    ).values_list("person_a_id", "person_b_id")
    return {second if first == person.pk else first for first, second in pairs}


@dataclass(frozen=True)
class MyEncounter:
    """One of the person's encounters, seen from their side."""

    id: int
    other_id: int
    other_name: str
    other_organization: str
    kind: str
    kind_label: str
    conference_id: int | None
    conference_name: str
    round_name: str
    occurred_on: date


def encounters_for(*, person: Person) -> list[MyEncounter]:
    """The person's encounters, newest first, in one query."""
    encounters = (
        Encounter.objects.filter(Q(person_a=person) | Q(person_b=person))
        .select_related("person_a", "person_b", "conference", "round")
        .order_by("-occurred_on", "-pk")
    )
    result = []
    for encounter in encounters:
        other = encounter.person_b if encounter.person_a_id == person.pk else encounter.person_a
        result.append(
            MyEncounter(
                id=encounter.pk,
                other_id=other.pk,
                other_name=other.display_name,
                other_organization=(
                    other.organization if other.show_organization and not other.deleted_at else ""
                ),
                kind=encounter.kind,
                kind_label=encounter.get_kind_display(),
                conference_id=encounter.conference_id,
                conference_name=encounter.conference.name if encounter.conference else "",
                round_name=encounter.round.name if encounter.round else "",
                occurred_on=encounter.occurred_on,
            )
        )
    return result
