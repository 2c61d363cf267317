"""An attendee's network: the people they met, by edition, and how it grew."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Min, Q
from django.utils.translation import get_language, gettext

from attendees.enums import EncounterKind
from attendees.models import (
    FORMER_ATTENDEE,
    Attendance,
    Encounter,
    Person,
)
from attendees.selectors.encounters import encounters_for
from attendees.selectors.people import is_newcomer
from config import caches


@dataclass
class Contact:
    """Someone the person has met, with where and when."""

    person_id: int
    name: str
    organization: str
    first_met_on: date
    places: list[str] = field(default_factory=list)
    encounters: int = 0


@dataclass
class EditionGroup:
    """The people met at one edition (or, for history without a conference, in one year)."""

    key: str
    name: str
    year: int
    contacts: list[Contact] = field(default_factory=list)
    new: int = 0  # of those, met here for the first time


@dataclass(frozen=True)
class GrowthPoint:
    year: int
    new: int
    total: int


@dataclass(frozen=True)
class Link:
    """Two of the person's contacts who met each other, and the year they last did."""

    a: int
    b: int
    year: int


@dataclass
class Network:
    contacts: list[Contact]
    editions: list[EditionGroup]  # newest first
    growth: list[GrowthPoint]  # oldest year first, every year from the first to the last
    links: list[Link] = field(default_factory=list)  # between contacts, by (a, b)
    welcomed: set[int] = field(default_factory=set)  # contacts welcomed as newcomers
    came_back: set[int] = field(default_factory=set)  # of those, seen again at a later edition


def network_for(*, person: Person) -> Network:
    """The people the person has met, by edition, and how that circle grew over the years.

    Cached like "my table" (``config.caches``), one entry per language ("a former attendee").
    """
    key = f"network:{person.pk}:{get_language()}"
    return caches.cached(caches.TABLES, key, lambda: _network(person))


def _network(person: Person) -> Network:
    contacts: dict[int, Contact] = {}
    groups: dict[str, EditionGroup] = {}
    for encounter in sorted(encounters_for(person=person), key=lambda e: (e.occurred_on, e.id)):
        contact = contacts.get(encounter.other_id)
        first_time = contact is None
        if first_time:
            contact = contacts[encounter.other_id] = Contact(
                person_id=encounter.other_id,
                name=encounter.other_name,
                organization=encounter.other_organization,
                first_met_on=encounter.occurred_on,
            )
        contact.encounters += 1
        if encounter.conference_id:
            key, name = f"c{encounter.conference_id}", encounter.conference_name
        else:
            key, name = (
                f"y{encounter.occurred_on.year}",
                f"Elsewhere in {encounter.occurred_on.year}",
            )
        if name not in contact.places:
            contact.places.append(name)
        group = groups.setdefault(
            key, EditionGroup(key=key, name=name, year=encounter.occurred_on.year)
        )
        if contact not in group.contacts:
            group.contacts.append(contact)
            group.new += int(first_time)
    for group in groups.values():
        group.contacts.sort(key=lambda c: (c.name == gettext(FORMER_ATTENDEE), c.name, c.person_id))
    growth = []
    if contacts:
        new_by_year: dict[int, int] = {}
        for contact in contacts.values():
            year = contact.first_met_on.year
            new_by_year[year] = new_by_year.get(year, 0) + 1
        total = 0
        for year in range(min(new_by_year), max(new_by_year) + 1):
            total += new_by_year.get(year, 0)
            growth.append(GrowthPoint(year=year, new=new_by_year.get(year, 0), total=total))
    welcomed, came_back = _welcomed(person, set(contacts))
    return Network(
        contacts=sorted(contacts.values(), key=lambda c: (c.name, c.person_id)),
        editions=sorted(groups.values(), key=lambda g: (g.year, g.key), reverse=True),
        growth=growth,
        links=_links_among(contacts),
        welcomed=welcomed,
        came_back=came_back,
    )


def _links_among(contacts: dict[int, Contact]) -> list[Link]:
    """Pairs of the person's contacts who met each other (an encounter between two people who
    are both in the person's network; nothing else about anyone is read), with the year of
    their latest encounter. Blocks are not read: a link says two people met, never more."""
    ids = sorted(contacts)
    if len(ids) < 2:
        return []
    latest: dict[tuple[int, int], int] = {}
    for a, b, year in (
        Encounter.objects.filter(person_a_id__in=ids, person_b_id__in=ids)
        .order_by()
        .values_list("person_a_id", "person_b_id", "occurred_on__year")
    ):
        latest[(a, b)] = max(year, latest.get((a, b), year))
    return [Link(a, b, year) for (a, b), year in sorted(latest.items())]


def _welcomed(person: Person, contact_ids: set[int]) -> tuple[set[int], set[int]]:
    """The contacts the person welcomed: sat with at a round of a conference where they were
    a newcomer and the person was not (``is_newcomer``). Of those, who came back: registered at
    a later conference of the same series that the person attends too (what the person's own
    conferences show them). A fixed number of queries."""
    seated = list(
        Encounter.objects.filter(
            Q(person_a=person) | Q(person_b=person),
            kind=EncounterKind.SEATED,
            round__isnull=False,
        ).values_list(
            "person_a_id",
            "person_b_id",
            "round__conference_id",
            "round__conference__starts_on",
            "round__conference__series_id",
        )
    )
    if not seated:
        return set(), set()
    others = {b if a == person.pk else a for a, b, *_ in seated} & contact_ids
    asked = sorted(others | {person.pk})
    attendances = list(
        Attendance.objects.filter(person_id__in=asked).values_list(
            "person_id",
            "conference_id",
            "conference__starts_on",
            "conference__series_id",
            "newcomer_override",
        )
    )
    first_attended: dict[int, date] = {}
    overrides: dict[tuple[int, int], bool] = {}
    for pk, conference_id, starts_on, _series, override in attendances:
        first_attended[pk] = min(starts_on, first_attended.get(pk, starts_on))
        if override is not None:
            overrides[(pk, conference_id)] = override
    first_met: dict[int, date] = {}
    for side in ("person_a_id", "person_b_id"):
        for pk, day in (
            Encounter.objects.filter(**{f"{side}__in": asked})
            .values(side)
            .annotate(first=Min("occurred_on"))
            .values_list(side, "first")
        ):
            first_met[pk] = min(day, first_met.get(pk, day))

    def newcomer(pk: int, conference_id: int, starts_on: date) -> bool:
        return is_newcomer(
            override=overrides.get((pk, conference_id)),
            attended_before=pk in first_attended and first_attended[pk] < starts_on,
            met_before=pk in first_met and first_met[pk] < starts_on,
        )

    welcomed_at: dict[int, list[tuple[date, int]]] = {}
    for a, b, conference_id, starts_on, series_id in seated:
        other = b if a == person.pk else a
        if other not in others:
            continue
        if newcomer(other, conference_id, starts_on) and not newcomer(
            person.pk, conference_id, starts_on
        ):
            welcomed_at.setdefault(other, []).append((starts_on, series_id))
    mine = {conference_id for pk, conference_id, *_ in attendances if pk == person.pk}
    came_back = {
        pk
        for pk, conference_id, starts_on, series_id, _override in attendances
        if pk in welcomed_at
        and conference_id in mine
        and any(series_id == s and starts_on > day for day, s in welcomed_at[pk])
    }
    return set(welcomed_at), came_back
