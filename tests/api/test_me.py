"""/me/: my profile and settings, my data export, my network, deleting my account; topics and
the people search."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from attendees.enums import EncounterKind
from attendees.models import ApiToken, Block, Person
from attendees.tokens import api_token_create
from tests.factories import (
    BlockFactory,
    ConferenceFactory,
    EncounterFactory,
    OrganizerFactory,
    TopicFactory,
    UserFactory,
)

from .support import assert_error, attendee_of, client_for

pytestmark = pytest.mark.django_db


def test_me_shows_my_profile_and_private_settings(attendee, attendee_client):
    topic = TopicFactory(name="Open source")
    attendee.topics.set([topic])
    attendee.needs_accessible_seating = True
    attendee.save()
    response = attendee_client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {
        "id": attendee.pk,
        "full_name": "Ann Attendee",
        "email": attendee.email,
        "organization": attendee.organization,
        "bio": "",
        "topics": [{"slug": "open-source", "name": "Open source"}],
        "needs_accessible_seating": True,
        "opted_out": False,
        "show_organization": True,
        "language": "",
        "created_at": response.json()["created_at"],
    }


def test_patch_me_changes_only_what_is_sent(attendee, attendee_client):
    TopicFactory(name="Open source")
    TopicFactory(name="STEM")
    response = attendee_client.patch(
        "/api/v1/me/",
        {"topics": ["open-source", "stem"], "opted_out": True, "organization": "  ISTE  "},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [t["slug"] for t in body["topics"]] == ["open-source", "stem"]
    assert (body["opted_out"], body["organization"], body["full_name"]) == (
        True,
        "ISTE",
        "Ann Attendee",
    )
    attendee.refresh_from_db()
    assert (attendee.opted_out, attendee.organization) == (True, "ISTE")
    assert sorted(attendee.topics.values_list("slug", flat=True)) == ["open-source", "stem"]


def test_patch_me_says_what_to_fix(attendee, attendee_client):
    body = assert_error(attendee_client.patch("/api/v1/me/", {"topics": ["nope"]}), 400, "topics")
    assert "nope" in body["errors"]["topics"][0]
    body = assert_error(attendee_client.patch("/api/v1/me/", {"full_name": "   "}), 400)
    assert body["errors"] == {"full_name": ["This field may not be blank."]}
    assert_error(attendee_client.patch("/api/v1/me/", {"opted_out": "maybe"}), 400, "opted_out")
    assert_error(attendee_client.patch("/api/v1/me/", {"bio": "x" * 1001}), 400, "bio")
    attendee.refresh_from_db()
    assert attendee.full_name == "Ann Attendee"


def test_patch_me_sets_my_language_and_answers_in_it(attendee, attendee_client):
    response = attendee_client.patch("/api/v1/me/", {"language": "de"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["language"] == "de"
    attendee.refresh_from_db()
    assert attendee.language == "de"
    # From now on the API's messages are German, whatever the client's Accept-Language.
    body = assert_error(
        attendee_client.patch(
            "/api/v1/me/", {"full_name": "   "}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
        ),
        400,
    )
    assert body["errors"] == {"full_name": ["Dieses Feld darf nicht leer sein."]}
    response = attendee_client.patch("/api/v1/me/", {"language": ""}, format="json")
    assert response.json()["language"] == ""


def test_patch_me_refuses_a_language_we_do_not_have(attendee, attendee_client):
    body = assert_error(attendee_client.patch("/api/v1/me/", {"language": "it"}), 400, "language")
    assert body["errors"]["language"] == ['"it" is not a valid choice.']
    attendee.refresh_from_db()
    assert attendee.language == ""


def test_email_cannot_be_changed_through_me(attendee, attendee_client):
    body = assert_error(
        attendee_client.patch("/api/v1/me/", {"email": "x@example.org"}), 400, "email"
    )
    assert body["errors"]["email"] == ["Not a field of this request; it cannot be set here."]
    attendee.refresh_from_db()
    assert attendee.email != "x@example.org"


@pytest.mark.parametrize("who", ["stranger", "organizer"])
def test_users_without_an_attendee_profile_get_404_on_me(who, conference):
    user = UserFactory() if who == "stranger" else OrganizerFactory(conferences=[conference])
    client = client_for(user)
    for method, url in [
        ("get", "/api/v1/me/"),
        ("patch", "/api/v1/me/"),
        ("delete", "/api/v1/me/"),
        ("get", "/api/v1/me/export/"),
        ("get", "/api/v1/me/network/"),
        ("get", "/api/v1/me/rounds/"),
        ("get", "/api/v1/me/encounters/"),
        ("get", "/api/v1/me/blocks/"),
        ("get", "/api/v1/me/sit-together/"),
        ("get", "/api/v1/people/?q=ann"),
    ]:
        body = assert_error(getattr(client, method)(url, format="json"), 404)
        assert "No attendee profile" in body["detail"], url
    assert_error(APIClient().get("/api/v1/me/"), 401)


def test_export_has_everything_about_me_and_nothing_about_who_blocked_me(
    attendee, other_attendee, attendee_client
):
    BlockFactory(blocker=other_attendee, blocked=attendee)
    api_token_create(user=attendee.user, name="sync")
    response = attendee_client.get("/api/v1/me/export/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["format"] == "drinktables.export.v1"
    assert data["profile"]["email"] == attendee.email
    assert [t["name"] for t in data["account"]["api_tokens"]] == ["sync"]
    assert data["blocks"] == []
    assert "Bob" not in response.content.decode()


def test_delete_me_erases_the_account_and_its_tokens(attendee, other_attendee, conference):
    EncounterFactory(person_a=attendee, person_b=other_attendee, conference=conference)
    key = api_token_create(user=attendee.user, name="sync")[1]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.delete("/api/v1/me/").status_code == 204
    attendee.refresh_from_db()
    assert attendee.deleted_at is not None and attendee.full_name == ""
    assert not get_user_model().objects.filter(pk=attendee.user_id or 0).exists()
    assert not ApiToken.objects.exists()
    assert_error(client.get("/api/v1/me/"), 401)
    other = client_for(other_attendee.user).get("/api/v1/me/encounters/").json()["results"]
    assert [e["person"]["name"] for e in other] == ["A former attendee"]


def test_network_groups_the_people_i_met_by_edition(attendee, other_attendee, conference):
    earlier = ConferenceFactory(name="NECC 2008", starts_on=dt.date(2008, 6, 29))
    EncounterFactory(person_a=attendee, person_b=other_attendee, conference=earlier)
    EncounterFactory(
        person_a=attendee,
        person_b=other_attendee,
        conference=conference,
        kind=EncounterKind.IMPORTED,
    )
    response = client_for(attendee.user).get("/api/v1/me/network/")
    assert response.status_code == 200
    data = response.json()
    assert [(c["id"], c["name"], c["encounters"]) for c in data["contacts"]] == [
        (other_attendee.pk, "Bob Other", 2)
    ]
    assert data["contacts"][0]["first_met_on"] == "2008-06-29"
    assert [(e["name"], e["contacts"], e["new"]) for e in data["editions"]] == [
        ("NECC 2009", [other_attendee.pk], 0),
        ("NECC 2008", [other_attendee.pk], 1),
    ]
    assert data["growth"][0] == {"year": 2008, "new": 1, "total": 1}


def test_topics_are_listed_by_name(attendee_client):
    TopicFactory(name="STEM")
    TopicFactory(name="Equity and access")
    names = [t["name"] for t in attendee_client.get("/api/v1/topics/").json()["results"]]
    assert names == ["Equity and access", "STEM"]


def test_people_search_finds_attendees_of_my_conferences_only(attendee, conference):
    bob = attendee_of(
        conference, full_name="Bob Builder", organization="Bits", show_organization=False
    )
    attendee_of(ConferenceFactory(), full_name="Bob Elsewhere")
    client = client_for(attendee.user)
    response = client.get("/api/v1/people/", {"q": "bob"})
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": bob.pk,
            "name": "Bob Builder",
            "organization": "",
            "conferences": [{"slug": "necc-2009", "name": "NECC 2009"}],
        }
    ]
    assert client.get("/api/v1/people/", {"q": "bob", "conference": "other"}).json() == []
    assert_error(client.get("/api/v1/people/", {"q": "b"}), 400, "q")
    assert_error(client.get("/api/v1/people/"), 400, "q")


def test_people_search_does_not_hide_someone_who_blocked_me(attendee, conference):
    blocker = attendee_of(conference, full_name="Bea Blocker")
    Block.objects.create(blocker=blocker, blocked=attendee)
    results = client_for(attendee.user).get("/api/v1/people/", {"q": "bea"}).json()
    assert [r["id"] for r in results] == [blocker.pk]


@pytest.mark.parametrize("count", [1, 15])
def test_me_and_search_queries_are_bounded(
    count, attendee, conference, django_assert_max_num_queries
):
    topics = [TopicFactory() for _ in range(count)]
    attendee.topics.set(topics)
    for number in range(count):
        attendee_of(conference, full_name=f"Zed {number}")
    client = client_for(attendee.user)
    with django_assert_max_num_queries(3):
        assert len(client.get("/api/v1/me/").json()["topics"]) == count
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/people/", {"q": "zed"}).json()) == min(count, 10)
    assert Person.objects.count() == count + 1


@pytest.mark.parametrize("count", [1, 30])
def test_topic_list_queries_do_not_grow(count, attendee_client, django_assert_max_num_queries):
    for _ in range(count):
        TopicFactory()
    with django_assert_max_num_queries(2):
        assert attendee_client.get("/api/v1/topics/").json()["count"] == count
