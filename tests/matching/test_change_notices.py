"""Changes after publishing reach exactly the people affected, once: a new time or place of a
published round, or a new place of a table, e-mails each person concerned one updated calendar
event (same UID, higher SEQUENCE); cancelling sends a calendar cancellation. Every door goes
through ``matching.services.rounds``."""

import datetime as dt

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conferences.calendar import event_uid
from conferences.enums import RoundStatus
from matching.services import lifecycle
from matching.services.rounds import round_update_with_status, table_update_with_notices
from tests.api.support import client_for
from tests.attendees.helpers import seat_round, sign_in
from tests.factories import (
    ConferenceFactory,
    DrinkTableFactory,
    MeetupRoundFactory,
    OrganizerFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


class Evening:
    """A Chicago round two days ahead: Ann and Bo at T1 (by the window), Cy at T2."""

    def __init__(self):
        self.conference = ConferenceFactory(time_zone="America/Chicago", slug="chi")
        self.organizer = OrganizerFactory(conferences=[self.conference])
        starts = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
        self.round = MeetupRoundFactory(
            conference=self.conference,
            name="Opening night",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            location="Hotel bar",
            status=RoundStatus.MATCHED,
        )
        self.t1 = DrinkTableFactory(conference=self.conference, label="T1", location="Window")
        self.t2 = DrinkTableFactory(conference=self.conference, label="T2", location="")
        self.ann = PersonFactory(full_name="Ann Lee")
        self.bo = PersonFactory(full_name="Bo Chen")
        self.cy = PersonFactory(full_name="Cy Diaz")
        seat_round(self.round, {self.t1: [self.ann, self.bo], self.t2: [self.cy]}, status="matched")

    @property
    def everyone(self):
        return [self.ann, self.bo, self.cy]


@pytest.fixture
def evening():
    return Evening()


@pytest.fixture
def published(evening, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.round_publish(round_id=evening.round.pk, by=evening.organizer)
    first = {m.to[0]: event(m) for m in mail.outbox}
    mail.outbox.clear()
    return evening, first


def event(message) -> icalendar.Event:
    ((_, text, mimetype),) = message.attachments
    assert mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(text)
    (vevent,) = calendar.walk("VEVENT")
    vevent.method = str(calendar["METHOD"])
    return vevent


def by_recipient():
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients)), "someone got two e-mails"
    return {m.to[0]: m for m in mail.outbox}


def test_a_new_time_sends_each_seated_attendee_one_updated_event(
    published, django_capture_on_commit_callbacks
):
    evening, first = published
    later = evening.round.starts_at + dt.timedelta(hours=1)

    with django_capture_on_commit_callbacks(execute=True):
        changed = round_update_with_status(
            by=evening.organizer,
            round_id=evening.round.pk,
            data={"starts_at": later, "ends_at": later + dt.timedelta(hours=2)},
        )

    assert changed.emails_queued == 3
    sent = by_recipient()
    assert sorted(sent) == sorted(p.email for p in evening.everyone)
    for person in evening.everyone:
        message = sent[person.email]
        updated, before = event(message), first[person.email]
        assert message.subject.startswith("Changed: Opening night, ")
        assert "You still sit at table" in message.body
        assert (
            str(updated["uid"])
            == str(before["uid"])
            == event_uid(round_id=evening.round.pk, person_id=person.pk)
        )
        assert updated.decoded("sequence") > before.decoded("sequence")
        assert updated.decoded("dtstart") == later
    # Told once: nothing is owed any more.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.round_publish(round_id=evening.round.pk, by=evening.organizer)
    assert mail.outbox == []


def test_a_new_place_of_the_round_tells_everyone_and_a_new_name_tells_nobody(
    published, django_capture_on_commit_callbacks
):
    evening, _ = published

    with django_capture_on_commit_callbacks(execute=True):
        round_update_with_status(
            by=evening.organizer, round_id=evening.round.pk, data={"name": "First night"}
        )
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        round_update_with_status(
            by=evening.organizer, round_id=evening.round.pk, data={"location": "Roof terrace"}
        )
    sent = by_recipient()
    assert len(sent) == 3
    assert str(event(sent[evening.ann.email])["location"]) == "Window, Roof terrace"
    assert str(event(sent[evening.cy.email])["location"]) == "Roof terrace"


def test_a_table_that_moves_tells_only_the_people_at_it(
    published, client, django_capture_on_commit_callbacks
):
    evening, first = published

    with django_capture_on_commit_callbacks(execute=True):
        changed = table_update_with_notices(
            by=evening.organizer, table_id=evening.t1.pk, data={"location": "Fireplace"}
        )

    assert changed.emails_queued == 2
    sent = by_recipient()
    assert sorted(sent) == sorted([evening.ann.email, evening.bo.email])
    assert str(event(sent[evening.ann.email])["location"]) == "Fireplace, Hotel bar"
    # Cy's event did not change, and the calendar file she downloads is the current revision.
    sign_in(client, evening.cy)
    downloaded = icalendar.Calendar.from_ical(
        client.get(reverse("dashboard:round_calendar", args=[evening.round.pk])).content
    )
    (cy_event,) = downloaded.walk("VEVENT")
    evening.round.refresh_from_db()
    assert cy_event.decoded("sequence") == evening.round.calendar_sequence
    assert cy_event.decoded("sequence") > first[evening.cy.email].decoded("sequence")


def test_a_change_still_owed_is_not_swallowed_by_a_later_one(
    published, django_capture_on_commit_callbacks, monkeypatch
):
    """Cy is owed the new time (the task queue lost it); a table moving elsewhere later does
    not mark her as told."""
    evening, _ = published
    from matching.services import rounds

    monkeypatch.setattr(rounds, "notices_enqueue", lambda round_id: _Lost())
    later = evening.round.starts_at + dt.timedelta(hours=1)
    round_update_with_status(
        by=evening.organizer,
        round_id=evening.round.pk,
        data={"starts_at": later, "ends_at": later + dt.timedelta(hours=2)},
    )
    monkeypatch.undo()

    with django_capture_on_commit_callbacks(execute=True):
        table_update_with_notices(
            by=evening.organizer, table_id=evening.t1.pk, data={"location": "Fireplace"}
        )

    assert sorted(by_recipient()) == sorted(p.email for p in evening.everyone)


class _Lost:
    failed = True


def test_changes_before_publishing_tell_nobody(evening, django_capture_on_commit_callbacks):
    later = evening.round.starts_at + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        changed = round_update_with_status(
            by=evening.organizer,
            round_id=evening.round.pk,
            data={"starts_at": later, "ends_at": later + dt.timedelta(hours=2)},
        )
        table_update_with_notices(
            by=evening.organizer, table_id=evening.t1.pk, data={"location": "Fireplace"}
        )
    assert changed.emails_queued == 0
    assert mail.outbox == []


def test_cancelling_sends_a_calendar_cancellation(published, django_capture_on_commit_callbacks):
    evening, first = published

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.round_cancel(round_id=evening.round.pk, by=evening.organizer)

    sent = by_recipient()
    assert sorted(sent) == sorted(p.email for p in evening.everyone)
    message = sent[evening.ann.email]
    cancelled = event(message)
    assert message.subject == "Cancelled: Opening night"
    assert cancelled.method == "CANCEL"
    assert str(cancelled["status"]) == "CANCELLED"
    assert str(cancelled["uid"]) == str(first[evening.ann.email]["uid"])
    assert cancelled.decoded("sequence") > first[evening.ann.email].decoded("sequence")


def test_the_api_and_the_admin_tell_attendees_of_a_change(
    published, client, django_capture_on_commit_callbacks
):
    evening, _ = published
    api = client_for(evening.organizer)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(
            f"/api/v1/conferences/chi/rounds/{evening.round.pk}/",
            {"location": "Lobby"},
            format="json",
        )
    assert response.status_code == 200, response.json()
    assert len(by_recipient()) == 3
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(
            f"/api/v1/conferences/chi/tables/{evening.t2.pk}/",
            {"location": "Corner"},
            format="json",
        )
    assert response.status_code == 200, response.json()
    assert sorted(by_recipient()) == [evening.cy.email]
    mail.outbox.clear()


def test_the_admin_tells_attendees_of_a_change_and_says_so(transactional_db, client):
    """Committed for real (the admin's own transaction), as in production."""
    evening = Evening()
    lifecycle.round_publish(round_id=evening.round.pk, by=evening.organizer)
    mail.outbox.clear()
    client.force_login(evening.organizer)
    local = timezone.localtime(evening.round.starts_at, evening.conference.tzinfo)
    ends = local + dt.timedelta(hours=3)

    response = client.post(
        reverse("admin:conferences_meetupround_change", args=[evening.round.pk]),
        {
            "name": evening.round.name,
            "starts_at_0": local.strftime("%Y-%m-%d"),
            "starts_at_1": local.strftime("%H:%M"),
            "ends_at_0": ends.strftime("%Y-%m-%d"),
            "ends_at_1": ends.strftime("%H:%M"),
            "location": "Lobby",
            "tables": [],
        },
        follow=True,
    )

    assert response.status_code == 200
    assert sorted(by_recipient()) == sorted(p.email for p in evening.everyone)
    shown = [str(m) for m in response.context["messages"]]
    assert (
        "3 people will be e-mailed the new time or place, with an updated calendar entry." in shown
    )


def test_every_table_email_links_to_the_round_page_and_carries_the_place(evening, settings):
    settings.SITE_URL = "https://tables.example.org/"
    from matching.services.notices import notices_send_batch

    evening.round.status = RoundStatus.PUBLISHED
    evening.round.save(update_fields=["status"])
    notices_send_batch(round_id=evening.round.pk)

    page = f"https://tables.example.org/rounds/{evening.round.pk}/"
    assert reverse("dashboard:round", args=[evening.round.pk]) == f"/rounds/{evening.round.pk}/"
    message = by_recipient()[evening.ann.email]
    assert page in message.body
    assert "Where: Window, Hotel bar (" in message.body
    ann = event(message)
    assert (str(ann["url"]), str(ann["location"])) == (page, "Window, Hotel bar")


def test_someone_who_loses_their_seat_gets_a_calendar_cancellation(
    published, django_capture_on_commit_callbacks
):
    from matching.enums import RunStatus
    from matching.models import MatchingRun, Seat

    evening, first = published
    run = MatchingRun.objects.create(
        round=evening.round, status=RunStatus.SUCCEEDED, time_limit_s=5, progress=100
    )
    Seat.objects.bulk_create(
        [Seat(run=run, person=p, table=evening.t1) for p in (evening.ann, evening.bo)]
    )

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.round_publish(round_id=evening.round.pk, by=evening.organizer, run_id=run.pk)

    sent = by_recipient()
    assert sorted(sent) == [evening.cy.email]  # Ann and Bo keep their table: not e-mailed
    released = event(sent[evening.cy.email])
    assert sent[evening.cy.email].subject == "Your table at Opening night was released"
    assert (released.method, str(released["status"])) == ("CANCEL", "CANCELLED")
    assert str(released["uid"]) == str(first[evening.cy.email]["uid"])
    assert released.decoded("sequence") > first[evening.cy.email].decoded("sequence")
