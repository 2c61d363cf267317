"""In a real browser, on a phone: an organizer finds a person in a big plan as they type,
opens the move dialog, finds the target table in its list and moves them. Every page passes
axe-core, fits 390 px and keeps to the Content-Security-Policy (the ``page`` fixture)."""

import re

import pytest
from playwright.sync_api import expect

from conferences.enums import RoundStatus
from conferences.models import MeetupRound
from matching.models import MatchingRun, Seat
from tests.factories import OrganizerFactory
from tests.matching.scenario import build_round

from .browser import check_page, sign_in

TABLES = 30


@pytest.fixture
def big(transactional_db):
    """A round under review: 30 tables of 8 seats, 6 people at each."""
    scenario = build_round(
        returning=TABLES * 5,
        newcomers=TABLES,
        tables=TABLES,
        capacity=8,
        organizer=OrganizerFactory(),
        label="e2e",
    )
    run = MatchingRun.objects.create(round=scenario.round, status="succeeded", progress=100)
    Seat.objects.bulk_create(
        Seat(run=run, person=person, table=scenario.tables[index // 6])
        for index, person in enumerate(scenario.going)
    )
    MeetupRound.objects.filter(pk=scenario.round.pk).update(status=RoundStatus.MATCHED)
    return scenario


def test_find_a_person_and_move_them_on_a_phone(page, live_server, big):
    person = big.going[100]  # at T17
    target = big.tables[-1]  # T30, on the second page
    sign_in(page, live_server, big.organizer)
    page.goto(f"/organize/rounds/{big.round.pk}/plan/")

    # Collapsed tables, a page at a time: a short page even for a big plan.
    expect(page.locator("details.plan-table[open]")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollHeight") < 8000
    check_page(page, "plan-big-collapsed")

    # Typing a name narrows the tables as you type (htmx), the person's table open.
    page.get_by_label("Find a person or a table").fill(person.full_name)
    expect(page.locator("details.plan-table")).to_have_count(1)
    expect(page.locator("details.plan-table")).to_have_attribute("open", "")
    expect(page.locator("tr.found")).to_contain_text(person.full_name)
    assert f"q={person.full_name.split()[0]}" in page.url
    check_page(page, "plan-search")

    # The move dialog opens over the page; its list of tables filters as you type.
    page.locator("tr.found").get_by_role("link", name=f"Move {person.full_name}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text(f"Move {person.full_name}")
    expect(dialog).to_contain_text("Now at table T17.")
    expect(dialog.get_by_role("radio")).to_have_count(TABLES)
    dialog.get_by_label("Find a table").fill("t30")
    expect(dialog.locator("li:visible")).to_have_count(1)
    check_page(page, "plan-move-dialog")
    dialog.get_by_role("radio", name=re.compile(r"^T30 ")).check()
    dialog.get_by_role("button", name="Move", exact=True).click()

    expect(page.locator(".messages")).to_contain_text(
        f"{person.full_name} now sits at table {target.label}."
    )
    expect(page.locator(f"#table-{target.pk}")).to_have_attribute("open", "")
    expect(page.locator(f"#table-{target.pk}")).to_contain_text(person.full_name)
    assert Seat.objects.get(run__round=big.round, person=person).table_id == target.pk


def test_the_move_dialog_closes_without_moving_anyone(page, live_server, big):
    person = big.going[0]
    sign_in(page, live_server, big.organizer)
    page.goto(f"/organize/rounds/{big.round.pk}/plan/")

    page.locator("details.plan-table").first.locator("summary").click()
    page.get_by_role("link", name=f"Move {person.full_name}").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.get_by_role("dialog").get_by_role("link", name="Cancel").click()

    expect(page.get_by_role("dialog")).to_be_hidden()
    assert Seat.objects.get(run__round=big.round, person=person).table_id == big.tables[0].pk
