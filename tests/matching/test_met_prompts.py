"""After the evening: marking a round held asks each seated attendee once who they met."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from matching.models import MetPrompt, Seat
from matching.services import lifecycle, met_prompts
from matching.tasks import send_met_prompts
from tests.matching.scenario import build_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_past_round(db, organizer, solve, django_capture_on_commit_callbacks):
    past_round = build_round(
        organizer=organizer, label="past", starts_at=timezone.now() - dt.timedelta(hours=4)
    )
    run = solve(past_round.round)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.round_publish(round_id=past_round.round.pk, by=None)
    past_round.round.refresh_from_db()
    mail.outbox.clear()
    past_round.seated = list(
        Seat.objects.filter(run=run).select_related("person").order_by("person_id")
    )
    return past_round


def hold(meetup_round, capture):
    with capture(execute=True):
        return lifecycle.round_mark_held(round_id=meetup_round.pk, by=None)


def test_marking_held_emails_each_seated_attendee_once_with_the_link(
    published_past_round, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://tables.example.org/"
    meetup_round = published_past_round.round
    done = hold(meetup_round, django_capture_on_commit_callbacks)

    seated = published_past_round.seated
    assert done.emails_queued == len(seated)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        seat.person.email for seat in seated
    )
    message = next(m for m in mail.outbox if m.to == [seated[0].person.email])
    assert message.subject == f"Who did you meet at {meetup_round.name}?"
    assert f"https://tables.example.org/rounds/{meetup_round.pk}/" in message.body
    assert f"Hello {seated[0].person.first_name}," in message.body
    assert "for 14 days" in message.body
    assert MetPrompt.objects.filter(round=meetup_round).count() == len(seated)

    again = hold(meetup_round, django_capture_on_commit_callbacks)
    assert again.emails_queued == 0
    assert len(mail.outbox) == len(seated)


def test_prompts_go_out_in_batches_and_a_second_delivery_sends_nothing(
    published_past_round, django_capture_on_commit_callbacks
):
    meetup_round = published_past_round.round
    with django_capture_on_commit_callbacks(execute=False):
        lifecycle.round_mark_held(round_id=meetup_round.pk, by=None)
    first = met_prompts.met_prompts_send_batch(round_id=meetup_round.pk, batch_size=5)
    assert (first.sent, first.remaining) == (5, len(published_past_round.seated) - 5)

    send_met_prompts.delay(round_id=meetup_round.pk)
    send_met_prompts.delay(round_id=meetup_round.pk)  # delivered twice

    assert len(mail.outbox) == len(published_past_round.seated)
    assert len({message.to[0] for message in mail.outbox}) == len(mail.outbox)


def test_a_deleted_account_is_recorded_without_an_email(
    published_past_round, django_capture_on_commit_callbacks
):
    from attendees.services import account_delete

    gone = published_past_round.seated[0].person
    with django_capture_on_commit_callbacks(execute=False):
        lifecycle.round_mark_held(round_id=published_past_round.round.pk, by=None)
    account_delete(person=gone)  # after the evening, before the e-mails went out
    send_met_prompts.delay(round_id=published_past_round.round.pk)
    assert len(mail.outbox) == len(published_past_round.seated) - 1
    assert MetPrompt.objects.filter(round=published_past_round.round, person=gone).exists()


def test_the_sweep_sends_prompts_still_owed(
    published_past_round, django_capture_on_commit_callbacks
):
    meetup_round = published_past_round.round
    with django_capture_on_commit_callbacks(execute=False):  # the queue lost the task
        lifecycle.round_mark_held(round_id=meetup_round.pk, by=None)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert met_prompts.met_prompts_sweep_pending() == 1
    assert len(mail.outbox) == len(published_past_round.seated)
    with django_capture_on_commit_callbacks(execute=True):
        assert met_prompts.met_prompts_sweep_pending() == 0


def test_the_mark_held_confirmation_says_attendees_are_asked(published_past_round):
    offers = lifecycle.allowed_actions(round=published_past_round.round, user=None)
    [held] = [offer for offer in offers if offer.action == "held"]
    assert "e-mailed once to ask who they met" in held.confirm


def test_a_round_marked_held_after_its_answers_closed_asks_nobody(
    published_past_round, django_capture_on_commit_callbacks
):
    meetup_round = published_past_round.round
    length = meetup_round.ends_at - meetup_round.starts_at
    meetup_round.ends_at = timezone.now() - dt.timedelta(days=15)
    meetup_round.starts_at = meetup_round.ends_at - length
    meetup_round.save(update_fields=["starts_at", "ends_at"])
    done = hold(meetup_round, django_capture_on_commit_callbacks)
    assert done.emails_queued == 0
    assert mail.outbox == []


def test_the_demo_marks_held_without_emails(
    published_past_round, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        done = lifecycle.round_mark_held(
            round_id=published_past_round.round.pk, by=None, notify=False
        )
    assert done.emails_queued == 0
    assert mail.outbox == []
    assert not MetPrompt.objects.exists()
