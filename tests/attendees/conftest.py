import datetime as dt

import pytest
from django.utils import timezone

from attendees.enums import EncounterKind
from conferences.enums import RoundStatus
from tests.factories import (
    ConferenceFactory,
    DrinkTableFactory,
    EncounterFactory,
    PersonFactory,
    SeriesFactory,
    TopicFactory,
)

from .helpers import register, seat_round, tonight


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


@pytest.fixture
def world(db):
    return World()
