"""Two conferences that must stay strangers: the victim's, full of objects, and another one.

``Victim`` holds one object of every kind that has a URL (rounds in each state, a run, a block,
a sit-together request, an import, a token, a sign-in link), so a test can aim every URL at
somebody else's data. ``Stranger`` is an attendee and an organizer of a different conference.
"""

import pytest
from rest_framework.test import APIClient

from attendees.imports import import_batch_create, import_preset_save
from attendees.models import EmailChange, LoginLink
from attendees.tokens import api_token_create, calendar_feed_create, hash_secret
from conferences.enums import ImportKind, RoundStatus
from matching.enums import RunStatus
from tests.api.support import attendee_of, seated_round
from tests.factories import (
    BlockFactory,
    ConferenceFactory,
    DrinkTableFactory,
    EncounterFactory,
    MatchingRunFactory,
    MeetupRoundFactory,
    OrganizerFactory,
    RoundRSVPFactory,
    SeriesFactory,
    SitTogetherFactory,
    TopicFactory,
)

VICTIM_NAME = "Vera Victimova"
VICTIM_BIO = "Vera keeps bees on a roof in Lyon."


class Victim:
    def __init__(self):
        import datetime as dt

        from django.utils import timezone

        self.conference = ConferenceFactory(
            name="Victim Summit 2026", slug="victim-summit", series=SeriesFactory(name="VS")
        )
        self.organizer = OrganizerFactory(username="vic-organizer", conferences=[self.conference])
        self.topic = TopicFactory(name="Beekeeping")
        self.vera = attendee_of(
            self.conference, full_name=VICTIM_NAME, bio=VICTIM_BIO, organization="Hive Co"
        )
        self.vera.topics.set([self.topic])
        self.vic = attendee_of(self.conference, full_name="Vic Friendly")
        self.tables = [
            DrinkTableFactory(conference=self.conference, label=f"VT{n}") for n in (1, 2)
        ]
        self.published = seated_round(
            self.conference, {self.tables[0]: [self.vera], self.tables[1]: [self.vic]}
        )
        self.held = seated_round(
            self.conference,
            {self.tables[0]: [self.vera, self.vic]},
            status=RoundStatus.HELD,
            starts_at=timezone.now() - dt.timedelta(days=1),
        )
        self.open = MeetupRoundFactory(conference=self.conference, status=RoundStatus.OPEN)
        for person in (self.vera, self.vic):
            RoundRSVPFactory(person=person, round=self.open)
        self.run = MatchingRunFactory(round=self.open, status=RunStatus.QUEUED)
        EncounterFactory(person_a=self.vera, person_b=self.vic, conference=self.conference)
        # Vera said she met Vic at the held round (an answer she may still take back).
        self.met = EncounterFactory(
            person_a=self.vera,
            person_b=self.vic,
            conference=self.conference,
            round=self.held,
            kind="met",
        )
        self.block = BlockFactory(blocker=self.vera, blocked=self.vic)
        self.wish = SitTogetherFactory(
            conference=self.conference, requester=self.vera, requested=self.vic
        )
        self.batch = import_batch_create(
            conference_id=self.conference.pk,
            kind=ImportKind.REGISTRATIONS,
            filename="victims.csv",
            content=b"email,full_name\nvera.new@example.org,Vera New\n",
            by=self.organizer,
        )
        self.preset_id = import_preset_save(
            by=self.organizer, batch_id=self.batch.pk, name="Vic's export"
        ).preset_id
        self.encounter_batch = import_batch_create(
            conference_id=self.conference.pk,
            kind=ImportKind.ENCOUNTERS,
            filename="met.csv",
            content=b"email_a,email_b\n",
            by=self.organizer,
        )
        self.token, self.key = api_token_create(user=self.vera.user, name="vera's phone")
        self.feed, self.feed_token = calendar_feed_create(person=self.vera)
        self.link = LoginLink.objects.create(
            email=self.vera.email,
            token_hash=hash_secret("vera-secret-link"),
            expires_at=timezone.now() + dt.timedelta(minutes=15),
            sent_at=timezone.now(),
        )
        self.attendance = self.vera.attendances.get()
        self.email_change = EmailChange.objects.create(
            person=self.vera,
            new_email="vera.elsewhere@example.org",
            token_hash=hash_secret("vera-email-secret"),
            expires_at=timezone.now() + dt.timedelta(minutes=15),
        )

    def secrets(self) -> list[str]:
        """Text that must never reach a stranger."""
        return [VICTIM_NAME, VICTIM_BIO, self.vera.email, "Victim Summit 2026", "Hive Co"]


class Stranger:
    def __init__(self):
        self.conference = ConferenceFactory(name="Elsewhere Expo", slug="elsewhere-expo")
        self.organizer = OrganizerFactory(username="elsewhere-organizer", conferences=[])
        self.conference.organizers.add(self.organizer)
        # The other organizer also attends their own conference, so attendee pages reach the
        # object lookup instead of stopping at "you have no attendee profile".
        self.organizer_person = attendee_of(self.conference, full_name="Olga Elsewhere")
        self.organizer_person.user = self.organizer
        self.organizer_person.save(update_fields=["user"])
        self.attendee = attendee_of(self.conference, full_name="Sam Stranger")
        self.round = MeetupRoundFactory(conference=self.conference, status=RoundStatus.OPEN)
        self.keys = {
            "attendee": api_token_create(user=self.attendee.user, name="sam")[1],
            "organizer": api_token_create(user=self.organizer, name="olga")[1],
        }


@pytest.fixture
def victim(db):
    return Victim()


@pytest.fixture
def stranger(db):
    return Stranger()


def api_client(key: str | None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client
