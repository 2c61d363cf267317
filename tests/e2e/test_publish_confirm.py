"""In a real browser, on a phone: publishing asks to confirm first, saying how many people will
be e-mailed, and the message afterwards says what happened (no JavaScript needed for either)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conferences.enums import RoundStatus
from conferences.models import MeetupRound
from tests.attendees.helpers import seat_round
from tests.factories import (
    ConferenceFactory,
    DrinkTableFactory,
    MeetupRoundFactory,
    OrganizerFactory,
    PersonFactory,
)

from .browser import check_page, sign_in


@pytest.fixture
def matched(transactional_db):
    conference = ConferenceFactory(name="EdTech Summit 2026", time_zone="America/Chicago")
    organizer = OrganizerFactory(conferences=[conference])
    starts = timezone.now() + dt.timedelta(days=2)
    meetup_round = MeetupRoundFactory(
        conference=conference,
        name="Opening night",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status=RoundStatus.MATCHED,
    )
    tables = [DrinkTableFactory(conference=conference, label=f"T{i}") for i in (1, 2)]
    people = [PersonFactory() for _ in range(5)]
    seat_round(meetup_round, {tables[0]: people[:3], tables[1]: people[3:]}, status="matched")
    # The plan is under review: seated, never published.
    MeetupRound.objects.filter(pk=meetup_round.pk).update(published_run=None, published_at=None)
    return organizer, meetup_round


def test_publishing_asks_to_confirm_with_the_count_then_says_what_happened(
    page, live_server, matched, mailoutbox
):
    organizer, meetup_round = matched
    sign_in(page, live_server, organizer)
    page.goto(f"/organize/rounds/{meetup_round.pk}/plan/")

    page.get_by_role("button", name="Publish and notify attendees…").click()

    expect(page.get_by_role("heading", name="Publish and notify attendees?")).to_be_visible()
    expect(page.locator("main")).to_contain_text("5 people will be e-mailed.")
    check_page(page, "publish-confirm")
    assert mailoutbox == []

    # Going back changes nothing.
    page.get_by_role("link", name="No, go back").click()
    expect(page.get_by_role("heading", name="Opening night")).to_be_visible()
    meetup_round.refresh_from_db()
    assert meetup_round.status == RoundStatus.MATCHED

    page.get_by_role("button", name="Publish and notify attendees…").click()
    page.get_by_role("button", name="Yes, publish and notify attendees").click()

    expect(page.locator(".messages")).to_contain_text(
        "Published; 5 people will be e-mailed their table."
    )
    meetup_round.refresh_from_db()
    assert meetup_round.status == RoundStatus.PUBLISHED
    assert len(mailoutbox) == 5
