"""GET /conferences/: the conferences I attend or organize; organizers may change theirs."""

import datetime as dt

import pytest

from tests.factories import (
    AttendanceFactory,
    ConferenceFactory,
    OrganizerFactory,
    PersonFactory,
    SeriesFactory,
    UserFactory,
)

from .support import assert_error, attendee_of, client_for

pytestmark = pytest.mark.django_db


def slugs(response):
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def test_attendee_sees_the_conferences_they_attend(attendee_client, conference):
    ConferenceFactory(slug="somebody-elses")
    response = attendee_client.get("/api/v1/conferences/")
    assert response.json()["results"] == [
        {
            "slug": "necc-2009",
            "name": "NECC 2009",
            "series": {"slug": conference.series.slug, "name": conference.series.name},
            "city": "Nice",
            "starts_on": conference.starts_on.isoformat(),
            "ends_on": conference.ends_on.isoformat(),
            "time_zone": "Europe/Paris",
            "is_organizer": False,
            "is_attending": True,
        }
    ]


def test_organizer_sees_what_they_organize_and_attend_newest_first(organizer, conference):
    older = ConferenceFactory(slug="older", starts_on=dt.date(2001, 6, 1))
    AttendanceFactory(person=PersonFactory(user=organizer), conference=older)
    ConferenceFactory(slug="not-mine")
    response = client_for(organizer).get("/api/v1/conferences/")
    results = response.json()["results"]
    assert [(c["slug"], c["is_organizer"], c["is_attending"]) for c in results] == [
        ("necc-2009", True, False),
        ("older", False, True),
    ]
    client = client_for(organizer)
    assert slugs(client.get("/api/v1/conferences/", {"role": "organizing"})) == ["necc-2009"]
    assert slugs(client.get("/api/v1/conferences/", {"role": "attending"})) == ["older"]
    assert slugs(client.get("/api/v1/conferences/", {"year": 2001})) == ["older"]
    assert slugs(client.get("/api/v1/conferences/", {"series": older.series.slug})) == ["older"]


def test_conference_filters_say_what_is_wrong(attendee_client):
    body = assert_error(attendee_client.get("/api/v1/conferences/", {"role": "boss"}), 400, "role")
    assert "boss" in body["errors"]["role"][0]
    assert_error(attendee_client.get("/api/v1/conferences/", {"year": "soon"}), 400, "year")


def test_a_user_with_no_conference_sees_an_empty_list():
    assert slugs(client_for(UserFactory()).get("/api/v1/conferences/")) == []


def test_retrieve_a_conference_by_slug(attendee_client, conference):
    response = attendee_client.get("/api/v1/conferences/necc-2009/")
    assert response.status_code == 200
    assert response.json()["slug"] == "necc-2009"


def test_a_deleted_persons_conferences_are_gone(attendee, attendee_client):
    attendee.deleted_at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    attendee.save(update_fields=["deleted_at"])
    assert slugs(attendee_client.get("/api/v1/conferences/")) == []


@pytest.mark.parametrize("who", ["stranger", "attendee elsewhere", "other_organizer"])
def test_conferences_of_others_are_not_found(who, conference):
    if who == "stranger":
        user = UserFactory()
    elif who == "attendee elsewhere":
        user = attendee_of(ConferenceFactory()).user
    else:
        user = OrganizerFactory(conferences=[ConferenceFactory()])
    client = client_for(user)
    assert "necc-2009" not in slugs(client.get("/api/v1/conferences/"))
    assert_error(client.get("/api/v1/conferences/necc-2009/"), 404)
    assert_error(client.patch("/api/v1/conferences/necc-2009/", {"city": "X"}), 404)


def test_organizer_changes_the_conference(organizer_client, conference):
    response = organizer_client.patch(
        "/api/v1/conferences/necc-2009/",
        {"city": "Washington", "time_zone": "America/New_York"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["city"], response.json()["time_zone"]) == (
        "Washington",
        "America/New_York",
    )
    conference.refresh_from_db()
    assert (conference.city, conference.time_zone) == ("Washington", "America/New_York")


def test_conference_changes_are_validated(organizer_client, conference):
    url = "/api/v1/conferences/necc-2009/"
    body = assert_error(organizer_client.patch(url, {"time_zone": "Mars/Base"}), 400, "time_zone")
    assert "IANA" in body["errors"]["time_zone"][0]
    before = (conference.starts_on - dt.timedelta(days=1)).isoformat()
    body = assert_error(organizer_client.patch(url, {"ends_on": before}), 400, "ends_on")
    assert "cannot end before it starts" in body["detail"]
    assert_error(organizer_client.patch(url, {"name": ""}), 400, "name")
    assert_error(organizer_client.patch(url, {"starts_on": "next week"}), 400, "starts_on")


def test_attendees_cannot_change_a_conference(attendee_client, conference):
    body = assert_error(attendee_client.patch("/api/v1/conferences/necc-2009/", {"city": "X"}), 403)
    assert "organizers" in body["detail"]
    conference.refresh_from_db()
    assert conference.city == "Nice"


@pytest.mark.parametrize("count", [1, 12])
def test_conference_list_queries_do_not_grow(count, django_assert_max_num_queries):
    user = UserFactory()
    series = SeriesFactory()
    for _ in range(count):
        ConferenceFactory(series=series).organizers.add(user)
    with django_assert_max_num_queries(3):
        response = client_for(user).get("/api/v1/conferences/")
    assert response.json()["count"] == count


def test_a_year_out_of_the_calendar_is_a_validation_error(attendee_client):
    for year in ("0", "10000", "2001.5"):
        assert_error(attendee_client.get("/api/v1/conferences/", {"year": year}), 400, "year")
