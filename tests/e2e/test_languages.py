"""One attendee page, the round page, in each language on a phone (issue 16): chosen on the
profile (which wins over the browser) and, with no profile choice, from the browser."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.attendees.helpers import World

from .browser import check_page, sign_in

THURSDAY_EVENING = dt.datetime(2030, 5, 2, 19, 0, tzinfo=ZoneInfo("Europe/Paris"))

# What the round page says, by language: the html lang, the table heading, the evening in
# the locale's words and order, why Dana sits with Ann, and the link back to the rounds.
PAGES = {
    "en": (
        "Your table: T1",
        "Thursday 2 May, 19:00–21:00",
        "You met at NECC 2008 and ISTE 2011",
        "My rounds",
    ),
    "es": (
        "Tu mesa: T1",
        "jueves 2 de mayo, 19:00–21:00",
        "Os conocisteis en NECC 2008 y ISTE 2011",
        "Mis rondas",
    ),
    "de": (
        "Ihr Tisch: T1",
        "Donnerstag, 2. Mai, 19:00–21:00",
        "Sie haben sich bei NECC 2008 und ISTE 2011 getroffen",
        "Meine Runden",
    ),
    "fr": (
        "Votre table : T1",
        "jeudi 2 mai, 19:00–21:00",
        "Vous vous êtes rencontrés à NECC 2008 et ISTE 2011",
        "Mes soirées",
    ),
}
OTHER = {"en": "de", "es": "fr", "de": "es", "fr": "en"}


@pytest.fixture
def world(transactional_db):
    world = World()
    world.conference.time_zone = "Europe/Paris"
    world.conference.save(update_fields=["time_zone"])
    type(world.round).objects.filter(pk=world.round.pk).update(
        starts_at=THURSDAY_EVENING, ends_at=THURSDAY_EVENING + dt.timedelta(hours=2)
    )
    return world


def user_of(person):
    from django.contrib.auth import get_user_model

    if person.user_id is None:
        person.user = get_user_model().objects.create_user(
            username=person.email, email=person.email
        )
        person.save(update_fields=["user"])
    return person.user


@pytest.mark.parametrize("language", list(PAGES))
@pytest.mark.parametrize("chosen_on", ["profile", "browser"])
def test_the_round_page_in_each_language(page, live_server, world, language, chosen_on):
    if chosen_on == "profile":
        world.ann.language = language
        world.ann.save(update_fields=["language"])
        browser_language = OTHER[language]  # the profile wins over it
    else:
        browser_language = language
    page.set_extra_http_headers({"Accept-Language": f"{browser_language};q=1, en;q=0.5"})
    sign_in(page, live_server, user_of(world.ann))

    page.goto(reverse("dashboard:round", args=[world.round.pk]))

    heading, evening, reason, back = PAGES[language]
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text("Opening night drinks")
    expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    expect(page.locator("main time").first).to_contain_text(evening)
    expect(page.get_by_text(reason)).to_be_visible()
    expect(page.locator(".breadcrumb").get_by_role("link", name=back)).to_be_visible()
    check_page(page, f"i18n-round-{language}-{chosen_on}")
