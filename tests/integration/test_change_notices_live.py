"""A published round's new time reaches each seated attendee once, through the real worker.

PostgreSQL, Redis and a Celery worker process; the e-mail goes to the SMTP sink. The organizer
changes the time through the API (the same service the admin uses); the worker sends each
seated person one message whose calendar event has the same UID and a higher SEQUENCE than the
one they got when the plan was published.
"""

import datetime as dt

import icalendar
from django.utils import timezone

from conferences.enums import RoundStatus
from matching.models import SeatNotification
from matching.services import lifecycle
from tests.api.support import client_for
from tests.attendees.helpers import seat_round
from tests.factories import (
    ConferenceFactory,
    DrinkTableFactory,
    MeetupRoundFactory,
    OrganizerFactory,
    PersonFactory,
)

from .worker import wait_for


def events_by_recipient(messages) -> dict[str, list[icalendar.Event]]:
    found: dict[str, list[icalendar.Event]] = {}
    for recipients, message in messages:
        (part,) = list(message.iter_attachments())
        calendar = icalendar.Calendar.from_ical(part.get_content())
        (event,) = calendar.walk("VEVENT")
        found.setdefault(recipients[0], []).append(event)
    return found


def test_a_new_time_reaches_each_seated_attendee_once_with_a_higher_sequence(
    celery_worker, smtp_sink
):
    conference = ConferenceFactory(time_zone="America/Chicago", slug="chi-live")
    organizer = OrganizerFactory(conferences=[conference])
    starts = (timezone.now() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    meetup_round = MeetupRoundFactory(
        conference=conference,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status=RoundStatus.MATCHED,
    )
    tables = [DrinkTableFactory(conference=conference, label=f"T{i}") for i in range(1, 4)]
    people = [PersonFactory() for _ in range(9)]
    seat_round(
        meetup_round,
        {table: people[i * 3 : i * 3 + 3] for i, table in enumerate(tables)},
        status=RoundStatus.MATCHED,
    )
    emails = sorted(p.email for p in people)

    lifecycle.round_publish(round_id=meetup_round.pk, by=organizer)
    wait_for(
        lambda: len(smtp_sink.messages) >= len(people),
        timeout_s=30,
        message=lambda: celery_worker.log_tail(),
    )
    first = events_by_recipient(smtp_sink.messages)
    assert sorted(first) == emails
    smtp_sink.clear()

    later = timezone.localtime(starts, conference.tzinfo) + dt.timedelta(hours=1)
    response = client_for(organizer).patch(
        f"/api/v1/conferences/chi-live/rounds/{meetup_round.pk}/",
        {
            "starts_at": later.replace(tzinfo=None).isoformat(),
            "ends_at": (later + dt.timedelta(hours=2)).replace(tzinfo=None).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 200, response.json()

    wait_for(
        lambda: len(smtp_sink.messages) >= len(people),
        timeout_s=30,
        message=lambda: celery_worker.log_tail(),
    )
    meetup_round.refresh_from_db()

    def everyone_recorded() -> bool:
        return SeatNotification.objects.filter(
            round=meetup_round, sequence=meetup_round.calendar_sequence
        ).count() == len(people)

    wait_for(everyone_recorded, timeout_s=30, message=lambda: celery_worker.log_tail())
    updated = events_by_recipient(smtp_sink.messages)
    assert sorted(updated) == emails
    for email in emails:
        (event,) = updated[email]  # exactly one message each
        (before,) = first[email]
        assert str(event["uid"]) == str(before["uid"])
        assert event.decoded("sequence") > before.decoded("sequence")
        assert event.decoded("dtstart") == later
