"""factory_boy factories for every model; tests build only what they need."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from attendees.enums import AttendanceRole, EncounterKind, RSVPStatus
from attendees.models import Attendance, Block, Encounter, Person, RoundRSVP, SitTogether
from conferences.enums import RoundStatus
from conferences.models import Conference, DrinkTable, MeetupRound, Series, Topic
from matching.enums import RunStatus
from matching.models import MatchingRun, Seat


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery")


class OrganizerFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def conferences(self, create, extracted, **kwargs):
        if create and extracted:
            for conference in extracted:
                conference.organizers.add(self)


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    name = factory.Sequence(lambda n: f"Series {n}")
    slug = factory.Sequence(lambda n: f"series-{n}")


class ConferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conference

    series = factory.SubFactory(SeriesFactory)
    name = factory.Sequence(lambda n: f"Conference {n}")
    slug = factory.Sequence(lambda n: f"conference-{n}")
    city = "Nice"
    starts_on = factory.LazyFunction(lambda: timezone.localdate())
    ends_on = factory.LazyAttribute(lambda c: c.starts_on + dt.timedelta(days=2))
    time_zone = "Europe/Paris"


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda t: t.name.lower().replace(" ", "-"))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    organization = factory.Faker("company")

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    person = factory.SubFactory(PersonFactory)
    conference = factory.SubFactory(ConferenceFactory)
    role = AttendanceRole.ATTENDEE


class DrinkTableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DrinkTable

    conference = factory.SubFactory(ConferenceFactory)
    label = factory.Sequence(lambda n: f"T{n:02d}")
    location = "Terrace"
    capacity = 8


class MeetupRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetupRound

    conference = factory.SubFactory(ConferenceFactory)
    name = factory.Sequence(lambda n: f"Evening {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda r: r.starts_at + dt.timedelta(hours=2))
    location = "Terrace"
    status = RoundStatus.OPEN


class RoundRSVPFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoundRSVP

    person = factory.SubFactory(PersonFactory)
    round = factory.SubFactory(MeetupRoundFactory)
    status = RSVPStatus.GOING


class EncounterFactory(factory.django.DjangoModelFactory):
    """Pass ``person_a`` and ``person_b`` in any order; they are stored in id order."""

    class Meta:
        model = Encounter

    person_a = factory.SubFactory(PersonFactory)
    person_b = factory.SubFactory(PersonFactory)
    kind = EncounterKind.IMPORTED
    conference = factory.SubFactory(ConferenceFactory)
    round = None
    occurred_on = factory.LazyAttribute(
        lambda e: e.conference.starts_on if e.conference else dt.date(2020, 1, 1)
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        first, second = kwargs["person_a"], kwargs["person_b"]
        if first.pk > second.pk:
            kwargs["person_a"], kwargs["person_b"] = second, first
        return super()._create(model_class, *args, **kwargs)


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    blocker = factory.SubFactory(PersonFactory)
    blocked = factory.SubFactory(PersonFactory)


class SitTogetherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SitTogether

    conference = factory.SubFactory(ConferenceFactory)
    requester = factory.SubFactory(PersonFactory)
    requested = factory.SubFactory(PersonFactory)


class MatchingRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchingRun

    round = factory.SubFactory(MeetupRoundFactory)
    status = RunStatus.SUCCEEDED
    seed = 0
    time_limit_s = 5


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    run = factory.SubFactory(MatchingRunFactory)
    person = factory.SubFactory(PersonFactory)
    table = factory.SubFactory(DrinkTableFactory)
