"""The one calendar event builder (conferences.calendar): RFC 5545 through icalendar, the same
event in the attendee's download and in their e-mail."""

import datetime as dt

import icalendar
import pytest
from django.urls import reverse

from conferences.calendar import (
    TableEvent,
    event_uid,
    seat_location,
    table_event_ics,
)
from tests.factories import ConferenceFactory, MeetupRoundFactory, UserFactory

pytestmark = pytest.mark.django_db


def opening_night():
    conference = ConferenceFactory(time_zone="America/Chicago")
    starts = dt.datetime(2026, 6, 28, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    return MeetupRoundFactory(
        conference=conference,
        name="Opening night",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        location="Hotel bar",
    )


def event_of(text: str) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    return event


def test_an_event_in_the_conference_time_zone_with_escaped_text():
    meetup_round = opening_night()

    text = table_event_ics(
        TableEvent(
            round=meetup_round,
            person_id=2,
            table_label="T07",
            location="Terrace, bar 1",
            description="With Ann; Bob\r\nand Cy\x07",
            url="https://example.org/rounds/1/",
        ),
        sequence=4,
    )

    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "METHOD:PUBLISH" in lines
    assert "TZID:America/Chicago" in lines  # the VTIMEZONE
    assert "DTSTART;TZID=America/Chicago:20260628T183000" in lines
    assert "DTEND;TZID=America/Chicago:20260628T203000" in lines
    assert "SUMMARY:Opening night: table T07" in lines
    assert "LOCATION:Terrace\\, bar 1" in lines
    assert "DESCRIPTION:With Ann\\; Bob\\nand Cy" in lines
    assert f"UID:round-{meetup_round.pk}-person-2@drinktables" in lines
    assert "SEQUENCE:4" in lines
    assert "URL:https://example.org/rounds/1/" in lines
    assert sum(line == "BEGIN:VEVENT" for line in lines) == 1
    event = event_of(text)
    assert event.decoded("dtstart") == meetup_round.starts_at


def test_a_cancelled_event_says_so():
    meetup_round = opening_night()
    event = TableEvent(
        round=meetup_round, person_id=2, table_label="T1", location="", description="x"
    )
    text = table_event_ics(event, method="CANCEL", sequence=9)
    assert "METHOD:CANCEL" in text.split("\r\n")
    assert event_of(text)["status"] == "CANCELLED"
    with pytest.raises(ValueError, match="method"):
        table_event_ics(event, method="DELETE")


def test_long_lines_are_folded_without_splitting_characters():
    meetup_round = opening_night()
    text = table_event_ics(
        TableEvent(
            round=meetup_round,
            person_id=1,
            table_label="T1",
            location="Terrace",
            description="Café crème " * 30,
        )
    )
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    assert str(event_of(text)["description"]) == "Café crème " * 30


def test_the_place_is_the_table_and_the_round():
    assert seat_location(table_location="By the window", round_location="Hotel bar") == (
        "By the window, Hotel bar"
    )
    assert seat_location(table_location="", round_location="Hotel bar") == "Hotel bar"
    assert seat_location(table_location="Hotel bar", round_location="Hotel bar") == "Hotel bar"
    assert seat_location(table_location=" ", round_location="") == ""


def test_the_download_and_the_e_mail_carry_the_same_event(
    client, scenario, solve, django_capture_on_commit_callbacks
):
    from django.core import mail

    from matching.models import Seat
    from matching.services import lifecycle

    run = solve(scenario.round)
    person = scenario.newcomers[0]
    seat = Seat.objects.select_related("table").get(run=run, person=person)
    seat.table.location = "By the window"
    seat.table.save()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.round_publish(round_id=scenario.round.pk, by=None)
    (message,) = [m for m in mail.outbox if m.to == [person.email]]
    ((_, attached, _),) = message.attachments

    person.user = UserFactory(email=person.email)
    person.save(update_fields=["user"])
    client.force_login(person.user)
    downloaded = client.get(reverse("dashboard:round_calendar", args=[scenario.round.pk]))

    emailed, got = event_of(attached), event_of(downloaded.content.decode())
    for field in ("uid", "summary", "location", "dtstart", "dtend", "sequence"):
        assert emailed.decoded(field) == got.decoded(field), field
    assert str(got["uid"]) == event_uid(round_id=scenario.round.pk, person_id=person.pk)
    assert str(got["location"]) == f"By the window, {scenario.round.location}"
    assert f"Where: By the window, {scenario.round.location}" in message.body
