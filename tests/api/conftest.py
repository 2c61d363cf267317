"""People and clients for the API tests.

One conference with its organizer and two attendees, plus the three kinds of outsider every
endpoint must answer 404: a signed-in user with no part in the conference, an attendee of
the conference (for organizer endpoints) and the organizer of another conference.
"""

import pytest
from rest_framework.test import APIClient

from tests.factories import ConferenceFactory, OrganizerFactory, UserFactory

from .support import attendee_of, client_for


@pytest.fixture
def conference(db):
    return ConferenceFactory(slug="necc-2009", name="NECC 2009")


@pytest.fixture
def organizer(conference):
    return OrganizerFactory(username="organizer", conferences=[conference])


@pytest.fixture
def attendee(conference):
    return attendee_of(conference, full_name="Ann Attendee")


@pytest.fixture
def other_attendee(conference):
    return attendee_of(conference, full_name="Bob Other")


@pytest.fixture
def organizer_client(organizer):
    return client_for(organizer)


@pytest.fixture
def attendee_client(attendee):
    return client_for(attendee.user)


@pytest.fixture
def anonymous_client():
    return APIClient()


OUTSIDERS = ["stranger", "attendee", "other_organizer"]


@pytest.fixture(params=OUTSIDERS)
def outsider_client(request, conference):
    """Somebody who must not see the conference's organizer data (and gets 404)."""
    if request.param == "stranger":
        user = UserFactory()
    elif request.param == "attendee":
        user = attendee_of(conference, full_name="Cy Curious").user
    else:
        user = OrganizerFactory(conferences=[ConferenceFactory()])
    return client_for(user)
