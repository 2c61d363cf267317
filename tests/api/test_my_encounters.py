"""/me/encounters/: my encounters, newest first, in cursor pages."""

import datetime as dt

import pytest

from attendees.enums import EncounterKind
from tests.factories import ConferenceFactory, EncounterFactory, PersonFactory

from .support import assert_error, client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/encounters/"


def test_my_encounters_name_the_other_person_newest_first(attendee, other_attendee, conference):
    old = ConferenceFactory(name="NECC 2008", slug="necc-2008", starts_on=dt.date(2008, 6, 29))
    hidden = PersonFactory(full_name="Hid Den", organization="Secret Org", show_organization=False)
    first = EncounterFactory(person_a=attendee, person_b=hidden, conference=old)
    latest = EncounterFactory(person_a=other_attendee, person_b=attendee, conference=conference)
    EncounterFactory(person_a=other_attendee, person_b=hidden, conference=conference)  # not mine
    response = client_for(attendee.user).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    assert body["results"] == [
        {
            "id": latest.pk,
            "kind": "imported",
            "person": {
                "id": other_attendee.pk,
                "name": "Bob Other",
                "organization": other_attendee.organization,
            },
            "conference": {"slug": "necc-2009", "name": "NECC 2009"},
            "round": None,
            "occurred_on": conference.starts_on.isoformat(),
            "undo_until": None,
        },
        {
            "id": first.pk,
            "kind": "imported",
            "person": {"id": hidden.pk, "name": "Hid Den", "organization": ""},
            "conference": {"slug": "necc-2008", "name": "NECC 2008"},
            "round": None,
            "occurred_on": "2008-06-29",
            "undo_until": None,
        },
    ]


def test_cursor_pages_walk_every_encounter_once(attendee):
    for day in range(7):
        EncounterFactory(
            person_a=attendee,
            person_b=PersonFactory(),
            conference=None,
            occurred_on=dt.date(2020, 1, 1 + day % 3),  # ties on the date too
        )
    client = client_for(attendee.user)
    seen, url = [], f"{URL}?page_size=3"
    while url:
        page = client.get(url).json()
        seen += [(e["occurred_on"], e["id"]) for e in page["results"]]
        url = page["next"]
    assert len(seen) == 7
    assert seen == sorted(seen, reverse=True)
    assert_error(client.get(URL, {"cursor": "garbage"}), 404)


def test_encounters_filter_by_kind_and_conference(attendee, other_attendee, conference):
    EncounterFactory(person_a=attendee, person_b=other_attendee, conference=conference)
    EncounterFactory(
        person_a=attendee, person_b=PersonFactory(), conference=None, kind=EncounterKind.IMPORTED
    )
    client = client_for(attendee.user)
    mine = client.get(URL, {"conference": "necc-2009"}).json()["results"]
    assert [e["person"]["id"] for e in mine] == [other_attendee.pk]
    assert client.get(URL, {"kind": "met"}).json()["results"] == []
    assert_error(client.get(URL, {"kind": "hugged"}), 400, "kind")


def test_another_attendee_sees_only_their_own_encounters(attendee, other_attendee, conference):
    EncounterFactory(person_a=attendee, person_b=PersonFactory(), conference=conference)
    assert client_for(other_attendee.user).get(URL).json()["results"] == []


@pytest.mark.parametrize("count", [1, 20])
def test_encounter_list_queries_do_not_grow(
    count, attendee, conference, django_assert_max_num_queries
):
    for _ in range(count):
        EncounterFactory(person_a=attendee, person_b=PersonFactory(), conference=conference)
    client = client_for(attendee.user)
    with django_assert_max_num_queries(3):
        assert len(client.get(URL).json()["results"]) == count
