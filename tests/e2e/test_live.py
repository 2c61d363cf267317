"""After publishing, in a real browser on a 390 px phone screen: a late RSVP is seated and can
say "I can't come"; the organizer's door page checks people in and seats a walk-in."""

import re

import pytest
from playwright.sync_api import expect

from attendees.models import Attendance, RoundRSVP
from conferences.enums import RoundStatus
from matching.models import Seat
from matching.services import lifecycle, runs
from tests.factories import OrganizerFactory, PersonFactory
from tests.matching.scenario import build_round

from .browser import check_page, sign_in


@pytest.fixture
def evening(transactional_db):
    organizer = OrganizerFactory(username="olivia")
    scenario = build_round(organizer=organizer, label="live")
    runs.run_request(round_id=scenario.round.pk, by=None, time_limit_s=0.5, seed=7)
    lifecycle.round_transition(round_id=scenario.round.pk, to=RoundStatus.PUBLISHED, by=None)
    scenario.round.refresh_from_db()
    assert scenario.round.status == RoundStatus.PUBLISHED
    return scenario


def user_of(person):
    from django.contrib.auth import get_user_model

    person.user = get_user_model().objects.create_user(username=person.email, email=person.email)
    person.save(update_fields=["user"])
    return person.user


def test_a_late_rsvp_is_seated_then_cant_come(page, live_server, evening, mailoutbox):
    late = PersonFactory(full_name="Lou Late", email="lou@example.org")
    Attendance.objects.create(person=late, conference=evening.conference)
    sign_in(page, live_server, user_of(late))
    mailoutbox.clear()

    page.goto(f"/rounds/{evening.round.pk}/")
    check_page(page, "live-01-late-rsvp")
    page.get_by_role("button", name="I'm coming").click()

    table = Seat.objects.get(run=evening.round.published_run, person=late).table
    expect(page.get_by_role("heading", name=f"Your table: {table.label}")).to_be_visible()
    expect(page.get_by_text("an e-mail with the calendar entry is on its way")).to_be_visible()
    check_page(page, "live-02-late-rsvp-seated")
    assert [m.to for m in mailoutbox] == [[late.email]]

    page.get_by_role("button", name="I can't come").click()

    expect(page.get_by_text("Your seat is released")).to_be_visible()
    expect(page.get_by_role("button", name="I'm coming")).to_be_visible()
    check_page(page, "live-03-cant-come")
    assert not Seat.objects.filter(run=evening.round.published_run, person=late).exists()
    assert "METHOD:CANCEL" in mailoutbox[-1].attachments[0][1]


def test_the_door_checks_in_and_seats_a_walk_in(page, live_server, evening, mailoutbox):
    sign_in(page, live_server, evening.organizer)
    person = evening.newcomers[0]
    table = Seat.objects.get(run=evening.round.published_run, person=person).table

    page.goto(f"/organize/rounds/{evening.round.pk}/door/")
    check_page(page, "door-01")
    page.get_by_label("Name or e-mail").fill("Newcomer0")
    card = page.locator(f"#door-person-{person.pk}")
    expect(card).to_contain_text(f"Table {table.label}")
    card.get_by_role("button", name=f"Check in {person.full_name}").click()
    expect(page.get_by_role("status").filter(has_text="is checked in")).to_be_visible()
    expect(card.get_by_text("checked in", exact=True)).to_be_visible()
    check_page(page, "door-02-checked-in")
    assert RoundRSVP.objects.get(person=person, round=evening.round).checked_in_at is not None

    card.get_by_role("button", name=re.compile("Undo the check-in")).click()
    expect(card.get_by_role("button", name=f"Check in {person.full_name}")).to_be_visible()
    assert RoundRSVP.objects.get(person=person, round=evening.round).checked_in_at is None

    mailoutbox.clear()
    page.get_by_label("Full name").fill("Wanda Walker")
    page.get_by_label("E-mail", exact=True).fill("wanda@example.org")
    page.get_by_role("button", name="Seat the walk-in").click()

    expect(page.get_by_text(re.compile(r"Wanda Walker is seated at table"))).to_be_visible()
    expect(page.locator("#door-counts")).to_contain_text("1 checked in")
    check_page(page, "door-03-walk-in")
    assert [m.to for m in mailoutbox] == [["wanda@example.org"]]
