"""The holes found by probing (issue 12), each closed and kept closed.

Password sign-in limits on every door, look-alike e-mail addresses, API tokens and signing out
everywhere, hostile input that used to answer 500, and the same mistake answered the same on
the attendee pages and in the API.
"""

import base64
import json

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from attendees import services
from attendees.emails import InvalidEmail, email_normalize
from attendees.imports import import_batch_create
from attendees.models import ApiToken, Person
from attendees.tokens import api_token_create
from conferences.enums import ImportKind
from conferences.models import DrinkTable, MeetupRound
from config.exceptions import ServiceError
from tests.api.support import attendee_of
from tests.factories import (
    ConferenceFactory,
    EncounterFactory,
    OrganizerFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


# Password sign-in: one set of limits, whatever the door -----------------------------------------


def _sign_in(door: str, username: str, password: str, ip: str = "198.51.100.7"):
    client = Client()
    url = reverse("admin:login") if door == "admin" else reverse("dashboard:staff_login")
    return client, client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_admin_sign_in_is_limited_and_answers_429_with_retry_after(settings):
    settings.STAFF_LOGIN_RATE_PER_USERNAME = 3
    OrganizerFactory(username="olivia")
    for number in range(3):
        assert _sign_in("admin", "olivia", "wrong", ip=f"198.51.100.{number}")[1].status_code == 200

    client, response = _sign_in("admin", "olivia", PASSWORD, ip="198.51.100.99")

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_and_the_staff_sign_in_share_one_counter(settings):
    settings.STAFF_LOGIN_RATE_PER_USERNAME = 4
    OrganizerFactory(username="olivia")
    for number, door in enumerate(["admin", "staff", "admin", "staff"]):
        _sign_in(door, "olivia", "wrong", ip=f"198.51.100.{number}")

    assert _sign_in("staff", "olivia", PASSWORD, ip="203.0.113.1")[1].status_code == 429
    assert _sign_in("admin", "olivia", PASSWORD, ip="203.0.113.2")[1].status_code == 429


def test_look_alike_usernames_share_one_counter(settings):
    settings.STAFF_LOGIN_RATE_PER_USERNAME = 3
    OrganizerFactory(username="olivia")
    # Upper case, full-width letters (NFKC folds them) and the Kelvin-style compatibility forms.
    for number, name in enumerate(["OLIVIA", "Ｏｌｉｖｉａ", "oLiViA"]):
        _sign_in("admin", name, "wrong", ip=f"198.51.100.{number}")

    assert _sign_in("admin", "olivia", PASSWORD, ip="203.0.113.9")[1].status_code == 429


def test_no_door_can_check_a_password_past_the_limit(settings, rf):
    from django.contrib.auth import authenticate

    settings.STAFF_LOGIN_RATE_PER_USERNAME = 2
    user = OrganizerFactory(username="olivia")
    request = rf.post("/anywhere/", REMOTE_ADDR="198.51.100.1")
    assert authenticate(request, username="olivia", password="wrong") is None
    assert authenticate(request, username="olivia", password="wrong") is None

    assert authenticate(request, username="olivia", password=PASSWORD) is None
    settings.STAFF_LOGIN_RATE_PER_USERNAME = 10
    assert authenticate(request, username="olivia", password=PASSWORD) == user


def test_the_sign_in_link_form_says_when_to_retry(client, settings):
    settings.LOGIN_LINK_RATE_PER_IP_UNKNOWN = 1
    client.post(reverse("dashboard:login"), {"email": "a@example.org"})

    response = client.post(reverse("dashboard:login"), {"email": "b@example.org"})

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"


# Look-alike e-mail addresses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Ann@Example.ORG", "ann@example.org"),
        ("ſam@example.org", "sam@example.org"),  # long s: NFKC makes it an s
        ("Ｂｏｂ@example.org", "bob@example.org"),  # full-width letters
        ("joe@MÜLLER.de", "joe@müller.de"),  # IDNA for the domain
        ("иван@почта.рф", "иван@почта.рф"),  # one script throughout is fine
        ("straße@example.de", "straße@example.de"),  # lower-cased, never ß → ss
    ],
)
def test_addresses_have_one_canonical_form(typed, canonical):
    assert email_normalize(typed) == canonical


@pytest.mark.parametrize(
    "look_alike",
    [
        "admın@example.org",  # dotless ı: PostgreSQL's UPPER makes it I
        "pаypal@example.org",  # Cyrillic а among Latin letters
        "ann@exаmple.org",  # the same in the domain
        "a\u200bnn@example.org",  # an invisible zero-width space
    ],
)
def test_look_alike_addresses_are_refused_with_a_reason(look_alike):
    with pytest.raises(InvalidEmail):
        email_normalize(look_alike)
    with pytest.raises(ServiceError):
        services.login_link_request(email=look_alike, ip=None, base_url="http://t")


def test_a_look_alike_account_is_never_linked_to_a_person(django_capture_on_commit_callbacks):
    """On PostgreSQL ``email__iexact`` matches admın@ with admin@ (UPPER('ı') = 'I'); the link
    compares canonical forms exactly, on SQLite and PostgreSQL alike."""
    User = get_user_model()
    look_alike = User.objects.create(username="someone", email="admın@example.org")
    person = PersonFactory(email="admin@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.login_link_request(email="ADMIN@example.org", ip=None, base_url="http://t")
    token = mail.outbox[-1].body.split("/login/link/")[1].split("/")[0]

    user = services.login_link_consume(token=token)

    assert user != look_alike
    person.refresh_from_db()
    assert (person.user, user.email) == (user, "admin@example.org")
    assert Person.objects.filter(user=look_alike).count() == 0


def test_the_same_address_in_another_spelling_is_the_same_person(
    django_capture_on_commit_callbacks,
):
    person = PersonFactory(email="sam@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.login_link_request(email="ſAM@Example.org", ip=None, base_url="http://t")

    assert [m.to for m in mail.outbox] == [["sam@example.org"]]
    assert person.email == "sam@example.org"


# API tokens and signing out everywhere -----------------------------------------------------------


def test_signing_out_everywhere_revokes_api_tokens(client):
    conference = ConferenceFactory()
    ann = attendee_of(conference, full_name="Ann Lee")
    ann.user.set_unusable_password()  # attendees sign in by e-mail link
    ann.user.save()
    _, key = api_token_create(user=ann.user, name="phone")
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200
    client.force_login(ann.user)

    client.post(reverse("dashboard:sign_out_everywhere"))

    assert api.get("/api/v1/me/").status_code == 401
    assert ApiToken.objects.filter(user=ann.user).count() == 0


def test_a_token_cannot_create_another_token():
    user = UserFactory()
    _, key = api_token_create(user=user, name="script")

    response = APIClient(HTTP_AUTHORIZATION=f"Token {key}").post(
        "/api/v1/tokens/", {"name": "more"}, format="json"
    )

    assert response.status_code == 403
    assert "signed-in session" in response.json()["detail"]
    assert ApiToken.objects.filter(user=user).count() == 1
    session = APIClient()
    session.force_login(user)
    assert session.post("/api/v1/tokens/", {"name": "more"}, format="json").status_code == 201


# Hostile input ----------------------------------------------------------------------------------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [33, 5000, 200_000])
def test_deeply_nested_json_is_a_400_on_every_api_write(depth):
    """Every API route, with every write method, as its owner: never a 500."""
    from tests.security.test_idor import API, patterns_with_parameters

    conference = ConferenceFactory(slug="deep")
    organizer = OrganizerFactory(conferences=[conference])
    client = APIClient()
    client.force_authenticate(organizer)
    body = _nested(depth)
    urls = ["/api/v1/me/", "/api/v1/tokens/", "/api/v1/me/blocks/", "/api/v1/people/"]
    urls += [
        reverse(
            name, kwargs={k: ("deep" if "slug" in k else 1) for k in pattern.pattern.converters}
        )
        for name, pattern in patterns_with_parameters().items()
        if name in API
    ]
    for url in urls:
        for method in ("post", "put", "patch"):
            response = getattr(client, method)(url, body, content_type="application/json")
            assert response.status_code in (400, 404, 405), (method, url, response.status_code)
            if response.status_code == 400:
                assert "nests deeper than 32 levels" in response.json()["detail"]


def test_json_nested_as_deep_as_a_request_needs_still_works():
    assert json.loads(_nested(32))
    conference = ConferenceFactory(slug="deep")
    client = APIClient()
    client.force_authenticate(OrganizerFactory(conferences=[conference]))
    response = client.post(
        "/api/v1/conferences/deep/tables/", {"label": "T1", "capacity": 6}, format="json"
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "cursor",
    [
        base64.b64encode(b"p=not-a-date").decode(),
        base64.b64encode(b"p=9999-99-99&o=1").decode(),
        base64.b64encode(b"r=x").decode(),
        base64.b64encode(b"o=-5").decode(),
        "%%%not-base64",
        base64.b64encode("p=\u00e9".encode()).decode(),
    ],
)
def test_a_tampered_cursor_is_a_404_not_a_500(cursor):
    conference = ConferenceFactory()
    ann = attendee_of(conference, full_name="Ann Lee")
    EncounterFactory(person_a=ann, conference=conference)
    client = APIClient()
    client.force_authenticate(ann.user)

    response = client.get("/api/v1/me/encounters/", {"cursor": cursor})

    assert response.status_code == 404
    assert response.json()["detail"] == "Invalid cursor"


def test_a_csv_header_over_the_field_limit_previews_with_a_clear_error(client):
    conference = ConferenceFactory(slug="big")
    organizer = OrganizerFactory(conferences=[conference])
    client.force_login(organizer)
    batch = import_batch_create(
        conference_id=conference.pk,
        kind=ImportKind.REGISTRATIONS,
        filename="huge.csv",
        content=b"email," + b"x" * 200_000 + b"\nann@example.org,Ann\n",
        by=organizer,
    )

    preview = client.get(reverse("organize:import_preview", args=["big", batch.pk]))
    confirm = client.post(
        reverse("organize:import_confirm", args=["big", batch.pk]),
        {"created": 0, "updated": 0, "unchanged": 0},
    )

    assert preview.status_code == 200
    assert "The header line cannot be read as CSV" in preview.content.decode()
    assert confirm.status_code == 400
    assert not Person.objects.exists()


@pytest.mark.parametrize("name", ["Evening\nSubject: spam", "Evening\r\nBcc: x", "Two\u2028lines"])
def test_names_with_line_breaks_are_refused_at_every_door(client, name):
    conference = ConferenceFactory(slug="lines")
    organizer = OrganizerFactory(conferences=[conference])
    api = APIClient()
    api.force_authenticate(organizer)
    base = "/api/v1/conferences/lines"

    table = api.post(f"{base}/tables/", {"label": name[:40]}, format="json")
    meetup = api.post(
        f"{base}/rounds/",
        {"name": name, "starts_at": "2026-06-30T18:00:00Z", "ends_at": "2026-06-30T20:00:00Z"},
        format="json",
    )
    renamed = api.patch(f"{base}/", {"name": name}, format="json")
    client.force_login(organizer)
    admin_table = client.post(
        reverse("admin:conferences_drinktable_add"),
        {"conference": conference.pk, "label": name[:40], "capacity": 8, "active": "on"},
    )

    assert (table.status_code, meetup.status_code, renamed.status_code) == (400, 400, 400)
    assert table.json()["errors"] == {"label": [table.json()["detail"]]}
    assert "Keep this on one line" in meetup.json()["detail"]
    assert admin_table.status_code == 200
    assert "Keep this on one line" in admin_table.content.decode()
    assert not DrinkTable.objects.exists() and not MeetupRound.objects.exists()
    conference.refresh_from_db()
    assert "\n" not in conference.name


# The same mistake, the same answer --------------------------------------------------------------


def test_blocking_yourself_is_the_same_400_on_the_page_and_in_the_api(client):
    conference = ConferenceFactory()
    ann = attendee_of(conference, full_name="Ann Lee")
    client.force_login(ann.user)
    api = APIClient()
    api.force_authenticate(ann.user)

    page = client.post(reverse("dashboard:blocks"), {"person": ann.pk})
    htmx = client.post(reverse("dashboard:blocks"), {"person": ann.pk}, HTTP_HX_REQUEST="true")
    answer = api.post("/api/v1/me/blocks/", {"person": ann.pk}, format="json")

    assert (page.status_code, htmx.status_code, answer.status_code) == (400, 400, 400)
    assert answer.json()["errors"] == {"person": ["You cannot block yourself."]}
    assert "You cannot block yourself." in page.content.decode()
    assert "You cannot block yourself." in htmx.content.decode()


def test_blocking_a_stranger_is_the_same_400_as_blocking_nobody(client):
    conference = ConferenceFactory()
    ann = attendee_of(conference, full_name="Ann Lee")
    stranger = attendee_of(ConferenceFactory(), full_name="Sven Secret")
    client.force_login(ann.user)
    api = APIClient()
    api.force_authenticate(ann.user)

    answers = [
        (
            client.post(reverse("dashboard:blocks"), {"person": pk}).status_code,
            api.post("/api/v1/me/blocks/", {"person": pk}, format="json").json(),
        )
        for pk in (stranger.pk, 999_999)
    ]

    assert answers[0] == answers[1]
    assert answers[0][0] == 400
    assert "Sven" not in json.dumps(answers[0][1])


def test_a_seated_table_cannot_be_deleted_even_bypassing_the_services():
    from django.db import IntegrityError, connection, transaction
    from django.db.models import RestrictedError

    from tests.factories import SeatFactory

    seat = SeatFactory()
    with pytest.raises(RestrictedError):
        seat.table.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            table = DrinkTable._meta.db_table
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [seat.table_id])
        connection.check_constraints()
    assert DrinkTable.objects.filter(pk=seat.table_id).exists()


def test_deleting_a_round_or_conference_still_takes_its_seats_along():
    from matching.models import Seat
    from tests.factories import SeatFactory

    seat = SeatFactory()
    seat.run.round.conference.delete()
    assert not Seat.objects.exists()


def test_stored_addresses_are_made_canonical_unless_someone_has_that_form():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("attendees.migrations.0005_canonical_emails")
    wide, clash, plain = PersonFactory(), PersonFactory(), PersonFactory(email="bo@example.org")
    Person.objects.filter(pk=wide.pk).update(email="ｗｉｄｅ@example.org")
    Person.objects.filter(pk=clash.pk).update(email="ｂｏ@example.org")

    migration.canonical_emails(apps, None)

    assert dict(Person.objects.values_list("pk", "email")) == {
        wide.pk: "wide@example.org",
        clash.pk: "ｂｏ@example.org",  # bo@example.org is someone else's: left for a person
        plain.pk: "bo@example.org",
    }
