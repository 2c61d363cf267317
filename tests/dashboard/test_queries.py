"""Each dashboard page reads the database a fixed number of times, however much it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendees import services
from attendees.contacts import contact_offer_make
from attendees.enums import EncounterKind
from tests.attendees.helpers import register, seat_round, sign_in
from tests.factories import (
    ConferenceFactory,
    DrinkTableFactory,
    EncounterFactory,
    MeetupRoundFactory,
    PersonFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

# Session, user, person and the organizer check on every page, then the page's own reads. The
# round page reads one more when someone at the table may be a newcomer (their history).
# The network page's circle reads 2 more (links among my contacts, the tables I shared, and
# with some: their registrations and first encounters) and its contacts panel 7: the offers
# with their cards, my card, then whom I may offer mine to (encounters, my offers, theirs,
# blocks, the people).
BUDGET = {"home": 6, "round": 10, "network": 14, "blocks": 5, "together": 7, "profile": 6}


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def build(size: int):
    """One attendee with ``size`` of everything: conferences, rounds, tablemates, encounters."""
    topics = [TopicFactory(name=f"Topic {n}") for n in range(3)]
    me = PersonFactory(full_name="Me Myself", topics=topics[:2])
    current = ConferenceFactory(name="Now")
    register(current, me)
    mates = [PersonFactory(topics=topics[n % 3 : n % 3 + 1]) for n in range(size)]
    table = DrinkTableFactory(conference=current)
    tonight = MeetupRoundFactory(conference=current)
    seat_round(tonight, {table: [me, *mates]})
    for index in range(size):
        past = ConferenceFactory(
            name=f"Past {index}", starts_on=current.starts_on.replace(year=2010 + index % 10)
        )
        register(past, me, mates[index])
        EncounterFactory(person_a=me, person_b=mates[index], conference=past)
        if size > 1:
            EncounterFactory(
                person_a=mates[index], person_b=mates[(index + 1) % size], conference=past
            )
        MeetupRoundFactory(conference=current, name=f"Round {index}")
        other = ConferenceFactory(name=f"Also {index}")
        register(other, me)
        MeetupRoundFactory(conference=other)
        services.block_create(person=me, blocked_id=mates[index].pk)
        friend = PersonFactory()
        register(current, friend)
        services.sit_together_request(person=me, other_id=friend.pk, conference_id=current.pk)
        EncounterFactory(
            person_a=me,
            person_b=friend,
            kind=EncounterKind.IMPORTED,
            conference=None,
            occurred_on=past.starts_on,
        )
        # Stay in touch: met at tonight's round, contact offered both ways (the network page).
        EncounterFactory(
            person_a=me, person_b=friend, kind=EncounterKind.MET, round=tonight, conference=current
        )
        contact_offer_make(person=me, other_id=friend.pk)
        contact_offer_make(person=friend, other_id=me.pk)
    return me, tonight


@pytest.mark.parametrize("page", list(BUDGET))
def test_query_count_does_not_grow_with_what_the_page_shows(
    client, page, django_assert_max_num_queries
):
    counts = []
    for size in (1, 12):
        me, tonight = build(size)
        sign_in(client, me)
        args = [tonight.pk] if page == "round" else []
        url = reverse(f"dashboard:{page}", args=args)
        with django_assert_max_num_queries(BUDGET[page]):
            counts.append(count_queries(client, url))
    assert counts[0] == counts[1], counts


def test_the_round_page_with_newcomers_at_the_table_stays_within_budget(
    client, world, django_assert_max_num_queries
):
    sign_in(client, world.ann)

    with django_assert_max_num_queries(BUDGET["round"]):
        response = client.get(reverse("dashboard:round", args=[world.round.pk]))

    assert "First time here" in response.content.decode()
