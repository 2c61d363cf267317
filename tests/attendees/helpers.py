"""Builders for rounds with a plan, shared by the attendee and browser tests.

They write the models directly (a MatchingRun with Seats, the round's published run and
status), so the dashboard can be tested without the matcher.
"""

import datetime as dt

from django.utils import timezone

from attendees.enums import EncounterKind, RSVPStatus
from attendees.models import Attendance, Person, RoundRSVP
from conferences.enums import RoundStatus
from conferences.models import Conference, DrinkTable, MeetupRound
from matching.enums import RunStatus
from matching.models import MatchingRun, Seat
from tests.factories import (
    ConferenceFactory,
    DrinkTableFactory,
    EncounterFactory,
    PersonFactory,
    SeriesFactory,
    TopicFactory,
)


def register(conference: Conference, *people: Person) -> None:
    for person in people:
        Attendance.objects.get_or_create(person=person, conference=conference)


def seat_round(
    meetup_round: MeetupRound,
    tables: dict[DrinkTable, list[Person]],
    *,
    status: str = RoundStatus.PUBLISHED,
) -> MatchingRun:
    """Seat ``tables`` in a succeeded run, make it the round's plan and set ``status``.

    Everyone seated is registered for the conference and going to the round.
    """
    run = MatchingRun.objects.create(
        round=meetup_round, status=RunStatus.SUCCEEDED, time_limit_s=5, progress=100
    )
    for table, people in tables.items():
        register(meetup_round.conference, *people)
        for person in people:
            RoundRSVP.objects.update_or_create(
                person=person, round=meetup_round, defaults={"status": RSVPStatus.GOING}
            )
            Seat.objects.create(run=run, person=person, table=table)
    meetup_round.published_run = run
    meetup_round.status = status
    meetup_round.published_at = timezone.now()
    if status == RoundStatus.HELD:
        meetup_round.held_at = timezone.now()
    meetup_round.save()
    return run


def tonight(conference: Conference, **fields) -> MeetupRound:
    """A round starting within the hour at the conference."""
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(hours=1)
    fields.setdefault("name", "Opening night drinks")
    fields.setdefault("location", "Riverside terrace")
    fields.setdefault("status", RoundStatus.OPEN)
    return MeetupRound.objects.create(
        conference=conference, starts_at=starts, ends_at=starts + dt.timedelta(hours=2), **fields
    )


def sign_in(client, person: Person):
    """Give ``person`` a user (as the e-mail link would) and sign ``client`` in as them."""
    from django.contrib.auth import get_user_model

    if person.user_id is None:
        user = get_user_model().objects.create_user(username=person.email, email=person.email)
        person.user = user
        person.save(update_fields=["user"])
    client.force_login(person.user)
    return client


class World:
    """A series with two past editions and the current one, tonight's round seated.

    Ann (returning) sits at T1 with Dana (met at NECC 2008 and ISTE 2011), Nia (a newcomer
    into open source, like Ann) and Omar (returning, never met Ann, but met Dana at ISTE 2011).
    Zoe sits at T2 and Ben is registered at the conference without a seat.
    """

    def __init__(self):
        today = timezone.localdate()
        self.series = SeriesFactory(name="ISTE Live / NECC")
        self.necc = ConferenceFactory(
            series=self.series, name="NECC 2008", starts_on=dt.date(2008, 6, 29)
        )
        self.iste = ConferenceFactory(
            series=self.series, name="ISTE 2011", starts_on=dt.date(2011, 6, 26)
        )
        self.conference = ConferenceFactory(
            series=self.series, name="ISTE Live 2026", starts_on=today, city="Chicago"
        )
        self.open_source = TopicFactory(name="Open source")
        self.stem = TopicFactory(name="STEM")
        self.ann = PersonFactory(full_name="Ann Lee", topics=[self.open_source])
        self.dana = PersonFactory(full_name="Dana Kim", topics=[self.stem])
        self.nia = PersonFactory(full_name="Nia Obi", topics=[self.open_source, self.stem])
        self.omar = PersonFactory(full_name="Omar Haddad", show_organization=False)
        self.zoe = PersonFactory(full_name="Zoe Park")
        self.ben = PersonFactory(full_name="Ben Cohen")
        register(self.necc, self.ann, self.dana)
        register(self.iste, self.ann, self.dana, self.omar)
        register(self.conference, self.ann, self.dana, self.nia, self.omar, self.zoe, self.ben)
        EncounterFactory(person_a=self.ann, person_b=self.dana, conference=self.necc)
        EncounterFactory(person_a=self.ann, person_b=self.dana, conference=self.iste)
        EncounterFactory(person_a=self.dana, person_b=self.omar, conference=self.iste)
        self.t1 = DrinkTableFactory(conference=self.conference, label="T1", location="Bar 1")
        self.t2 = DrinkTableFactory(conference=self.conference, label="T2", location="Bar 2")
        self.round = tonight(self.conference)
        self.run = seat_round(
            self.round,
            {self.t1: [self.ann, self.dana, self.nia, self.omar], self.t2: [self.zoe]},
        )

    def hold(self):
        self.round.status = RoundStatus.HELD
        self.round.held_at = timezone.now()
        self.round.save(update_fields=["status", "held_at"])
        for mate in (self.dana, self.nia, self.omar):
            EncounterFactory(
                person_a=self.ann,
                person_b=mate,
                kind=EncounterKind.SEATED,
                conference=self.conference,
                round=self.round,
            )
