"""Every dashboard page renders for its owner, holds to the CSP and to basic semantics."""

import re

import pytest
from django.urls import reverse

from tests.attendees.helpers import sign_in
from tests.factories import OrganizerFactory

pytestmark = pytest.mark.django_db

SIGNED_IN_PAGES = [
    ("home", []),
    ("round", ["round"]),
    ("network", []),
    ("profile", []),
    ("blocks", []),
    ("together", []),
    ("data", []),
    ("delete", []),
]
PUBLIC_PAGES = ["login", "login_sent", "staff_login"]


def url_for(name: str, args: list[str], world) -> str:
    return reverse(f"dashboard:{name}", args=[world.round.pk for _ in args])


def assert_strict_html(html: str) -> None:
    """No inline styles or scripts (the CSP refuses them), one h1, a main landmark."""
    assert "style=" not in html
    assert not re.search(r"<style[\s>]", html)
    for tag in re.findall(r"<script[^>]*>", html):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert re.search(r"\son\w+=", html) is None  # no inline event handlers
    assert html.count("<h1") == 1
    assert '<main id="main"' in html


@pytest.mark.parametrize(("name", "args"), SIGNED_IN_PAGES)
def test_each_attendee_page_renders_for_its_owner(client, world, name, args):
    world.hold()
    sign_in(client, world.ann)

    response = client.get(url_for(name, args, world))

    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert_strict_html(response.content.decode())


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_each_sign_in_page_renders_for_anyone(client, name):
    response = client.get(reverse(f"dashboard:{name}"))

    assert response.status_code == 200
    assert_strict_html(response.content.decode())


@pytest.mark.parametrize(("name", "args"), SIGNED_IN_PAGES)
def test_attendee_pages_ask_anonymous_visitors_to_sign_in(client, world, name, args):
    url = url_for(name, args, world)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('dashboard:login')}?next={url}"


def test_a_signed_in_visitor_skips_the_login_page(client, world):
    sign_in(client, world.ann)

    assert client.get(reverse("dashboard:login"))["Location"] == reverse("dashboard:home")


def test_home_lists_my_rounds_with_rsvp_and_points_to_tonights_table(client, world):
    from tests.factories import MeetupRoundFactory

    MeetupRoundFactory(conference=world.conference, name="Second evening")
    sign_in(client, world.ann)

    html = client.get(reverse("dashboard:home")).content.decode()

    assert "Your next table" in html and "Table T1" in html
    assert "Going to Second evening?" in html
    assert "Past conferences" in html and "NECC 2008" in html


def test_the_round_page_shows_the_table_tablemates_and_reasons(client, world):
    sign_in(client, world.ann)

    html = client.get(reverse("dashboard:round", args=[world.round.pk])).content.decode()

    assert "Your table: T1" in html
    assert "You met at NECC 2008 and ISTE 2011" in html
    assert "First time here — also into open source" in html
    assert "Friend of Dana, who is at your table" in html
    assert "Add to calendar" in html
    assert "Who did you actually meet?" not in html  # not held yet


def test_the_round_page_asks_who_i_met_once_held(client, world):
    world.hold()
    sign_in(client, world.ann)

    html = client.get(reverse("dashboard:round", args=[world.round.pk])).content.decode()

    assert "Who did you actually meet?" in html
    assert html.count('type="checkbox" id="met-') == 3


def test_organizers_see_a_link_to_their_pages(client, world):
    organizer = OrganizerFactory(conferences=[world.conference])
    world.ann.user = organizer
    world.ann.save(update_fields=["user"])
    client.force_login(organizer)

    html = client.get(reverse("dashboard:home")).content.decode()

    assert f'href="{reverse("organize:index")}"' in html


def test_a_user_without_an_attendee_profile_is_told_so(client, world):
    client.force_login(OrganizerFactory(conferences=[world.conference]))

    home = client.get(reverse("dashboard:home"))
    profile = client.get(reverse("dashboard:profile"))

    assert home.status_code == 200 and "No attendee profile" in home.content.decode()
    # The header links to the profile: it explains too, rather than a dead end.
    assert profile.status_code == 200 and "No attendee profile" in profile.content.decode()
