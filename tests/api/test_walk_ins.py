"""POST /api/v1/rounds/{id}/walk-ins/: someone at the door seated at once, or 409 with why."""

import pytest
from django.core import mail
from django.utils import timezone

from attendees.models import Person, RoundRSVP
from matching.models import Seat, SeatNotification
from tests.factories import DrinkTableFactory

from .support import assert_error, attendee_of, seated_round

pytestmark = pytest.mark.django_db


def url(round) -> str:
    return f"/api/v1/rounds/{round.pk}/walk-ins/"


@pytest.fixture
def evening(conference):
    """A published round: table T1 (2 seats) full, T2 (3 seats) with one person."""
    t1 = DrinkTableFactory(conference=conference, label="T1", capacity=2, location="Bar")
    t2 = DrinkTableFactory(conference=conference, label="T2", capacity=3, location="Terrace")
    people = [attendee_of(conference, full_name=f"Person {n}") for n in range(3)]
    round = seated_round(conference, {t1: people[:2], t2: people[2:]})
    for seat in Seat.objects.filter(run=round.published_run):  # everyone was told already
        SeatNotification.objects.create(
            round=round,
            person_id=seat.person_id,
            table_id=seat.table_id,
            sent_at=timezone.now(),
            sequence=round.calendar_sequence,
        )
    return round, t1, t2


def test_a_registered_walk_in_is_seated_at_a_table_with_room(
    organizer_client, conference, evening, django_capture_on_commit_callbacks
):
    round, _t1, t2 = evening
    walker = attendee_of(conference, full_name="Wanda Walker")

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(url(round), {"person": walker.pk}, format="json")

    assert response.status_code == 201, response.content
    assert response.json() == {
        "person": walker.pk,
        "name": "Wanda Walker",
        "table": {"id": t2.pk, "label": "T2", "location": "Terrace"},
    }
    assert Seat.objects.get(run=round.published_run, person=walker).table == t2
    rsvp = RoundRSVP.objects.get(person=walker, round=round)
    assert (rsvp.status, rsvp.checked_in_at is not None) == ("going", True)
    assert [m.to for m in mail.outbox] == [[walker.email]]


def test_a_new_walk_in_by_email_is_registered_and_seated(organizer_client, evening):
    round, _t1, t2 = evening

    response = organizer_client.post(
        url(round), {"email": "new@example.org", "full_name": "New Face"}, format="json"
    )

    assert response.status_code == 201, response.content
    person = Person.objects.get(email="new@example.org")
    assert response.json()["person"] == person.pk
    assert response.json()["table"]["label"] == "T2"


def test_when_nothing_fits_the_answer_is_409_with_the_reason(organizer_client, conference, evening):
    round, _t1, t2 = evening
    for n in range(2):
        Seat.objects.create(
            run=round.published_run,
            person=attendee_of(conference, full_name=f"Late {n}"),
            table=t2,
        )
    walker = attendee_of(conference, full_name="Wanda Walker")

    body = assert_error(
        organizer_client.post(url(round), {"person": walker.pk}, format="json"), 409
    )

    assert body["detail"] == (
        "Wanda Walker was not seated. No table has a free seat that keeps the rules (room, "
        "accessible seating, nobody they sat with earlier at this conference, private "
        "requests). Tables: 2 full."
    )
    assert not RoundRSVP.objects.filter(person=walker).exists()


def test_the_body_needs_a_person_or_an_email_and_a_name(organizer_client, evening):
    round, *_ = evening
    assert_error(organizer_client.post(url(round), {}, format="json"), 400, "email", "full_name")
    assert_error(
        organizer_client.post(url(round), {"email": "x@example.org"}, format="json"),
        400,
        "full_name",
    )
    assert_error(
        organizer_client.post(
            url(round), {"person": 1, "email": "x@example.org", "full_name": "X"}, format="json"
        ),
        400,
        "person",
    )


def test_someone_not_at_the_conference_is_not_found(organizer_client, evening):
    round, *_ = evening
    from tests.factories import ConferenceFactory

    elsewhere = attendee_of(ConferenceFactory(), full_name="Elsewhere Eve")
    assert_error(organizer_client.post(url(round), {"person": elsewhere.pk}, format="json"), 404)


def test_outsiders_get_404(outsider_client, evening):
    round, *_ = evening
    response = outsider_client.post(url(round), {"email": "a@example.org", "full_name": "A"})
    assert_error(response, 404)
    assert not Person.objects.filter(email="a@example.org").exists()


def test_a_round_that_is_not_published_answers_409(organizer_client, conference):
    from tests.factories import MeetupRoundFactory

    round = MeetupRoundFactory(conference=conference)
    walker = attendee_of(conference, full_name="Wanda Walker")
    body = assert_error(
        organizer_client.post(url(round), {"person": walker.pk}, format="json"), 409
    )
    assert body["detail"].startswith("Seating a walk-in works once the plan is published")
