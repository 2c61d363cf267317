"""An attendee's network: the people they met, by edition, and how it grew."""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import get_language, gettext

from attendees.models import (
    FORMER_ATTENDEE,
    Person,
)
from attendees.selectors.encounters import encounters_for
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


@dataclass
class Network:
    contacts: list[Contact]
    editions: list[EditionGroup]  # newest first
    growth: list[GrowthPoint]  # oldest year first, every year from the first to the last

    def graph(self) -> dict:
        """Nodes and edges for the graph view: the person in the middle (ring 0), then a ring
        per year they first met someone, the most recent year closest."""
        years = sorted({c.first_met_on.year for c in self.contacts})
        ring = {year: len(years) - index for index, year in enumerate(years)}
        nodes = [{"id": "me", "label": gettext("You"), "year": None, "ring": 0}]
        edges = []
        for contact in self.contacts:
            node_id = f"p{contact.person_id}"
            nodes.append(
                {
                    "id": node_id,
                    "label": contact.name,
                    "year": contact.first_met_on.year,
                    "ring": ring[contact.first_met_on.year],
                }
            )
            edges.append(
                {
                    "id": f"e{contact.person_id}",
                    "source": "me",
                    "target": node_id,
                    "weight": contact.encounters,
                }
            )
        return {"nodes": nodes, "edges": edges, "years": years}


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
    return Network(
        contacts=sorted(contacts.values(), key=lambda c: (c.name, c.person_id)),
        editions=sorted(groups.values(), key=lambda g: (g.year, g.key), reverse=True),
        growth=growth,
    )
