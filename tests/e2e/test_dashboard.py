"""The attendee dashboard in a real browser, on a phone-sized screen (issue 6).

Each test walks one thing an attendee does and checks every page it passes through with
axe-core; screenshots land in test-artifacts/.
"""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from attendees.enums import EncounterKind, RSVPStatus
from attendees.models import Block, Encounter, RoundRSVP
from tests.attendees.helpers import World
from tests.factories import MeetupRoundFactory

from .browser import check_page, sign_in

LINK = re.compile(r"https?://\S+/login/link/[\w-]+/")


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


def test_sign_in_through_the_link_from_the_outbox(page, live_server, world, mailoutbox):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    check_page(page, "01-sign-in")

    page.get_by_label("Your e-mail address").fill(world.ann.email)
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    check_page(page, "02-sign-in-sent")

    assert [message.to for message in mailoutbox] == [[world.ann.email]]
    link = LINK.search(mailoutbox[0].body).group(0)
    page.goto(link)
    check_page(page, "03-sign-in-link")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ann")
    check_page(page, "04-home")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    check_page(page, "04b-sign-in-link-used")


def test_staff_sign_in_with_a_password(page, live_server, world):
    from tests.factories import OrganizerFactory

    OrganizerFactory(username="olivia", conferences=[world.conference])
    page.goto("/login/")
    page.get_by_role("link", name="Sign in with a password").click()
    check_page(page, "15-staff-sign-in")

    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()

    # An organizer lands on their conferences.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your conferences")
    page.get_by_role("link", name="My rounds").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("No attendee profile")
    expect(page.get_by_role("link", name="Organize", exact=True)).to_be_visible()
    check_page(page, "16-no-attendee-profile")


def test_rsvp_with_the_toggle(page, live_server, world):
    second = MeetupRoundFactory(conference=world.conference, name="Second evening")
    sign_in(page, live_server, user_of(world.ann))
    page.goto("/")

    going = page.get_by_role("button", name="Going", exact=True)
    going.click()
    expect(page.get_by_role("button", name="Going", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator(f"#rsvp-{second.pk} [role=status]")).to_have_text("Saved. You are going.")
    assert RoundRSVP.objects.get(person=world.ann, round=second).status == RSVPStatus.GOING

    # The same with the keyboard only.
    page.get_by_role("button", name="Not going").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#rsvp-{second.pk} [role=status]")).to_have_text(
        "Saved. You are not going."
    )
    expect(page.locator(f"#rsvp-{second.pk} [role=status]")).to_be_focused()
    assert RoundRSVP.objects.get(person=world.ann, round=second).status == RSVPStatus.NOT_GOING
    check_page(page, "05-rsvp")


def test_tonights_table_with_who_and_why(page, live_server, world):
    sign_in(page, live_server, user_of(world.ann))
    page.goto("/")

    page.get_by_role("link", name="See who is at your table").click()

    expect(page.get_by_role("heading", name="Your table: T1")).to_be_visible()
    mates = page.locator(".tablemate")
    expect(mates).to_have_count(3)
    expect(mates.nth(0)).to_contain_text("You met at NECC 2008 and ISTE 2011")
    expect(mates.nth(1)).to_contain_text("First time here — also into open source")
    expect(mates.nth(2)).to_contain_text("Friend of Dana, who is at your table")
    check_page(page, "06-my-table")

    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "SUMMARY:Opening night drinks: table T1" in text


def test_confirm_who_i_met(page, live_server, world):
    world.hold()
    sign_in(page, live_server, user_of(world.ann))
    page.goto(f"/rounds/{world.round.pk}/")

    expect(page.get_by_role("heading", name="Who did you actually meet?")).to_be_visible()
    page.get_by_role("checkbox", name="Nia Obi").check()
    expect(page.get_by_role("checkbox", name="Nia Obi")).to_be_disabled()
    expect(page.locator("#met-panel")).to_contain_text("Saved")

    page.get_by_label("Someone from another table").fill("Zoe")
    page.get_by_role("button", name="We met Zoe Park").click()
    expect(page.locator("#met-panel")).to_contain_text("You also met: Zoe Park.")
    check_page(page, "07-who-i-met")

    met = Encounter.objects.filter(kind=EncounterKind.MET, round=world.round)
    assert sorted(
        {e.person_a_id, e.person_b_id}.difference({world.ann.pk}).pop() for e in met
    ) == sorted([world.nia.pk, world.zoe.pk])


def test_block_someone_privately(page, live_server, world):
    sign_in(page, live_server, user_of(world.ann))
    page.goto("/profile/")
    page.get_by_role("link", name="Blocked people").click()
    check_page(page, "08-blocks-empty")

    page.get_by_label("Name of someone at your conferences").fill("Zoe")
    page.get_by_role("button", name="Block Zoe Park").click()

    expect(page.locator("#blocks-panel [role=status]")).to_have_text(
        "You blocked Zoe Park. You will not be seated together."
    )
    expect(page.locator("#blocks-panel [role=status]")).to_be_focused()
    expect(page.get_by_role("button", name="Unblock Zoe Park")).to_be_visible()
    assert Block.objects.filter(blocker=world.ann, blocked=world.zoe).exists()
    check_page(page, "09-blocks")


def test_the_matcher_respects_a_block_made_on_the_dashboard(page, live_server, world):
    from conferences.enums import RoundStatus
    from matching.services.lifecycle import round_publish
    from matching.services.runs import run_request
    from tests.factories import DrinkTableFactory, EncounterFactory, OrganizerFactory

    # Ann and Zoe are the only old friends in the room, so the matcher would seat them together.
    second = MeetupRoundFactory(
        conference=world.conference, name="Second evening", status=RoundStatus.OPEN
    )
    tables = [
        DrinkTableFactory(conference=world.conference, label=f"S{n}", capacity=4) for n in (1, 2)
    ]
    second.tables.set(tables)
    EncounterFactory(person_a=world.ann, person_b=world.zoe, conference=world.iste)
    for person in (world.ann, world.zoe, world.nia, world.ben, world.dana, world.omar):
        RoundRSVP.objects.create(person=person, round=second, status=RSVPStatus.GOING)
    organizer = OrganizerFactory(conferences=[world.conference])

    sign_in(page, live_server, user_of(world.ann))
    page.goto("/profile/blocks/")
    page.get_by_label("Name of someone at your conferences").fill("Zoe")
    page.get_by_role("button", name="Block Zoe Park").click()
    expect(page.get_by_role("button", name="Unblock Zoe Park")).to_be_visible()

    run = run_request(round_id=second.pk, by=organizer, seed=1, time_limit_s=2).run
    run.refresh_from_db()
    round_publish(round_id=second.pk, by=organizer, run_id=run.pk)

    page.goto(f"/rounds/{second.pk}/")
    expect(page.get_by_role("heading", name=re.compile("Your table: S"))).to_be_visible()
    expect(page.locator(".tablemate").first).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Zoe Park")
    seats = {s.person_id: s.table_id for s in run.seats.all()}
    assert seats[world.ann.pk] != seats[world.zoe.pk]


def test_export_my_data(page, live_server, world):
    services_block = Block.objects.create(blocker=world.ann, blocked=world.zoe)
    sign_in(page, live_server, user_of(world.ann))
    page.goto("/profile/data/")
    check_page(page, "10-my-data")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON)").click()

    assert download.value.suggested_filename.startswith("drinktables-my-data-")
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["profile"]["full_name"] == "Ann Lee"
    assert [b["blocked"] for b in data["blocks"]] == [services_block.blocked.full_name]


def test_network_as_a_graph_and_a_list(page, live_server, world):
    sign_in(page, live_server, user_of(world.dana))
    page.goto("/network/")

    graph = page.locator("#network-graph[data-ready=true]")
    expect(graph).to_have_attribute("data-nodes", "3")  # Dana, Ann and Omar
    assert graph.locator("canvas").count() > 0
    expect(page.get_by_role("heading", name="ISTE 2011")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("2011")
    check_page(page, "11-network")


def test_profile_keyboard_and_sit_together(page, live_server, world):
    sign_in(page, live_server, user_of(world.ann))
    page.goto("/profile/")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.get_by_role("textbox", name="Organization").fill("Open Classroom Foundation")
    page.get_by_label("STEM").check()
    page.get_by_label("I need an accessible table").check()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status")).to_have_text("Your profile is saved.")
    check_page(page, "12-profile")
    world.ann.refresh_from_db()
    assert world.ann.organization == "Open Classroom Foundation"
    assert world.ann.needs_accessible_seating

    page.get_by_role("link", name="Sit together").click()
    page.get_by_label("Name of someone at your next conference").fill("Nia")
    page.get_by_role("button", name=re.compile("Sit with Nia Obi")).click()
    expect(page.locator("#together-panel")).to_contain_text("Waiting for them to ask too")
    check_page(page, "13-sit-together")


def test_delete_my_account(page, live_server, world):
    sign_in(page, live_server, user_of(world.ann))
    page.goto("/profile/data/")
    page.get_by_role("link", name="Delete my account…").click()
    check_page(page, "14-delete")

    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete my account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("status")).to_contain_text("Your account is deleted.")
    world.ann.refresh_from_db()
    assert world.ann.deleted_at is not None
