import datetime as dt

import pytest

from conferences.calendar import round_ics
from tests.factories import MeetupRoundFactory

pytestmark = pytest.mark.django_db


def test_round_ics_is_one_event_in_utc_with_escaped_text():
    starts = dt.datetime(2026, 6, 28, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    meetup_round = MeetupRoundFactory(
        name="Opening night", starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )

    text = round_ics(
        round=meetup_round,
        table_label="T07",
        location="Terrace, bar 1",
        description="With Ann; Bob\nand Cy",
        uid="round-1-person-2@drinktables",
    )

    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "DTSTART:20260628T233000Z" in lines
    assert "DTEND:20260629T013000Z" in lines
    assert "SUMMARY:Opening night: table T07" in lines
    assert "LOCATION:Terrace\\, bar 1" in lines
    assert "DESCRIPTION:With Ann\\; Bob\\nand Cy" in lines
    assert sum(line == "BEGIN:VEVENT" for line in lines) == 1


def test_long_lines_are_folded_without_splitting_characters():
    meetup_round = MeetupRoundFactory()
    text = round_ics(
        round=meetup_round,
        table_label="T1",
        location="Terrace",
        description="Café crème " * 30,
        uid="u@drinktables",
    )
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:" + "Café crème " * 30 in unfolded.replace("\r\n", "\n")
