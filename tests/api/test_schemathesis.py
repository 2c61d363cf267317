"""Schemathesis fuzzes every operation of the API from its own OpenAPI schema, through the WSGI
app, signed in with a token as an attendee and as an organizer.

Every answer must be free of server errors, use a status code, content type and body the schema
documents, and refuse requests without credentials. Generated ids hit real objects about half
the time (see ``aim``) so the checks reach past 404. Examples are bounded to keep CI quick.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings

from attendees.tokens import api_token_create
from conferences.enums import RoundStatus
from config.wsgi import application
from matching.enums import RunStatus
from tests.factories import (
    BlockFactory,
    DrinkTableFactory,
    EncounterFactory,
    MatchingRunFactory,
    MeetupRoundFactory,
    OrganizerFactory,
    RoundRSVPFactory,
    SitTogetherFactory,
    TopicFactory,
)

from .support import attendee_of, seated_round

MAX_EXAMPLES = 8

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 2009,
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": False},
            "stateful": {"enabled": False},
        },
        "generation": {"mode": "all", "with-security-parameters": False},
        "checks": {
            # Valid-looking input is often refused by the rules (a round not yet held, a
            # person of another conference): a 400/409 there is right, not a failure.
            "positive_data_acceptance": {"enabled": False},
            # Query strings follow the HTML-form convention that an empty value means "not
            # given" (?page=, ?kind=), which this check counts as accepting invalid input.
            # Invalid request bodies and page sizes are refused and tested in their own tests.
            "negative_data_rejection": {"enabled": False},
        },
    }
)

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application, config=CONFIG)

# Derandomized, with no example database: CI runs the same examples on every clean clone, so a
# red build is reproducible. Explore further by hand with a larger MAX_EXAMPLES.
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


class World:
    """A conference with every kind of object, and the ids the fuzzer should aim at."""

    def __init__(self):
        topic = TopicFactory(name="Open source")
        self.organizer = OrganizerFactory()
        self.ann = attendee_of(self._conference(), full_name="Ann Attendee")
        self.ann.topics.set([topic])
        bob = attendee_of(self.conference, full_name="Bob Other")
        cy = attendee_of(self.conference, full_name="Cy Third")
        tables = [DrinkTableFactory(conference=self.conference, label=f"T{n}") for n in (1, 2)]
        open_round = MeetupRoundFactory(conference=self.conference, status=RoundStatus.OPEN)
        for person in (self.ann, bob, cy):
            RoundRSVPFactory(person=person, round=open_round)
        published = seated_round(self.conference, {tables[0]: [self.ann, bob], tables[1]: [cy]})
        seated_round(
            self.conference,
            {tables[0]: [self.ann, cy]},
            status=RoundStatus.HELD,
            starts_at=timezone.now() - timezone.timedelta(days=1),
        )
        queued = MatchingRunFactory(round=open_round, status=RunStatus.QUEUED)
        EncounterFactory(person_a=self.ann, person_b=bob, conference=self.conference)
        block = BlockFactory(blocker=self.ann, blocked=cy)
        wish = SitTogetherFactory(conference=self.conference, requester=self.ann, requested=bob)
        self.keys = {
            "attendee": api_token_create(user=self.ann.user, name="fuzz")[1],
            "organizer": api_token_create(user=self.organizer, name="fuzz")[1],
        }
        spare = {
            "attendee": api_token_create(user=self.ann.user, name="spare")[0].pk,
            "organizer": api_token_create(user=self.organizer, name="spare")[0].pk,
        }
        self.ids = {
            "/tokens/": spare,
            "/conferences/{conference_slug}/tables/": tables[1].pk,
            "/conferences/{conference_slug}/rounds/": open_round.pk,
            "/conferences/{conference_slug}/attendances/": bob.attendances.get().pk,
            "/rounds/": published.pk,
            "/runs/": queued.pk,
            "/me/rounds/": published.pk,
            "/me/blocks/": block.pk,
            "/me/sit-together/": wish.pk,
        }

    def _conference(self):
        from tests.factories import ConferenceFactory

        self.conference = ConferenceFactory(slug="necc-2009")
        self.conference.organizers.add(self.organizer)
        return self.conference

    def aim(self, case, role: str) -> None:
        """Point about half the generated path parameters at real objects."""
        path = case.operation.path.removeprefix("/api/v1")
        for name, value in list(case.path_parameters.items()):
            if name.endswith("slug"):
                if isinstance(value, str) and len(value) % 2 == 0:
                    case.path_parameters[name] = self.conference.slug
            elif isinstance(value, int) and value % 2 == 0:
                prefix = path.split("{id}")[0]
                target = self.ids.get(prefix)
                if isinstance(target, dict):
                    target = target[role]
                if target is not None:
                    case.path_parameters[name] = target


@pytest.fixture
def _one_connection():
    """Keep the test's database connection open across requests, as Django's test client does.

    The WSGI app signals the end of each request, and ``close_old_connections`` would close a
    connection inside the test's transaction (PostgreSQL) and lose every object made here.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, settings, _one_connection):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A run started by the fuzzer stays queued (the task is enqueued after a commit that never
    # comes in a test transaction), but keep any solve short all the same.
    settings.MATCHING_MAX_TIME_LIMIT_S = 2
    return World()


def fuzz(case, world, role: str) -> None:
    world.aim(case, role)
    case.call_and_validate(headers={"Authorization": f"Token {world.keys[role]}"})


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_conforms_to_its_schema_for_an_attendee(case, world):
    fuzz(case, world, "attendee")


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_conforms_to_its_schema_for_an_organizer(case, world):
    fuzz(case, world, "organizer")
