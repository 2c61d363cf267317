"""Conference rounds with history, built in a few bulk queries.

Shared by the unit tests (eager Celery), the integration tests (a real worker) and the
benchmarks (bench/bench_runs.py, bench/bench_load.py, bench/bench_dashboard.py). Returning
people attended an earlier edition and met some of the others there; newcomers have no
history. Everyone going has topics, so reasons and topic figures show.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.text import slugify

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
    # Every open round, ``round`` first (build_realistic_round can open more than one).
    rounds: list[MeetupRound] = field(default_factory=list)

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
        rounds=[meetup_round],
    )


def build_realistic_round(
    *,
    people: int = 400,
    newcomer_share: float = 0.25,
    community_size: int = 25,
    tie_chance: float = 0.35,
    seed: int = 11,
    label: str = "real",
    organizer=None,
    table_capacity: int = 8,
    profiles: bool = False,
    topic_names: Sequence[str] = (),
    wishes: int = 4,
    blocks: int = 5,
    earlier_round: bool = True,
    open_rounds: int = 1,
) -> Scenario:
    """A round shaped like a real conference: returning people in communities of friends.

    Within a community two people met with probability ``tie_chance`` (at one to three of the
    three earlier editions, as imported history); a few ties cross communities. Topics follow
    communities. About 2% need an accessible table, ``wishes`` pairs asked to sit together and
    ``blocks`` people blocked another, two tables have hosts, and (with ``earlier_round``) an
    earlier round of this conference was published, so the matcher has history to avoid
    repeating. Tables leave about 10% spare seats. ``open_rounds`` rounds (a day apart) are
    open with the same people going; ``round`` is the first.

    People are called "Returning12 Real" unless ``profiles`` gives them names, organizations
    (a few hidden) and bios from the demo's lists, drawn apart from everything else so the same
    seed gives the same history either way. Topics are "Interest <n>" unless ``topic_names``
    names them.
    """
    rng = random.Random(seed)
    today = timezone.localdate()
    series = Series.objects.create(name=f"Series {label}", slug=f"series-{label}")
    editions = [
        Conference.objects.create(
            series=series,
            name=f"Edition {label} {years}",
            slug=f"edition-{label}-{years}",
            starts_on=today - dt.timedelta(days=365 * years),
            ends_on=today - dt.timedelta(days=365 * years - 3),
            time_zone="America/Chicago",
        )
        for years in (3, 2, 1)
    ]
    conference = Conference.objects.create(
        series=series,
        name=f"Now {label}",
        slug=f"now-{label}",
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=2),
        time_zone="America/Chicago",
    )
    if organizer is not None:
        conference.organizers.add(organizer)
    if topic_names:
        topics = [
            Topic.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
            for name in topic_names
        ]
    else:
        topics = [
            Topic.objects.get_or_create(slug=f"real-topic-{n}", defaults={"name": f"Interest {n}"})[
                0
            ]
            for n in range(16)
        ]
    returning_count = round(people * (1 - newcomer_share))
    created = Person.objects.bulk_create(
        [
            Person(
                full_name=f"{'Returning' if n < returning_count else 'Newcomer'}{n} {label.title()}",
                email=f"p{n}.{label}@example.org",
                needs_accessible_seating=rng.random() < 0.02,
            )
            for n in range(people)
        ],
        batch_size=1000,
    )
    if profiles:
        _give_profiles(created, random.Random(f"{seed}-profiles"))
    old, new = created[:returning_count], created[returning_count:]
    communities = [old[i : i + community_size] for i in range(0, len(old), community_size)]
    person_topics = []
    for index, community in enumerate(communities):
        favourite = topics[index % len(topics)]
        for person in community:
            chosen = {favourite, *rng.sample(topics, rng.choice([1, 2]))}
            person_topics += [(person.pk, topic.pk) for topic in chosen]
    for person in new:
        person_topics += [
            (person.pk, topic.pk) for topic in rng.sample(topics, rng.choice([1, 2, 3]))
        ]
    Person.topics.through.objects.bulk_create(
        [Person.topics.through(person_id=p, topic_id=t) for p, t in person_topics],
        batch_size=5000,
    )
    Attendance.objects.bulk_create(
        [Attendance(person=p, conference=rng.choice(editions)) for p in old]
        + [Attendance(person=p, conference=conference) for p in created],
        batch_size=5000,
        ignore_conflicts=True,
    )
    pairs = set()
    for community in communities:
        for i, a in enumerate(community):
            for b in community[i + 1 :]:
                if rng.random() < tie_chance:
                    pairs.add(Encounter.ordered(a.pk, b.pk))
    for _ in range(len(old) // 2):
        a, b = rng.sample(old, 2)
        pairs.add(Encounter.ordered(a.pk, b.pk))
    encounters = []
    for a, b in sorted(pairs):
        for edition in rng.sample(editions, rng.choice([1, 1, 2, 3])):
            encounters.append(
                Encounter(
                    person_a_id=a,
                    person_b_id=b,
                    kind=EncounterKind.IMPORTED,
                    conference=edition,
                    occurred_on=edition.starts_on,
                )
            )
    Encounter.objects.bulk_create(encounters, batch_size=5000)

    table_count = -(-int(people * 1.1) // table_capacity)
    drink_tables = DrinkTable.objects.bulk_create(
        [
            DrinkTable(
                conference=conference,
                label=f"T{n + 1:03d}",
                location=f"Terrace {1 + n // 20}",
                capacity=table_capacity,
                accessible=n % 6 == 0,
            )
            for n in range(table_count)
        ]
    )
    hosts = [p for p in old if not p.needs_accessible_seating][:2]
    for table, host in zip(drink_tables[1:3], hosts, strict=True):
        table.host = host
        table.save(update_fields=["host"])

    going = [p for p in created if rng.random() < 0.97] or list(created)
    if earlier_round:
        first_start = timezone.now() - dt.timedelta(days=1)
        opening = MeetupRound.objects.create(
            conference=conference,
            name=f"Opening {label}",
            starts_at=first_start,
            ends_at=first_start + dt.timedelta(hours=2),
            status=RoundStatus.MATCHED,
        )
        publish_simple_plan(opening, [p for p in going if rng.random() < 0.8], drink_tables)

    meetup_rounds = []
    for index in range(open_rounds):
        starts_at = timezone.now() + dt.timedelta(days=index, hours=3)
        meetup_rounds.append(
            MeetupRound.objects.create(
                conference=conference,
                name=f"Drinks {label}" + (f" {index + 1}" if index else ""),
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(hours=2),
                location="Riverside",
                status=RoundStatus.OPEN,
            )
        )
    RoundRSVP.objects.bulk_create(
        [
            RoundRSVP(person=p, round=meetup_round, status=RSVPStatus.GOING)
            for meetup_round in meetup_rounds
            for p in going
        ],
        batch_size=5000,
    )
    from attendees.models import Block, SitTogether

    together = rng.sample([p for p in going if not p.needs_accessible_seating], 2 * wishes)
    SitTogether.objects.bulk_create(
        [
            SitTogether(conference=conference, requester=x, requested=y)
            for a, b in zip(together[::2], together[1::2], strict=True)
            for x, y in ((a, b), (b, a))
        ]
    )
    blockers = rng.sample(going, 2 * blocks)
    Block.objects.bulk_create(
        [Block(blocker=a, blocked=b) for a, b in zip(blockers[::2], blockers[1::2], strict=True)]
    )
    going_ids = {p.pk for p in going}
    return Scenario(
        conference=conference,
        earlier=editions[-1],
        round=meetup_rounds[0],
        tables=list(drink_tables),
        returning=[p for p in old if p.pk in going_ids],
        newcomers=[p for p in new if p.pk in going_ids],
        organizer=organizer,
        rounds=meetup_rounds,
    )


def _give_profiles(people: list[Person], rng: random.Random) -> None:
    """Names, organizations (10% hidden) and a few bios, as real attendees have."""
    from matching.demo.data import FIRST_NAMES, LAST_NAMES, ORGANIZATIONS

    for person in people:
        person.full_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        person.organization = rng.choice(ORGANIZATIONS)
        person.show_organization = rng.random() < 0.9
        if rng.random() < 0.3:
            person.bio = "Teacher and coach; happy to talk about anything classroom."
    Person.objects.bulk_update(
        people, ["full_name", "organization", "show_organization", "bio"], batch_size=2000
    )


def publish_simple_plan(meetup_round, people, tables):
    """A published plan without the matcher: people dealt round-robin over the tables, in a
    succeeded run that becomes the round's plan. Returns the run."""
    from matching.models import MatchingRun, Seat

    run = MatchingRun.objects.create(round=meetup_round, status="succeeded", progress=100)
    Seat.objects.bulk_create(
        [
            Seat(run=run, person=person, table=tables[index % len(tables)])
            for index, person in enumerate(people)
        ],
        batch_size=5000,
    )
    MeetupRound.objects.filter(pk=meetup_round.pk).update(
        status=RoundStatus.PUBLISHED, published_run=run, published_at=timezone.now()
    )
    return run
