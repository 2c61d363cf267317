"""Where signing in leads, and that no link in the page header leads to a dead end."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import ConferenceFactory, OrganizerFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = re.compile(r'<header class="site-header">(.*?)</header>', re.S)
HREF = re.compile(r'href="([^"#]+)')


def header_links(html: str) -> list[str]:
    return HREF.findall(HEADER.search(html)[1])


def attendee():
    return PersonFactory(user=UserFactory()).user


def organizer_with_a_profile():
    user = OrganizerFactory(conferences=[ConferenceFactory()])
    PersonFactory(user=user)
    return user


def organizer_without_a_profile():
    return OrganizerFactory(conferences=[ConferenceFactory()])


def staff_without_a_conference():
    return UserFactory(is_staff=True)


@pytest.mark.parametrize(
    "make_user",
    [
        None,
        attendee,
        organizer_with_a_profile,
        organizer_without_a_profile,
        staff_without_a_conference,
    ],
)
@pytest.mark.parametrize("start", ["dashboard:home", "dashboard:login", "organize:index"])
def test_every_header_link_answers(client, make_user, start):
    if make_user is not None:
        client.force_login(make_user())
    landing = client.get(reverse(start), follow=True)
    assert landing.status_code in (200, 403)
    links = header_links(landing.content.decode())
    assert links  # at least the brand

    statuses = {link: client.get(link).status_code for link in links}

    assert set(statuses.values()) <= {200, 302}, statuses


def test_an_organizer_signing_in_with_a_password_lands_on_their_conferences(client):
    user = organizer_without_a_profile()

    response = client.post(
        reverse("dashboard:staff_login"),
        {"username": user.username, "password": "correct horse battery"},
    )

    assert (response.status_code, response["Location"]) == (302, reverse("organize:index"))


def test_an_organizer_signing_in_with_a_link_lands_on_their_conferences(
    client, django_capture_on_commit_callbacks
):
    user = organizer_with_a_profile()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dashboard:login"), {"email": user.person.email})
    link = re.search(r"https?://[^/\s]+(/login/link/\S+/)", mail.outbox[-1].body)[1]

    response = client.post(link)

    assert (response.status_code, response["Location"]) == (302, reverse("organize:index"))


def test_an_attendee_signing_in_lands_on_their_rounds(client, django_capture_on_commit_callbacks):
    person = PersonFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dashboard:login"), {"email": person.email})
    link = re.search(r"https?://[^/\s]+(/login/link/\S+/)", mail.outbox[-1].body)[1]

    response = client.post(link)

    assert (response.status_code, response["Location"]) == (302, reverse("dashboard:home"))


def test_a_staff_password_sign_in_still_follows_next(client):
    user = organizer_without_a_profile()

    response = client.post(
        reverse("dashboard:staff_login") + "?next=/profile/",
        {"username": user.username, "password": "correct horse battery"},
    )

    assert response["Location"] == "/profile/"
