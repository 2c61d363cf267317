"""The calendar subscription: a private, revocable feed of all a person's tables (issue 16.2)."""

import datetime as dt
from types import SimpleNamespace

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attendees.models import CalendarFeed, hash_secret
from attendees.services import account_delete, sessions_end_all
from attendees.tokens import calendar_feed_create, calendar_feed_revoke
from conferences.calendar import event_uid
from conferences.enums import RoundStatus
from matching.models import MatchingRun, Seat
from matching.services.lifecycle import round_cancel, round_publish
from tests.api.support import attendee_of, seated_round
from tests.attendees.helpers import sign_in
from tests.factories import (
    BlockFactory,
    ConferenceFactory,
    DrinkTableFactory,
    MatchingRunFactory,
    OrganizerFactory,
    SeatFactory,
    SeriesFactory,
)

pytestmark = pytest.mark.django_db


def feed_url(token: str) -> str:
    return reverse("dashboard:calendar_feed", args=[token])


def read_feed(token: str) -> icalendar.Calendar:
    response = Client().get(feed_url(token))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events_of(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def evening():
    conference = ConferenceFactory(name="Lyon Summit", time_zone="Europe/Paris")
    organizer = OrganizerFactory(conferences=[conference])
    ann = attendee_of(conference, full_name="Ann Archer")
    bob = attendee_of(conference, full_name="Bob Baker")
    cy = attendee_of(conference, full_name="Cy Cole")
    t1 = DrinkTableFactory(conference=conference, label="T1", location="By the window")
    t2 = DrinkTableFactory(conference=conference, label="T2", location="At the bar")
    published = seated_round(conference, {t1: [ann, bob], t2: [cy]}, name="Opening night")
    return SimpleNamespace(
        conference=conference,
        organizer=organizer,
        ann=ann,
        bob=bob,
        cy=cy,
        t1=t1,
        t2=t2,
        published=published,
    )


def test_the_feed_holds_my_table_with_tablemates_named_as_in_the_email(evening):
    _, token = calendar_feed_create(person=evening.ann)
    calendar = read_feed(token)
    events = events_of(calendar)
    uid = event_uid(round_id=evening.published.pk, person_id=evening.ann.pk)
    assert list(events) == [uid]
    event = events[uid]
    assert str(event["SUMMARY"]) == "Opening night: table T1"
    assert str(event["LOCATION"]) == "By the window, Terrace"
    assert str(event["DESCRIPTION"]) == "Drink Tables: table T1. At your table: Bob"
    assert str(event["URL"]).endswith(f"/rounds/{evening.published.pk}/")
    assert "STATUS" not in event
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert event.decoded("DTSTART") == evening.published.starts_at.replace(microsecond=0)


def test_the_feed_shows_nobody_elses_table_and_no_block(evening):
    BlockFactory(blocker=evening.cy, blocked=evening.ann)
    _, token = calendar_feed_create(person=evening.ann)
    body = Client().get(feed_url(token)).content.decode()
    assert "Cy" not in body
    assert "T2" not in body
    assert "block" not in body.lower()


def test_the_uid_stays_and_the_sequence_does_not_drop_when_my_table_changes(evening):
    _, token = calendar_feed_create(person=evening.ann)
    before = events_of(read_feed(token))
    uid = event_uid(round_id=evening.published.pk, person_id=evening.ann.pk)
    evening.published.published_at = timezone.now() - dt.timedelta(minutes=5)
    evening.published.save(update_fields=["published_at"])
    before = events_of(read_feed(token))[uid]

    moved = MatchingRunFactory(round=evening.published)
    SeatFactory(run=moved, person=evening.ann, table=evening.t2)
    SeatFactory(run=moved, person=evening.cy, table=evening.t2)
    SeatFactory(run=moved, person=evening.bob, table=evening.t1)
    round_publish(round_id=evening.published.pk, by=evening.organizer, run_id=moved.pk)

    after = events_of(read_feed(token))
    assert list(after) == [uid]
    assert str(after[uid]["SUMMARY"]) == "Opening night: table T2"
    assert str(after[uid]["DESCRIPTION"]) == "Drink Tables: table T2. At your table: Cy"
    assert int(after[uid]["SEQUENCE"]) >= int(before["SEQUENCE"])
    assert int(after[uid]["SEQUENCE"]) > 0


def test_a_cancelled_round_stays_in_the_feed_marked_cancelled(evening):
    _, token = calendar_feed_create(person=evening.ann)
    before = events_of(read_feed(token))
    round_cancel(round_id=evening.published.pk, by=evening.organizer)
    after = events_of(read_feed(token))
    uid = event_uid(round_id=evening.published.pk, person_id=evening.ann.pk)
    assert list(after) == [uid]
    assert str(after[uid]["STATUS"]) == "CANCELLED"
    assert int(after[uid]["SEQUENCE"]) >= int(before[uid]["SEQUENCE"])


def test_a_seat_i_lost_after_being_told_is_cancelled_in_the_feed(
    evening, mailoutbox, django_capture_on_commit_callbacks
):
    # Ann was told T1 (the notices went out when the plan was published through the service).
    run = MatchingRunFactory(round=evening.published)
    for person, table in ((evening.ann, evening.t1), (evening.bob, evening.t1)):
        SeatFactory(run=run, person=person, table=table)
    with django_capture_on_commit_callbacks(execute=True):
        round_publish(round_id=evening.published.pk, by=evening.organizer, run_id=run.pk)
    assert any(evening.ann.email in message.to for message in mailoutbox)
    without_ann = MatchingRunFactory(round=evening.published)
    SeatFactory(run=without_ann, person=evening.bob, table=evening.t1)
    with django_capture_on_commit_callbacks(execute=True):
        round_publish(round_id=evening.published.pk, by=evening.organizer, run_id=without_ann.pk)
    assert mailoutbox[-1].subject == "Your table at Opening night was released"
    _, token = calendar_feed_create(person=evening.ann)
    events = events_of(read_feed(token))
    uid = event_uid(round_id=evening.published.pk, person_id=evening.ann.pk)
    assert str(events[uid]["STATUS"]) == "CANCELLED"


def test_a_series_feed_holds_every_conference_with_each_time_zone(evening):
    later = ConferenceFactory(
        name="Chicago Summit",
        series=SeriesFactory(name="Summits"),
        time_zone="America/Chicago",
        starts_on=evening.conference.starts_on + dt.timedelta(days=200),
        ends_on=evening.conference.starts_on + dt.timedelta(days=202),
    )
    evening.conference.series = later.series
    evening.conference.save(update_fields=["series"])
    table = DrinkTableFactory(conference=later, label="C1")
    held_last_year = seated_round(
        evening.conference,
        {evening.t1: [evening.ann]},
        status=RoundStatus.HELD,
        starts_at=timezone.now() - dt.timedelta(days=1),
        name="Closing night",
    )
    from tests.factories import AttendanceFactory

    AttendanceFactory(person=evening.ann, conference=later)
    chicago = seated_round(
        later,
        {table: [evening.ann]},
        starts_at=timezone.now() + dt.timedelta(days=200),
        name="Chicago night",
    )
    _, token = calendar_feed_create(person=evening.ann)
    calendar = read_feed(token)
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert summaries == [
        "Closing night: table T1",
        "Opening night: table T1",
        "Chicago night: table C1",
    ]
    assert sorted(str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")) == [
        "America/Chicago",
        "Europe/Paris",
    ]
    uids = set(events_of(calendar))
    assert event_uid(round_id=held_last_year.pk, person_id=evening.ann.pk) in uids
    assert event_uid(round_id=chicago.pk, person_id=evening.ann.pk) in uids


def test_only_the_hash_of_the_secret_is_stored(evening):
    feed, token = calendar_feed_create(person=evening.ann)
    stored = CalendarFeed.objects.get(pk=feed.pk)
    assert stored.token_hash == hash_secret(token)
    assert token not in str(list(CalendarFeed.objects.values_list()))
    # The stored hash itself opens nothing.
    assert Client().get(feed_url(stored.token_hash)).status_code == 404


def test_reset_makes_the_old_link_stop_and_revoke_ends_it(evening):
    _, old = calendar_feed_create(person=evening.ann)
    _, new = calendar_feed_create(person=evening.ann)
    assert Client().get(feed_url(old)).status_code == 404
    assert Client().get(feed_url(new)).status_code == 200
    assert calendar_feed_revoke(person=evening.ann) is True
    assert Client().get(feed_url(new)).status_code == 404
    assert calendar_feed_revoke(person=evening.ann) is False


def test_signing_out_everywhere_and_deleting_the_account_end_the_feed(evening):
    _, token = calendar_feed_create(person=evening.ann)
    evening.ann.user.set_unusable_password()  # attendees sign in by e-mail link
    evening.ann.user.save()
    sessions_end_all(user=evening.ann.user)
    assert Client().get(feed_url(token)).status_code == 404
    _, token = calendar_feed_create(person=evening.bob)
    account_delete(person=evening.bob)
    assert Client().get(feed_url(token)).status_code == 404


def test_the_feed_needs_no_session_and_is_private_to_the_link(evening):
    _, token = calendar_feed_create(person=evening.ann)
    response = Client().get(feed_url(token))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=300"
    assert Client().head(feed_url(token)).status_code == 200
    assert Client().post(feed_url(token)).status_code == 405


def test_unknown_secrets_from_one_address_are_limited(evening, settings):
    settings.CALENDAR_FEED_BAD_TOKEN_RATE_PER_IP = 3
    _, token = calendar_feed_create(person=evening.ann)
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert [client.get(feed_url(f"dtcal_wrong{n}")).status_code for n in range(3)] == [404] * 3
    refused = client.get(feed_url("dtcal_wrong4"))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "try again in an hour" in refused.content.decode()
    # A good link behind the same address (a venue) is still served, and another address too.
    assert client.get(feed_url(token)).status_code == 200
    assert Client(REMOTE_ADDR="203.0.113.10").get(feed_url("dtcal_wrong5")).status_code == 404


def test_one_feed_read_too_often_is_limited(evening, settings):
    settings.CALENDAR_FEED_RATE_PER_FEED = 2
    _, token = calendar_feed_create(person=evening.ann)
    codes = [Client().get(feed_url(token)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_the_page_shows_the_link_once_and_resets_and_turns_it_off(client, evening):
    sign_in(client, evening.ann)
    page = client.get(reverse("dashboard:calendar"))
    assert page.status_code == 200
    assert "Make my calendar link" in page.content.decode()

    made = client.post(reverse("dashboard:calendar"), {"action": "create"})
    assert made.status_code == 200
    assert made["Cache-Control"] == "no-store"
    html = made.content.decode()
    feed = CalendarFeed.objects.get(person=evening.ann)
    webcal = [part for part in html.split('"') if part.startswith("webcal://")]
    assert webcal, html
    token = webcal[0].rsplit("/", 1)[1].removesuffix(".ics")
    assert hash_secret(token) == feed.token_hash
    assert f"http://testserver/calendar/{token}.ics" in html
    assert token not in client.get(reverse("dashboard:calendar")).content.decode()

    reset = client.post(reverse("dashboard:calendar"), {"action": "create"})
    assert "the old one no longer works" in reset.content.decode()
    assert Client().get(feed_url(token)).status_code == 404

    off = client.post(reverse("dashboard:calendar"), {"action": "revoke"}, follow=True)
    assert "turned off" in off.content.decode()
    assert not CalendarFeed.objects.filter(person=evening.ann).exists()

    wrong = client.post(reverse("dashboard:calendar"), {"action": "explode"})
    assert wrong.status_code == 400


def test_the_round_page_links_to_the_subscription(client, evening):
    sign_in(client, evening.ann)
    html = client.get(reverse("dashboard:round", args=[evening.published.pk])).content.decode()
    assert reverse("dashboard:calendar") in html


def test_the_feed_reads_a_fixed_number_of_queries(evening, django_assert_num_queries):
    _, token = calendar_feed_create(person=evening.ann)
    Client().get(feed_url(token))  # last_used_at written once
    with django_assert_num_queries(4):
        Client().get(feed_url(token))
    for n in range(5):
        extra = seated_round(
            evening.conference, {evening.t1: [evening.ann, evening.bob]}, name=f"R{n}"
        )
        assert Seat.objects.filter(run=extra.published_run).count() == 2
    with django_assert_num_queries(4):
        Client().get(feed_url(token))
    assert MatchingRun.objects.count() >= 6


def test_my_data_export_lists_the_subscription_without_its_secret(client, evening):
    feed, token = calendar_feed_create(person=evening.ann)
    sign_in(client, evening.ann)
    response = client.get(reverse("dashboard:export"))
    data = response.json()
    assert data["account"]["calendar_subscriptions"] == [
        {"prefix": feed.prefix, "created_at": feed.created_at.isoformat(), "last_used_at": None}
    ]
    assert token not in response.content.decode()


def test_when_a_calendar_last_read_the_link_is_shown_in_the_latest_conference_s_zone(
    client, evening
):
    feed, _ = calendar_feed_create(person=evening.ann)
    # 21:15 in Paris (CET); the attendee's latest conference is the Lyon one.
    CalendarFeed.objects.filter(pk=feed.pk).update(
        last_used_at=dt.datetime(2026, 12, 3, 20, 15, tzinfo=dt.UTC)
    )
    sign_in(client, evening.ann)

    page = client.get(reverse("dashboard:calendar")).content.decode()

    assert "a calendar last read it on 3 December 2026, 21:15 CET." in page
    assert "(UTC)" not in page
