"""/me/calendar/: my calendar subscription through the API."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from attendees.models import CalendarFeed, hash_secret
from attendees.tokens import api_token_create

from .support import assert_error, client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/calendar/"


def test_no_subscription_yet(attendee):
    response = client_for(attendee.user).get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "subscribed": False,
        "prefix": None,
        "created_at": None,
        "last_used_at": None,
    }


def test_make_one_its_address_is_shown_once_and_it_works(attendee):
    api = client_for(attendee.user)
    made = api.post(URL)
    assert made.status_code == 201
    assert made["Cache-Control"] == "no-store"
    body = made.json()
    assert body["subscribed"] is True
    assert body["webcal"].startswith("webcal://testserver/calendar/dtcal_")
    assert body["url"] == "http://" + body["webcal"].removeprefix("webcal://")
    token = body["url"].rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(person=attendee)
    assert feed.token_hash == hash_secret(token)
    assert body["prefix"] == feed.prefix == token[:10]
    assert Client().get(body["url"].removeprefix("http://testserver")).status_code == 200

    shown = api.get(URL).json()
    assert shown["subscribed"] is True
    assert token not in str(shown)


def test_reset_and_turn_off(attendee):
    api = client_for(attendee.user)
    first = api.post(URL).json()["url"].removeprefix("http://testserver")
    second = api.post(URL).json()["url"].removeprefix("http://testserver")
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    assert api.delete(URL).status_code == 204
    assert Client().get(second).status_code == 404
    assert api.delete(URL).status_code == 204
    assert api.get(URL).json()["subscribed"] is False


def test_an_api_token_cannot_make_a_calendar_link(attendee):
    _, key = api_token_create(user=attendee.user, name="script")
    with_token = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert_error(with_token.post(URL), 403)
    assert not CalendarFeed.objects.exists()
    assert with_token.get(URL).status_code == 200


def test_strangers_and_people_without_a_profile(organizer):
    assert_error(client_for(None).get(URL), 401)
    assert_error(client_for(organizer).post(URL), 404)
