"""In a real browser: hostile names stay text, and no page breaks the Content-Security-Policy.

The ``page`` fixture fails a test on any CSP violation, JavaScript error or failed
sub-resource, so walking every page as the user who may see it is the CSP check.
"""

import pytest
from playwright.sync_api import expect

from attendees.imports import import_batch_create
from conferences.enums import ImportKind
from tests.attendees.helpers import World
from tests.factories import OrganizerFactory

from .browser import sign_in
from .test_dashboard import user_of

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


@pytest.fixture
def world(transactional_db):
    world = World()
    world.organizer = OrganizerFactory(conferences=[world.conference])
    world.hold()
    return world


def test_a_hostile_name_shows_as_text_and_runs_nothing(page, live_server, world):
    world.dana.full_name = f"{SCRIPT}Dana{IMG}"
    world.dana.bio = f"{IMG} keeps bees"
    world.dana.save(update_fields=["full_name", "bio"])
    world.t1.label = f"{IMG}T1"[:40]
    world.t1.save(update_fields=["label"])
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    sign_in(page, live_server, user_of(world.ann))
    page.goto(f"/rounds/{world.round.pk}/")
    expect(page.locator(".tablemate").first).to_contain_text(f"{SCRIPT}Dana{IMG}")
    expect(page.locator(".tablemate").first).to_contain_text(f"{IMG} keeps bees")
    page.goto("/network/")
    expect(page.locator("#network-circle")).to_have_count(1)
    expect(page.locator("main")).to_contain_text(f"{SCRIPT}Dana{IMG}")

    sign_in(page, live_server, world.organizer)
    page.goto(f"/organize/rounds/{world.round.pk}/plan/")
    expect(page.locator("main")).to_contain_text(f"{SCRIPT}Dana{IMG}")
    page.goto(f"/organize/rounds/{world.round.pk}/cards/")
    expect(page.locator("main")).to_contain_text(f"{SCRIPT}Dana{IMG}")

    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []


def _walk(page, urls: list[str]) -> None:
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status < 400, f"{url}: {response.status}"
        page.wait_for_load_state("networkidle")


def test_every_attendee_page_keeps_to_the_csp(page, live_server, world):
    round_pk = world.round.pk
    _walk(page, ["/login/", "/login/sent/", "/login/staff/"])
    sign_in(page, live_server, user_of(world.ann))
    _walk(
        page,
        [
            "/",
            f"/rounds/{round_pk}/",
            f"/rounds/{round_pk}/?q=Zoe",
            "/network/",
            "/profile/",
            "/profile/blocks/?q=Zoe",
            "/profile/together/?q=Zoe",
            "/profile/data/",
            "/profile/delete/",
        ],
    )


def test_every_organizer_page_keeps_to_the_csp(page, live_server, world):
    batch = import_batch_create(
        conference_id=world.conference.pk,
        kind=ImportKind.REGISTRATIONS,
        filename="people.csv",
        content=b"email,full_name\nnew@example.org,New Person\n",
        by=world.organizer,
    )
    slug, round_pk = world.conference.slug, world.round.pk
    sign_in(page, live_server, world.organizer)
    _walk(
        page,
        [
            "/organize/",
            f"/organize/rounds/{round_pk}/plan/",
            f"/organize/rounds/{round_pk}/cards/",
            f"/organize/rounds/{round_pk}/check-in/",
            f"/organize/conferences/{slug}/insights/",
            f"/organize/conferences/{slug}/import/registrations/",
            f"/organize/conferences/{slug}/import/encounters/",
            f"/organize/conferences/{slug}/imports/{batch.pk}/",
            "/admin/",
            "/admin/conferences/meetupround/",
            "/admin/attendees/attendance/import/",
        ],
    )
