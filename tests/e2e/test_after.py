"""Calendar subscription and "who did you meet" undo in a real browser at 390 px."""

import re

import pytest
from playwright.sync_api import expect

from attendees.enums import EncounterKind
from attendees.models import CalendarFeed, Encounter, hash_secret
from tests.attendees.helpers import World

from .browser import check_page, sign_in


@pytest.fixture
def world(transactional_db):
    return World()


def user_of(person):
    from django.contrib.auth import get_user_model

    if person.user_id is None:
        person.user = get_user_model().objects.create_user(
            username=person.email, email=person.email
        )
        person.save(update_fields=["user"])
    return person.user


def test_make_a_calendar_link_and_copy_it(page, live_server, world):
    sign_in(page, live_server, user_of(world.ann))
    page.goto(f"/rounds/{world.round.pk}/")
    page.get_by_role("link", name="Or subscribe: all your tables, kept up to date").click()
    expect(page.get_by_role("heading", name="My calendar")).to_be_visible()
    page.get_by_role("button", name="Make my calendar link").click()

    webcal = page.get_by_label("For your phone or calendar app")
    expect(webcal).to_be_visible()
    value = webcal.input_value()
    assert value.startswith("webcal://")
    token = value.rsplit("/", 1)[1].removesuffix(".ics")
    assert CalendarFeed.objects.get(person=world.ann).token_hash == hash_secret(token)
    page.get_by_role("button", name="Copy").first.click()
    expect(page.locator("[data-copy-status]")).to_have_text(
        re.compile("Copied.|Select the link and copy it.")
    )
    check_page(page, "calendar-link")

    feed = page.request.get(value.replace("webcal://", "http://", 1))
    assert feed.status == 200
    assert "SUMMARY:Opening night drinks: table T1" in feed.text()


def test_undo_a_tick_on_the_round_page(page, live_server, world):
    world.hold()
    sign_in(page, live_server, user_of(world.ann))
    page.goto(f"/rounds/{world.round.pk}/")
    nia = page.get_by_role("checkbox", name="Nia Obi")
    nia.check()
    expect(nia).to_be_disabled()
    page.get_by_role("button", name="Undo meeting Nia Obi").click()
    expect(page.locator("#met-panel")).to_contain_text("Taken back.")
    expect(page.get_by_role("checkbox", name="Nia Obi")).to_be_enabled()
    expect(page.get_by_role("checkbox", name="Nia Obi")).not_to_be_checked()
    check_page(page, "met-undo")
    assert not Encounter.objects.filter(round=world.round, kind=EncounterKind.MET).exists()
