"""Shared reads about people: who is a newcomer, who knows whom."""

from datetime import date

from django.db.models import Q, QuerySet

from conferences.models import Conference

from .models import Attendance, Encounter, Person
from .ties import tie_weights_from


def attendee_ids(*, conference: Conference) -> QuerySet:
    return Attendance.objects.filter(conference=conference).values("person_id")


def newcomer_ids(*, conference: Conference) -> set[int]:
    """The people attending ``conference`` who are newcomers there.

    A newcomer has no attendance at an earlier conference and no encounter before this one
    starts. An organizer's override on the attendance wins over that rule.
    """
    overrides: dict[int, bool | None] = dict(
        Attendance.objects.filter(conference=conference).values_list(
            "person_id", "newcomer_override"
        )
    )
    attending = attendee_ids(conference=conference)
    returning = set(
        Attendance.objects.filter(
            person_id__in=attending, conference__starts_on__lt=conference.starts_on
        ).values_list("person_id", flat=True)
    )
    earlier = Encounter.objects.filter(occurred_on__lt=conference.starts_on)
    for first, second in earlier.filter(
        Q(person_a_id__in=attending) | Q(person_b_id__in=attending)
    ).values_list("person_a_id", "person_b_id"):
        returning.add(first)
        returning.add(second)
    return {
        person_id
        for person_id, override in overrides.items()
        if override is True or (override is None and person_id not in returning)
    }


def is_newcomer(*, person: Person, conference: Conference) -> bool:
    """The newcomer rule of ``newcomer_ids`` for one person, without reading everyone."""
    override = (
        Attendance.objects.filter(person=person, conference=conference)
        .values_list("newcomer_override", flat=True)
        .first()
    )
    if override is not None:
        return override
    if Attendance.objects.filter(
        person=person, conference__starts_on__lt=conference.starts_on
    ).exists():
        return False
    return not Encounter.objects.filter(
        Q(person_a=person) | Q(person_b=person), occurred_on__lt=conference.starts_on
    ).exists()


def tie_weights(*, person_ids: QuerySet | list[int], as_of: date) -> dict[tuple[int, int], float]:
    """Ties between the given people, from their encounters up to ``as_of``."""
    encounters = Encounter.objects.filter(
        person_a_id__in=person_ids, person_b_id__in=person_ids, occurred_on__lte=as_of
    ).values_list("person_a_id", "person_b_id", "kind", "occurred_on")
    return tie_weights_from(encounters.iterator(chunk_size=5000), as_of=as_of)
