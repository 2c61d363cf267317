"""/me/contacts/: stay in touch through the API; details only when mutual, never across a
block; query counts."""

import pytest

from attendees.models import ContactOffer
from tests.attendees.test_contacts import Held
from tests.factories import BlockFactory

from .support import assert_error, client_for

pytestmark = pytest.mark.django_db

CONTACTS = "/api/v1/me/contacts/"
QUERIES = 2  # the offers with the cards, my card (the person comes with the session's user)


@pytest.fixture
def held():
    held = Held()
    for person in (held.ann, held.bob, held.cy, held.dee, held.eve):
        held.__dict__[f"{person.full_name.split()[0].lower()}_client"] = _client(person)
    return held


def _client(person):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username=person.email, email=person.email)
    person.user = user
    person.save(update_fields=["user"])
    return client_for(user)


def test_offer_list_and_withdraw(held):
    made = held.ann_client.post(
        CONTACTS,
        {"person": held.bob.pk, "link": "https://ann.example.org/"},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json() == {
        "person": {"id": held.bob.pk, "name": "Bob Ray"},
        "mutual": False,
        "card": {"email": "ann@example.org", "link": "https://ann.example.org/"},
    }
    assert held.bob_client.get(CONTACTS).json() == {
        "card": {"email": "bob@example.org", "link": ""},
        "mutual": [],
        "offered": [],
    }

    back = held.bob_client.post(CONTACTS, {"person": held.ann.pk}, format="json")
    assert back.json()["mutual"] is True
    assert held.bob_client.get(CONTACTS).json()["mutual"] == [
        {
            "person": {"id": held.ann.pk, "name": "Ann Lee"},
            "organization": "",
            "email": "ann@example.org",
            "link": "https://ann.example.org/",
        }
    ]

    assert held.ann_client.delete(f"{CONTACTS}{held.bob.pk}/").status_code == 204
    assert held.bob_client.get(CONTACTS).json()["mutual"] == []
    assert held.bob_client.get(CONTACTS).json()["offered"] == [
        {"id": held.ann.pk, "name": "Ann Lee"}
    ]
    assert held.ann_client.delete(f"{CONTACTS}{held.bob.pk}/").status_code == 404


def test_offers_are_validated(held):
    for body, field in [
        ({"person": held.eve.pk}, "person"),  # not at the round
        ({"person": held.dee.pk}, "person"),  # another table, not marked as met
        ({"person": 99999}, "person"),
        ({"person": held.bob.pk, "link": "javascript:alert(1)"}, "link"),
        ({"person": held.bob.pk, "email": "nope"}, "email"),
        ({}, "person"),
        ({"person": held.bob.pk, "extra": 1}, "extra"),
    ]:
        assert_error(held.ann_client.post(CONTACTS, body, format="json"), 400, field)
    assert not ContactOffer.objects.exists()


def test_a_block_is_never_revealed_through_the_api(held):
    BlockFactory(blocker=held.ann, blocked=held.bob)

    bob_offer = held.bob_client.post(CONTACTS, {"person": held.ann.pk}, format="json")
    # Ann's own offer to Bob is refused: she knows her block.
    ann_offer = held.ann_client.post(CONTACTS, {"person": held.bob.pk}, format="json")

    assert bob_offer.status_code == 201 and bob_offer.json()["mutual"] is False
    assert ann_offer.status_code == 400
    assert held.bob_client.get(CONTACTS).json()["offered"] == [
        {"id": held.ann.pk, "name": "Ann Lee"}
    ]
    assert held.ann_client.get(CONTACTS).json()["mutual"] == []


def test_other_peoples_offers_cannot_be_withdrawn(held):
    held.ann_client.post(CONTACTS, {"person": held.bob.pk}, format="json")

    assert held.cy_client.delete(f"{CONTACTS}{held.bob.pk}/").status_code == 404
    assert held.bob_client.delete(f"{CONTACTS}{held.ann.pk}/").status_code == 404
    assert ContactOffer.objects.count() == 1


@pytest.mark.parametrize("mutual", [1, 2])
def test_the_list_reads_a_fixed_number_of_queries(held, mutual, django_assert_num_queries):
    for other in [held.bob, held.cy][:mutual]:
        held.ann_client.post(CONTACTS, {"person": other.pk}, format="json")
        client = held.bob_client if other == held.bob else held.cy_client
        client.post(CONTACTS, {"person": held.ann.pk}, format="json")

    with django_assert_num_queries(QUERIES):
        assert len(held.ann_client.get(CONTACTS).json()["mutual"]) == mutual
