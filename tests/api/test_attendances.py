"""/conferences/{slug}/attendances/ and …/encounters/import/: organizers register people in bulk
by e-mail and bring in past encounters, all or nothing and idempotent."""

import datetime as dt

import pytest
from django.utils import timezone

from attendees.enums import EncounterKind
from attendees.models import Attendance, Encounter, Person
from tests.factories import (
    AttendanceFactory,
    ConferenceFactory,
    EncounterFactory,
    PersonFactory,
    TopicFactory,
)

from .support import assert_error, attendee_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/conferences/necc-2009/attendances/"
IMPORT = "/api/v1/conferences/necc-2009/encounters/import/"


def rows(*people):
    return {"attendances": list(people)}


def test_bulk_upsert_creates_then_changes_nothing_the_second_time(organizer_client, conference):
    TopicFactory(name="Open source")
    body = rows(
        {"email": "Ann@Example.org", "full_name": "Ann Smith", "topics": ["open-source"]},
        {"email": "bob@example.org", "full_name": "Bob Jones", "role": "speaker", "newcomer": True},
    )
    first = organizer_client.post(URL, body, format="json")
    assert first.status_code == 200, first.content
    assert {k: first.json()[k] for k in ("applied", "created", "updated", "unchanged")} == {
        "applied": True,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }
    assert first.json()["people_created"] == 2
    assert [(r["row"], r["label"], r["action"]) for r in first.json()["rows"]] == [
        (0, "ann@example.org", "created"),
        (1, "bob@example.org", "created"),
    ]
    bob = Attendance.objects.get(person__email="bob@example.org")
    assert (bob.conference, bob.role, bob.newcomer_override) == (conference, "speaker", True)
    assert list(
        Person.objects.get(email="ann@example.org").topics.values_list("slug", flat=True)
    ) == ["open-source"]

    second = organizer_client.post(URL, body, format="json")
    assert (second.json()["created"], second.json()["unchanged"]) == (0, 2)
    assert Attendance.objects.count() == 2

    changed = organizer_client.post(
        URL,
        rows({"email": "bob@example.org", "full_name": "Bob Jones", "role": "volunteer"}),
        format="json",
    )
    assert changed.json()["updated"] == 1
    assert changed.json()["rows"][0]["changes"] == ["role: speaker → volunteer"]


def test_a_dry_run_saves_nothing(organizer_client):
    response = organizer_client.post(
        URL, {**rows({"email": "a@example.org", "full_name": "A"}), "dry_run": True}, format="json"
    )
    assert (response.json()["applied"], response.json()["created"]) == (False, 1)
    assert not Person.objects.exists()


def test_one_bad_row_saves_nothing_and_every_error_names_its_row(organizer_client):
    response = organizer_client.post(
        URL,
        rows(
            {"email": "good@example.org", "full_name": "Good"},
            {"email": "not-an-email", "full_name": "Bad", "role": "boss"},
            {"email": "good@example.org", "full_name": "Twice"},
            {"email": "x@example.org", "full_name": "X", "colour": "blue"},
        ),
        format="json",
    )
    body = assert_error(
        response,
        400,
        "attendances[1].email",
        "attendances[1].role",
        "attendances[2].email",
        "attendances[3].colour",
    )
    assert (
        body["detail"]
        == "Nothing was saved: 3 rows have errors. Fix them and send all the rows again."
    )
    assert "is not an e-mail address" in body["errors"]["attendances[1].email"][0]
    assert "Duplicate row" in body["errors"]["attendances[2].email"][0]
    assert not Person.objects.exists()


def test_the_request_shape_is_validated(organizer_client):
    assert_error(organizer_client.post(URL, {}, format="json"), 400, "attendances")
    assert_error(organizer_client.post(URL, rows(), format="json"), 400, "attendances")
    assert_error(organizer_client.post(URL, {"attendances": ["ann"]}, format="json"), 400)
    assert_error(
        organizer_client.post(
            URL, {**rows({"email": "a@b.org", "full_name": "A"}), "dry": 1}, format="json"
        ),
        400,
        "dry",
    )


def test_organizer_lists_registrations_with_filters(organizer_client, conference):
    earlier = ConferenceFactory(starts_on=dt.date(2008, 6, 29))
    ann = attendee_of(conference, full_name="Ann Returning")
    AttendanceFactory(person=ann, conference=earlier)
    bob = attendee_of(conference, full_name="Bob Newcomer")
    Attendance.objects.filter(person=bob).update(role="speaker", checked_in_at=timezone.now())
    attendee_of(ConferenceFactory(), full_name="Elsewhere")
    results = organizer_client.get(URL).json()["results"]
    assert [(r["person"]["full_name"], r["newcomer"], r["role"]) for r in results] == [
        ("Ann Returning", False, "attendee"),
        ("Bob Newcomer", True, "speaker"),
    ]
    assert results[0]["person"]["email"] == ann.email
    assert "needs_accessible_seating" not in results[0]["person"]

    def names(**params):
        return [
            r["person"]["full_name"] for r in organizer_client.get(URL, params).json()["results"]
        ]

    assert names(role="speaker") == ["Bob Newcomer"]
    assert names(q="ann") == ["Ann Returning"]
    assert names(checked_in="true") == ["Bob Newcomer"]
    assert names(checked_in="false") == ["Ann Returning"]
    assert_error(organizer_client.get(URL, {"role": "boss"}), 400, "role")
    one = organizer_client.get(f"{URL}{results[1]['id']}/").json()
    assert one == results[1]


def test_organizer_checks_someone_in_and_changes_their_registration(organizer_client, conference):
    attendance = attendee_of(conference).attendances.get()
    url = f"{URL}{attendance.pk}/"
    response = organizer_client.patch(url, {"checked_in": True, "role": "volunteer"}, format="json")
    assert response.status_code == 200, response.content
    attendance.refresh_from_db()
    first_check_in = attendance.checked_in_at
    assert first_check_in is not None and attendance.role == "volunteer"
    assert response.json()["checked_in_at"] is not None
    organizer_client.patch(url, {"checked_in": True}, format="json")
    attendance.refresh_from_db()
    assert attendance.checked_in_at == first_check_in  # checking in again keeps the time
    response = organizer_client.patch(
        url, {"checked_in": False, "newcomer_override": True}, format="json"
    )
    assert (response.json()["checked_in_at"], response.json()["newcomer"]) == (None, True)
    attendance.refresh_from_db()
    assert (attendance.checked_in_at, attendance.newcomer_override) == (None, True)


def test_registration_changes_are_validated(organizer_client, conference):
    attendance = attendee_of(conference).attendances.get()
    url = f"{URL}{attendance.pk}/"
    assert_error(organizer_client.patch(url, {"role": "boss"}, format="json"), 400, "role")
    assert_error(
        organizer_client.patch(url, {"checked_in": "soon"}, format="json"), 400, "checked_in"
    )
    assert_error(organizer_client.patch(url, {"conference": "x"}, format="json"), 400, "conference")
    assert_error(organizer_client.put(url, {"role": "speaker"}, format="json"), 405)
    attendance.refresh_from_db()
    assert (attendance.role, attendance.checked_in_at) == ("attendee", None)


def test_import_past_encounters_once(organizer_client, organizer, conference):
    earlier = ConferenceFactory(
        series=conference.series, slug="necc-2008", starts_on=dt.date(2008, 6, 29)
    )
    earlier.organizers.add(organizer)
    ann, bob = attendee_of(conference), attendee_of(conference)
    body = {"encounters": [{"email_a": ann.email, "email_b": bob.email, "conference": "2008"}]}
    response = organizer_client.post(IMPORT, body, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["created"], response.json()["applied"]) == (1, True)
    encounter = Encounter.objects.get()
    assert (encounter.kind, encounter.conference, encounter.occurred_on) == (
        EncounterKind.IMPORTED,
        earlier,
        dt.date(2008, 6, 29),
    )
    again = organizer_client.post(IMPORT, body, format="json")
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 1)
    assert Encounter.objects.count() == 1


def test_encounter_import_errors_name_the_row(organizer_client, conference):
    ann = attendee_of(conference)
    stranger = PersonFactory()
    body = {
        "encounters": [
            {"email_a": ann.email, "email_b": ann.email, "conference": "necc-2009"},
            {"email_a": ann.email, "email_b": stranger.email, "conference": "necc-2009"},
            {"email_a": ann.email, "email_b": "b@example.org", "conference": "1999"},
        ]
    }
    response = assert_error(
        organizer_client.post(IMPORT, body, format="json"),
        400,
        "encounters[0].email_b",
        "encounters[1].email_b",
        "encounters[2].conference",
    )
    assert "Nobody registered at your conferences" in response["errors"]["encounters[1].email_b"][0]
    assert not Encounter.objects.exists()
    assert_error(
        organizer_client.post(IMPORT, {"encounters": []}, format="json"), 400, "encounters"
    )


def test_outsiders_get_404_for_registrations_and_imports(outsider_client, conference):
    attendance = attendee_of(conference).attendances.get()
    assert_error(outsider_client.get(URL), 404)
    assert_error(outsider_client.get(f"{URL}{attendance.pk}/"), 404)
    assert_error(outsider_client.patch(f"{URL}{attendance.pk}/", {"checked_in": True}), 404)
    assert_error(
        outsider_client.post(
            URL, rows({"email": "x@example.org", "full_name": "X"}), format="json"
        ),
        404,
    )
    assert_error(outsider_client.post(IMPORT, {"encounters": [{}]}, format="json"), 404)
    assert not Person.objects.filter(email="x@example.org").exists()
    attendance.refresh_from_db()
    assert attendance.checked_in_at is None


@pytest.mark.parametrize("count", [1, 20])
def test_registration_list_queries_do_not_grow(
    count, organizer_client, conference, django_assert_max_num_queries
):
    topic = TopicFactory()
    for _ in range(count):
        person = attendee_of(conference)
        person.topics.set([topic])
        EncounterFactory(person_a=person, person_b=PersonFactory(), conference=conference)
    with django_assert_max_num_queries(8):
        assert organizer_client.get(URL).json()["count"] == count
