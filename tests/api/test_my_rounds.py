"""/me/rounds/: my rounds with RSVP and table; answering, my table and tablemates, who I met."""

import datetime as dt

import pytest
from django.utils import timezone

from attendees.enums import EncounterKind, RSVPStatus
from attendees.models import Block, Encounter, RoundRSVP
from conferences.enums import RoundStatus
from conferences.models import MeetupRound
from tests.factories import (
    ConferenceFactory,
    DrinkTableFactory,
    EncounterFactory,
    MeetupRoundFactory,
    RoundRSVPFactory,
    TopicFactory,
)

from .support import assert_error, attendee_of, client_for, seated_round

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/rounds/"


def test_my_rounds_show_my_answer_and_my_table_once_published(
    attendee, attendee_client, conference
):
    table = DrinkTableFactory(conference=conference, label="T7", location="Bar")
    published = seated_round(
        conference, {table: [attendee]}, starts_at=timezone.now() + dt.timedelta(days=2)
    )
    open_round = MeetupRoundFactory(conference=conference)
    RoundRSVPFactory(person=attendee, round=open_round, status=RSVPStatus.NOT_GOING)
    MeetupRoundFactory(conference=conference, status=RoundStatus.DRAFT)  # not announced yet
    MeetupRoundFactory()  # a conference I do not attend
    results = attendee_client.get(URL).json()["results"]
    assert [r["id"] for r in results] == [open_round.pk, published.pk]
    assert results[0] == {
        "id": open_round.pk,
        "conference": {"slug": "necc-2009", "name": "NECC 2009"},
        "name": open_round.name,
        "starts_at": results[0]["starts_at"],
        "ends_at": results[0]["ends_at"],
        "time_zone": "Europe/Paris",
        "location": "Terrace",
        "status": "open",
        "rsvp": "not_going",
        "rsvp_open": True,
        "table": None,
        "waiting": False,
    }
    assert (results[1]["rsvp"], results[1]["rsvp_open"], results[1]["table"]) == (
        None,
        False,
        {"id": table.pk, "label": "T7", "location": "Bar"},
    )
    assert attendee_client.get(f"{URL}{published.pk}/").json() == results[1]


def test_my_rounds_filters(attendee, attendee_client, conference):
    past = MeetupRoundFactory(
        conference=conference,
        starts_at=timezone.now() - dt.timedelta(days=3),
        status=RoundStatus.CANCELLED,
    )
    upcoming = MeetupRoundFactory(conference=conference)
    other_conference = ConferenceFactory(slug="other")
    attendee_of(other_conference)  # someone else there
    elsewhere = MeetupRoundFactory(conference=other_conference)
    from tests.factories import AttendanceFactory

    AttendanceFactory(person=attendee, conference=other_conference)

    def ids(**params):
        return [r["id"] for r in attendee_client.get(URL, params).json()["results"]]

    assert ids(upcoming="true") == [upcoming.pk, elsewhere.pk]
    assert ids(upcoming="false") == [past.pk]
    assert ids(conference="other") == [elsewhere.pk]
    assert ids(status="cancelled") == [past.pk]
    assert_error(attendee_client.get(URL, {"status": "draft"}), 400, "status")
    assert_error(attendee_client.get(URL, {"upcoming": "soon"}), 400, "upcoming")


def test_rsvp_going_then_not_going(attendee, attendee_client, conference):
    round = MeetupRoundFactory(conference=conference)
    response = attendee_client.put(f"{URL}{round.pk}/rsvp/", {"status": "going"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["rsvp"] == "going"
    response = attendee_client.put(f"{URL}{round.pk}/rsvp/", {"status": "not_going"}, format="json")
    assert response.json()["rsvp"] == "not_going"
    assert list(RoundRSVP.objects.values_list("person", "round", "status")) == [
        (attendee.pk, round.pk, "not_going")
    ]


def test_rsvp_is_validated_and_closes_once_the_round_is_held(attendee, attendee_client, conference):
    round = MeetupRoundFactory(conference=conference)
    body = assert_error(attendee_client.put(f"{URL}{round.pk}/rsvp/", {"status": "maybe"}), 400)
    assert body["errors"] == {"status": ['"maybe" is not a valid choice.']}
    assert_error(attendee_client.put(f"{URL}{round.pk}/rsvp/", {}), 400, "status")
    held = seated_round(conference, {})
    MeetupRound.objects.filter(pk=held.pk).update(status=RoundStatus.HELD)
    body = assert_error(attendee_client.put(f"{URL}{held.pk}/rsvp/", {"status": "going"}), 409)
    assert "tell the organizers" in body["detail"]
    assert not RoundRSVP.objects.exists()


def test_going_after_publishing_without_a_free_seat_puts_me_on_the_waiting_list(
    attendee, attendee_client, conference
):
    published = seated_round(conference, {})  # no tables: nothing has room

    response = attendee_client.put(f"{URL}{published.pk}/rsvp/", {"status": "going"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rsvp"], body["table"], body["waiting"]) == ("going", None, True)


def test_rounds_of_other_conferences_and_drafts_are_not_found(attendee_client, conference):
    foreign = MeetupRoundFactory()
    draft = MeetupRoundFactory(conference=conference, status=RoundStatus.DRAFT)
    for round in (foreign, draft):
        assert_error(attendee_client.get(f"{URL}{round.pk}/"), 404)
        assert_error(attendee_client.put(f"{URL}{round.pk}/rsvp/", {"status": "going"}), 404)
        assert_error(attendee_client.get(f"{URL}{round.pk}/table/"), 404)
        assert_error(attendee_client.get(f"{URL}{round.pk}/met/"), 404)
        assert_error(attendee_client.post(f"{URL}{round.pk}/met/", {"people": [1]}), 404)
    assert not RoundRSVP.objects.exists()


def test_my_table_lists_tablemates_with_public_profiles_and_reasons(
    attendee, other_attendee, conference
):
    topic = TopicFactory(name="Open source")
    attendee.topics.set([topic])
    other_attendee.topics.set([topic])
    other_attendee.needs_accessible_seating = True
    other_attendee.bio = "Teacher"
    other_attendee.save()
    earlier = ConferenceFactory(name="NECC 2008", starts_on=dt.date(2008, 6, 29))
    EncounterFactory(person_a=attendee, person_b=other_attendee, conference=earlier)
    table = DrinkTableFactory(conference=conference, label="T1", location="Bar")
    round = seated_round(conference, {table: [attendee, other_attendee]})
    response = client_for(attendee.user).get(f"{URL}{round.pk}/table/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["round"] == round.pk
    assert body["table"] == {"id": table.pk, "label": "T1", "location": "Bar"}
    [mate] = body["tablemates"]
    assert mate["id"] == other_attendee.pk
    assert (mate["name"], mate["bio"], mate["topics"], mate["former"]) == (
        "Bob Other",
        "Teacher",
        ["Open source"],
        False,
    )
    assert mate["reasons"] and "NECC 2008" in mate["reasons"][0]
    assert "needs_accessible_seating" not in mate and "email" not in mate


def test_no_table_before_the_plan_is_published_or_when_not_seated(
    attendee, other_attendee, attendee_client, conference
):
    open_round = MeetupRoundFactory(conference=conference)
    body = assert_error(attendee_client.get(f"{URL}{open_round.pk}/table/"), 404)
    assert "publish the plan" in body["detail"]
    table = DrinkTableFactory(conference=conference)
    not_me = seated_round(conference, {table: [other_attendee]})
    assert_error(attendee_client.get(f"{URL}{not_me.pk}/table/"), 404)


def test_say_who_i_met_after_a_held_round(attendee, other_attendee, attendee_client, conference):
    table = DrinkTableFactory(conference=conference)
    third = attendee_of(conference, full_name="Cy Third")
    round = seated_round(conference, {table: [attendee, other_attendee, third]}, status="held")
    url = f"{URL}{round.pk}/met/"
    assert attendee_client.get(url).json() == {"people": []}
    response = attendee_client.post(url, {"people": [other_attendee.pk]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "people": [
            {
                "id": other_attendee.pk,
                "name": "Bob Other",
                "organization": other_attendee.organization,
            }
        ]
    }
    again = attendee_client.post(url, {"people": [other_attendee.pk, third.pk]}, format="json")
    assert [p["name"] for p in again.json()["people"]] == ["Bob Other", "Cy Third"]
    assert Encounter.objects.filter(kind=EncounterKind.MET, round=round).count() == 2


def test_who_i_met_is_validated(attendee, other_attendee, attendee_client, conference):
    table = DrinkTableFactory(conference=conference)
    stranger = attendee_of(ConferenceFactory())
    open_round = MeetupRoundFactory(conference=conference)
    body = assert_error(
        attendee_client.post(f"{URL}{open_round.pk}/met/", {"people": [other_attendee.pk]}), 400
    )
    assert "once the round has taken place" in body["detail"]
    held = seated_round(conference, {table: [attendee, other_attendee]}, status="held")
    url = f"{URL}{held.pk}/met/"
    assert_error(attendee_client.post(url, {"people": []}, format="json"), 400, "people")
    assert_error(attendee_client.post(url, {"people": ["bob"]}, format="json"), 400, "people.0")
    unknown = assert_error(attendee_client.post(url, {"people": [999999]}, format="json"), 400)
    not_there = assert_error(
        attendee_client.post(url, {"people": [stranger.pk]}, format="json"), 400
    )
    assert (
        unknown["detail"]
        == not_there["detail"]
        == "You can only choose people who were at this round."
    )
    assert not Encounter.objects.exists()


def test_naming_someone_who_blocked_me_works_like_naming_anyone(
    attendee, other_attendee, attendee_client, conference
):
    Block.objects.create(blocker=other_attendee, blocked=attendee)
    round = seated_round(conference, {}, status=RoundStatus.HELD)  # both went, neither seated
    RoundRSVPFactory(person=attendee, round=round)
    RoundRSVPFactory(person=other_attendee, round=round)
    response = attendee_client.post(f"{URL}{round.pk}/met/", {"people": [other_attendee.pk]})
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["people"]] == [other_attendee.pk]


@pytest.mark.parametrize("count", [1, 12])
def test_my_rounds_and_table_queries_are_bounded(
    count, attendee, conference, django_assert_max_num_queries
):
    table = DrinkTableFactory(conference=conference)
    mates = [attendee_of(conference) for _ in range(count)]
    for mate in mates:
        mate.topics.set([TopicFactory()])
    round = None
    for _ in range(count):
        round = seated_round(conference, {table: [attendee, *mates]})
        RoundRSVPFactory(person=attendee, round=round)
    client = client_for(attendee.user)
    with django_assert_max_num_queries(4):
        assert client.get(URL).json()["count"] == count
    with django_assert_max_num_queries(11):
        assert len(client.get(f"{URL}{round.pk}/table/").json()["tablemates"]) == count
