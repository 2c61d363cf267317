"""A small conference round with history, built in a few bulk queries.

Shared by the unit tests (eager Celery), the integration tests (a real worker) and the
benchmark. Returning people attended an earlier edition and met some of the others there;
newcomers have no history. Everyone going has topics, so reasons and topic figures show.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from attendees.enums import EncounterKind, RSVPStatus
from attendees.models import Attendance, Encounter, Person, RoundRSVP
from conferences.enums import RoundStatus
from conferences.models import Conference, DrinkTable, MeetupRound, Series, Topic


@dataclass
class Scenario:
    conference: Conference
    earlier: Conference
    round: MeetupRound
    tables: list[DrinkTable]
    returning: list[Person]
    newcomers: list[Person]
    organizer: object | None = None

    @property
    def going(self) -> list[Person]:
        return self.returning + self.newcomers


def build_round(
    *,
    returning: int = 12,
    newcomers: int = 4,
    tables: int = 4,
    capacity: int = 6,
    friends_each: int = 4,
    seed: int = 1,
    starts_at: dt.datetime | None = None,
    label: str = "sc",
    organizer=None,
) -> Scenario:
    """A conference with one open round; everyone listed is going.

    Returning people form circles: each met ``friends_each`` others at the earlier edition.
    """
    rng = random.Random(seed)
    today = timezone.localdate()
    series = Series.objects.create(name=f"Series {label}", slug=f"series-{label}")
    earlier = Conference.objects.create(
        series=series,
        name=f"Earlier {label}",
        slug=f"earlier-{label}",
        starts_on=today - dt.timedelta(days=365),
        ends_on=today - dt.timedelta(days=362),
        time_zone="Europe/Paris",
    )
    conference = Conference.objects.create(
        series=series,
        name=f"Now {label}",
        slug=f"now-{label}",
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=2),
        time_zone="Europe/Paris",
    )
    if organizer is not None:
        conference.organizers.add(organizer)
        earlier.organizers.add(organizer)
    topics = [
        Topic.objects.get_or_create(slug=f"topic-{n}", defaults={"name": f"Topic {n}"})[0]
        for n in range(6)
    ]
    people = Person.objects.bulk_create(
        [
            Person(full_name=f"Returning{n} {label.title()}", email=f"ret{n}.{label}@example.org")
            for n in range(returning)
        ]
        + [
            Person(full_name=f"Newcomer{n} {label.title()}", email=f"new{n}.{label}@example.org")
            for n in range(newcomers)
        ]
    )
    old, new = people[:returning], people[returning:]
    Person.topics.through.objects.bulk_create(
        [
            Person.topics.through(person_id=person.pk, topic_id=topic.pk)
            for person in people
            for topic in rng.sample(topics, 2)
        ]
    )
    Attendance.objects.bulk_create(
        [Attendance(person=person, conference=earlier) for person in old]
        + [Attendance(person=person, conference=conference) for person in people]
    )
    pairs = set()
    for index, person in enumerate(old):
        for step in range(1, friends_each // 2 + 1):
            other = old[(index + step) % len(old)]
            if other.pk != person.pk:
                pairs.add(Encounter.ordered(person.pk, other.pk))
    Encounter.objects.bulk_create(
        [
            Encounter(
                person_a_id=a,
                person_b_id=b,
                kind=EncounterKind.IMPORTED,
                conference=earlier,
                occurred_on=earlier.starts_on,
            )
            for a, b in sorted(pairs)
        ]
    )
    drink_tables = DrinkTable.objects.bulk_create(
        [
            DrinkTable(
                conference=conference,
                label=f"T{n + 1:02d}",
                location="Terrace",
                capacity=capacity,
                accessible=n == 0,
            )
            for n in range(tables)
        ]
    )
    starts_at = starts_at or timezone.now() + dt.timedelta(hours=3)
    meetup_round = MeetupRound.objects.create(
        conference=conference,
        name=f"Drinks {label}",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        location="Riverside",
        status=RoundStatus.OPEN,
    )
    RoundRSVP.objects.bulk_create(
        [RoundRSVP(person=person, round=meetup_round, status=RSVPStatus.GOING) for person in people]
    )
    return Scenario(
        conference=conference,
        earlier=earlier,
        round=meetup_round,
        tables=list(drink_tables),
        returning=list(old),
        newcomers=list(new),
        organizer=organizer,
    )
