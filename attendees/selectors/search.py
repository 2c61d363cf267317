"""Finding people: an attendee searching the attendees of their own conferences."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Prefetch,
    QuerySet,
)

from attendees.models import (
    Attendance,
    Person,
)
from conferences.models import Conference


@dataclass(frozen=True)
class SearchResult:
    person_id: int
    name: str
    organization: str
    conferences: tuple[tuple[int, str], ...]  # (id, name) of conferences both attend


SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 10


def attendee_search(
    *,
    person: Person,
    query: str,
    conferences: QuerySet[Conference] | None = None,
    exclude_ids: Iterable[int] = (),
    only_ids: Iterable[int] | None = None,
) -> list[SearchResult]:
    """Attendees of the person's conferences (or of ``conferences``) whose name matches.

    Only names are searched and only public fields come back; ``only_ids`` narrows the search
    (to the people at a round). Nobody is left out for having blocked the person: that would
    tell them about the block.
    """
    query = " ".join(query.split())
    if len(query) < SEARCH_MIN_LENGTH:
        return []
    mine = Attendance.objects.filter(person=person)
    if conferences is not None:
        mine = mine.filter(conference__in=conferences)
    shared = Attendance.objects.filter(conference_id__in=mine.values("conference_id"))
    people = list(
        Person.objects.filter(
            pk__in=shared.values("person_id"), deleted_at__isnull=True, full_name__icontains=query
        )
        .exclude(pk=person.pk)
        .exclude(pk__in=list(exclude_ids))
        .filter(**({"pk__in": list(only_ids)} if only_ids is not None else {}))
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=shared.select_related("conference").order_by("-conference__starts_on"),
                to_attr="shared_attendances",
            )
        )
        .order_by("full_name", "pk")[:SEARCH_LIMIT]
    )
    return [
        SearchResult(
            person_id=p.pk,
            name=p.full_name,
            organization=p.organization if p.show_organization else "",
            conferences=tuple((a.conference_id, a.conference.name) for a in p.shared_attendances),
        )
        for p in people
    ]


def attendee_of_my_conferences(
    *, person: Person, person_id: int, conferences: QuerySet[Conference] | None = None
) -> Person | None:
    """Another live attendee of one of the person's conferences, by id, or None."""
    mine = Attendance.objects.filter(person=person)
    if conferences is not None:
        mine = mine.filter(conference__in=conferences)
    return (
        Person.objects.filter(
            pk=person_id,
            deleted_at__isnull=True,
            attendances__conference_id__in=mine.values("conference_id"),
        )
        .exclude(pk=person.pk)
        .distinct()
        .first()
    )
