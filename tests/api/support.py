"""Helpers shared by the API tests."""

from rest_framework.test import APIClient

from tests.factories import AttendanceFactory, PersonFactory, UserFactory


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def attendee_of(conference, **person):
    """A signed-in person registered for ``conference``; returns the Person."""
    user = UserFactory()
    person = PersonFactory(user=user, email=user.email, **person)
    AttendanceFactory(person=person, conference=conference)
    return person


def assert_error(response, status: int, *fields: str) -> dict:
    """The response is an error in the one shape, naming ``fields`` when given."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"]
    if fields:
        assert sorted(body["errors"]) == sorted(fields), body
    return body


def seated_round(conference, seating: dict, *, status=None, **round_fields):
    """A round whose published plan seats ``seating`` ({table: [people]})."""
    from django.utils import timezone

    from conferences.enums import RoundStatus
    from tests.factories import MatchingRunFactory, MeetupRoundFactory, SeatFactory

    round = MeetupRoundFactory(conference=conference, **round_fields)
    run = MatchingRunFactory(round=round)
    for table, people in seating.items():
        for person in people:
            SeatFactory(run=run, person=person, table=table)
    round.status = status or RoundStatus.PUBLISHED
    round.published_run = run
    round.published_at = timezone.now()
    if round.status == RoundStatus.HELD:
        round.held_at = timezone.now()
    round.save()
    return round
