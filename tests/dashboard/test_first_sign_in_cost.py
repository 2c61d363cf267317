"""A first sign-in right after a publish: hundreds a minute, each as cheap as it can be, and
none of them throwing away what the others' pages have cached (bench/bench_spike.py measures
the spike itself)."""

import datetime as dt
import re
import secrets

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attendees.models import LoginLink, hash_secret
from config import sessions
from tests.attendees.helpers import sign_in

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def fresh_link(person) -> str:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    LoginLink.objects.create(
        email=person.email,
        token_hash=hash_secret(token),
        sent_at=now,
        expires_at=now + dt.timedelta(hours=1),
    )
    return reverse("dashboard:login_link", args=[token])


def sign_in_by_link(client, person):
    """The attendee's two steps: the link's page, then its button."""
    link = fresh_link(person)
    page = client.get(link)
    assert page.status_code == 200
    csrf = CSRF.search(page.content.decode())[1]
    return client.post(link, {"csrfmiddlewaretoken": csrf})


def round_page(client, world) -> str:
    response = client.get(reverse("dashboard:round", args=[world.round.pk]))
    assert response.status_code == 200
    return response.content.decode()


def table_queries(queries) -> list[str]:
    """The queries that read a table as seated (its seats with the people, and what follows)."""
    return [q["sql"] for q in queries.captured_queries if "attendees_person_topics" in q["sql"]]


def test_a_first_sign_in_makes_the_account_and_writes_the_session_once(client, world):
    with CaptureQueriesContext(connection) as queries:
        response = sign_in_by_link(client, world.zoe)

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    world.zoe.refresh_from_db()
    user = world.zoe.user
    assert user is not None and user.last_login is not None
    key = client.cookies["sessionid"].value
    stored = Session.objects.get(session_key=key)
    assert stored.get_decoded()["_auth_user_id"] == str(user.pk)
    session_writes = [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")
    ]
    assert len(session_writes) == 1 and session_writes[0].startswith("INSERT")
    user_updates = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "auth_user"')
    ]
    assert user_updates == []  # last_login went in with the account
    assert round_page(client, world)  # signed in


def test_a_later_sign_in_moves_last_login_on(client, world):
    sign_in_by_link(client, world.zoe)
    world.zoe.refresh_from_db()
    first = world.zoe.user.last_login
    user_model = get_user_model()
    user_model.objects.filter(pk=world.zoe.user_id).update(last_login=first - dt.timedelta(days=1))
    client.logout()

    sign_in_by_link(client, world.zoe)

    assert user_model.objects.get(pk=world.zoe.user_id).last_login >= first


def test_a_staff_account_made_earlier_still_lands_on_the_organizer_pages(client, world):
    from tests.factories import OrganizerFactory

    organizer = OrganizerFactory()
    world.conference.organizers.add(organizer)
    world.zoe.user = organizer
    world.zoe.save(update_fields=["user"])

    response = sign_in_by_link(client, world.zoe)

    assert response["Location"] == reverse("organize:index")


def test_first_sign_ins_keep_the_tables_others_have_cached(client, world):
    from django.test import Client

    sign_in(client, world.ann)
    round_page(client, world)  # Ann's table is cached now

    for person in (world.zoe, world.ben):  # newcomers to the site sign in meanwhile
        sign_in_by_link(Client(), person)

    with CaptureQueriesContext(connection) as again:
        round_page(client, world)
    assert table_queries(again) == []


def test_tablemates_share_one_read_of_their_table_and_each_gets_their_own_reasons(client, world):
    from django.test import Client

    sign_in(client, world.ann)
    with CaptureQueriesContext(connection) as first:
        ann_sees = round_page(client, world)
    dana = sign_in(Client(), world.dana)
    with CaptureQueriesContext(connection) as second:
        dana_sees = round_page(dana, world)

    assert table_queries(first) != []
    assert table_queries(second) == []  # Ann's visit read the table for everyone at it
    assert "Dana Kim" in ann_sees and 'aria-label="Why Ann Lee is at your table"' in dana_sees
    assert 'aria-label="Why Dana Kim is at your table"' not in dana_sees
    assert "You met at NECC 2008 and ISTE 2011" in dana_sees  # Dana's own history with Ann


def test_a_taken_session_key_is_drawn_again(client, world, monkeypatch):
    taken = "k" * 32
    Session.objects.create(
        session_key=taken, session_data="", expire_date=timezone.now() + dt.timedelta(days=1)
    )
    keys = iter([taken, "f" * 32])
    monkeypatch.setattr(sessions, "get_random_string", lambda *args: next(keys))

    response = sign_in_by_link(client, world.zoe)

    assert response.status_code == 302
    assert client.cookies["sessionid"].value == "f" * 32
    assert Session.objects.get(session_key=taken).session_data == ""  # untouched


def test_after_a_first_sign_in_the_pages_ask_for_the_user_and_the_round_with_the_seat(
    client, world
):
    sign_in_by_link(client, world.zoe)
    calendar = reverse("dashboard:round_calendar", args=[world.round.pk])

    with CaptureQueriesContext(connection) as page:
        round_page(client, world)
    with CaptureQueriesContext(connection) as ics:
        assert client.get(calendar).status_code == 200

    # The new account organizes nothing, and the sign-in said so: the header asks no query.
    assert not any("conferences_conference_organizers" in q["sql"] for q in page.captured_queries)
    # The table is cached by then; past the session (in the database without a shared cache):
    # the session's user, then the round with the person's seat.
    asked = [q["sql"] for q in ics.captured_queries if "django_session" not in q["sql"]]
    assert len(asked) == 2
    assert '"auth_user"' in asked[0] and "matching_seat" in asked[1]


def test_a_new_account_made_an_organizer_gets_the_organizer_pages_link(client, world):
    sign_in_by_link(client, world.zoe)
    round_page(client, world)  # "organizes nothing" is known and cached
    world.zoe.refresh_from_db()

    world.conference.organizers.add(world.zoe.user)

    assert reverse("organize:index") in round_page(client, world)
