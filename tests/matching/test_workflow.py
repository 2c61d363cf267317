"""Publish, notify, unpublish, re-publish, mark held and cancel a round."""

import datetime as dt
from itertools import combinations

import pytest
from django.core import mail
from django.utils import timezone

from attendees.enums import EncounterKind, RSVPStatus
from attendees.models import Encounter, RoundRSVP
from conferences.enums import RoundStatus
from config.exceptions import Conflict
from matching.models import Seat, SeatNotification
from matching.selectors import runs as run_selectors
from matching.selectors import tables
from matching.services import lifecycle, notices, runs
from tests.matching.scenario import build_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    def publish(meetup_round, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            published = lifecycle.round_publish(round_id=meetup_round.pk, by=None, **kwargs)
        meetup_round.refresh_from_db()
        return published

    return publish


def seats_of(run) -> dict[int, int]:
    return dict(Seat.objects.filter(run=run).values_list("person_id", "table_id"))


def test_publish_notifies_each_seated_attendee_once_with_their_table_and_an_ics(
    scenario, solve, publish
):
    run = solve(scenario.round)
    publish(scenario.round)

    assert scenario.round.status == RoundStatus.PUBLISHED
    assert scenario.round.published_run == run
    assert scenario.round.published_at is not None
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(p.email for p in scenario.going)

    person = scenario.newcomers[0]
    seat = Seat.objects.select_related("table").get(run=run, person=person)
    (message,) = [m for m in mail.outbox if m.to == [person.email]]
    assert message.subject == f"Your table at {scenario.round.name}: {seat.table.label}"
    assert f"You sit at table {seat.table.label}" in message.body
    mates = Seat.objects.filter(run=run, table=seat.table).exclude(person=person)
    for mate in mates.select_related("person"):
        assert mate.person.full_name.split()[0] in message.body
    ((filename, ics, mimetype),) = message.attachments
    assert (filename, mimetype) == ("drink-table.ics", "text/calendar")
    assert f"SUMMARY:{scenario.round.name}: table {seat.table.label}" in ics
    assert f"UID:round-{scenario.round.pk}-person-{person.pk}@drinktables" in ics
    assert SeatNotification.objects.filter(round=scenario.round).count() == len(scenario.going)


def test_publishing_the_same_plan_again_notifies_nobody(scenario, solve, publish):
    solve(scenario.round)
    publish(scenario.round)
    mail.outbox.clear()

    publish(scenario.round)

    assert mail.outbox == []


def test_a_republished_plan_tells_only_those_whose_table_changed(scenario, solve, publish):
    first = solve(scenario.round)
    publish(scenario.round)
    mail.outbox.clear()
    # RSVPs change: one person drops out, one more comes; the round is matched again.
    dropped = scenario.returning[0]
    RoundRSVP.objects.filter(person=dropped, round=scenario.round).update(
        status=RSVPStatus.NOT_GOING
    )
    second = solve(scenario.round, seed=8)
    assert scenario.round.status == RoundStatus.PUBLISHED  # the first plan stays until published
    assert run_selectors.plan_run_for(round=scenario.round, review=True).run == second

    publish(scenario.round)

    before, after = seats_of(first), seats_of(second)
    moved = {pk for pk in after if before.get(pk) != after[pk]}
    emails = {p.pk: p.email for p in scenario.going}
    changed = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Your table changed"))
    released = [m.to[0] for m in mail.outbox if "released" in m.subject]
    assert changed == sorted(emails[pk] for pk in moved)
    assert released == [dropped.email]
    assert len(mail.outbox) == len(moved) + 1
    told = dict(
        SeatNotification.objects.filter(round=scenario.round).values_list("person_id", "table_id")
    )
    assert told == {**after, dropped.pk: None}


def test_notices_go_out_in_batches_until_everyone_is_told(scenario, solve, publish, monkeypatch):
    monkeypatch.setattr(notices, "NOTICE_BATCH_SIZE", 3)
    solve(scenario.round)
    publish(scenario.round)

    assert len(mail.outbox) == len(scenario.going)
    assert len({m.to[0] for m in mail.outbox}) == len(scenario.going)


def test_a_notice_batch_delivered_twice_sends_nothing_more(scenario, solve, publish):
    solve(scenario.round)
    publish(scenario.round)
    mail.outbox.clear()

    batch = notices.notices_send_batch(round_id=scenario.round.pk)

    assert batch == notices.NoticeBatch(sent=0, remaining=0)
    assert mail.outbox == []


def test_publish_without_a_finished_run_is_refused(scenario):
    with pytest.raises(Conflict, match="run the matching first"):
        lifecycle.round_publish(round_id=scenario.round.pk, by=None)


def test_publish_without_notices_for_the_demo_sends_nothing(scenario, solve, publish):
    solve(scenario.round)
    publish(scenario.round, notify=False)
    assert scenario.round.status == RoundStatus.PUBLISHED
    assert mail.outbox == []


def test_unpublish_takes_the_plan_back_to_review(scenario, solve, publish):
    solve(scenario.round)
    publish(scenario.round)

    lifecycle.round_unpublish(round_id=scenario.round.pk, by=None)

    scenario.round.refresh_from_db()
    assert scenario.round.status == RoundStatus.MATCHED
    assert scenario.round.published_run is None
    assert tables.seat_for(person=scenario.going[0], round=scenario.round) is None
    with pytest.raises(Conflict):
        lifecycle.round_unpublish(round_id=scenario.round.pk, by=None)


def test_seat_for_gives_the_persons_table_once_published(scenario, solve, publish):
    run = solve(scenario.round)
    person = scenario.newcomers[1]
    assert tables.seat_for(person=person, round=scenario.round) is None
    publish(scenario.round)

    seat = tables.seat_for(person=person, round=scenario.round)

    assert seat == Seat.objects.get(run=run, person=person)


@pytest.fixture
def past_round(db, organizer):
    return build_round(
        organizer=organizer, label="past", starts_at=timezone.now() - dt.timedelta(hours=4)
    )


def expected_pairs(run) -> set[tuple[int, int]]:
    tables: dict[int, list[int]] = {}
    for person_id, table_id in seats_of(run).items():
        tables.setdefault(table_id, []).append(person_id)
    return {tuple(sorted(pair)) for members in tables.values() for pair in combinations(members, 2)}


def test_marking_held_records_a_seated_encounter_for_every_pair_once(past_round, solve, publish):
    run = solve(past_round.round)
    publish(past_round.round)

    created = lifecycle.round_mark_held(round_id=past_round.round.pk, by=None).encounters_created

    pairs = expected_pairs(run)
    encounters = Encounter.objects.filter(round=past_round.round, kind=EncounterKind.SEATED)
    assert created == len(pairs) > 0
    assert set(encounters.values_list("person_a_id", "person_b_id")) == pairs
    assert {e.occurred_on for e in encounters} == {
        timezone.localtime(past_round.round.starts_at, past_round.conference.tzinfo).date()
    }
    assert lifecycle.round_mark_held(round_id=past_round.round.pk, by=None).encounters_created == 0
    assert encounters.count() == len(pairs)
    past_round.round.refresh_from_db()
    assert past_round.round.status == RoundStatus.HELD
    assert past_round.round.held_at is not None


def test_a_round_in_the_future_cannot_be_marked_held(scenario, solve, publish):
    solve(scenario.round)
    publish(scenario.round)
    with pytest.raises(Conflict, match="not started yet"):
        lifecycle.round_mark_held(round_id=scenario.round.pk, by=None)
    assert not Encounter.objects.filter(round=scenario.round).exists()


def test_an_unpublished_round_cannot_be_marked_held(past_round, solve):
    solve(past_round.round)
    with pytest.raises(Conflict, match="Publish the plan"):
        lifecycle.round_mark_held(round_id=past_round.round.pk, by=None)


def test_a_held_round_is_final(past_round, solve, publish):
    solve(past_round.round)
    publish(past_round.round)
    lifecycle.round_mark_held(round_id=past_round.round.pk, by=None)

    with pytest.raises(Conflict):
        lifecycle.round_cancel(round_id=past_round.round.pk, by=None)
    with pytest.raises(Conflict):
        lifecycle.round_publish(round_id=past_round.round.pk, by=None)
    with pytest.raises(Conflict):
        runs.run_request(round_id=past_round.round.pk, by=None)


def test_cancelling_a_published_round_tells_everyone_who_knew_their_table(
    scenario, solve, publish, django_capture_on_commit_callbacks
):
    solve(scenario.round)
    publish(scenario.round)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.round_cancel(round_id=scenario.round.pk, by=None)

    scenario.round.refresh_from_db()
    assert scenario.round.status == RoundStatus.CANCELLED
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in scenario.going)
    assert {m.subject for m in mail.outbox} == {f"Cancelled: {scenario.round.name}"}
    assert not SeatNotification.objects.filter(round=scenario.round, table__isnull=False).exists()
    with pytest.raises(Conflict, match="already cancelled"):
        lifecycle.round_cancel(round_id=scenario.round.pk, by=None)


def test_cancelling_a_round_stops_its_active_run(scenario, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        run = runs.run_request(round_id=scenario.round.pk, by=None).run
    lifecycle.round_cancel(round_id=scenario.round.pk, by=None)
    run.refresh_from_db()
    assert run.status == "cancelled"
    assert mail.outbox == []


def test_happy_path_from_trigger_to_published_plan_to_encounters(past_round, solve, publish):
    run = solve(past_round.round, by=past_round.organizer)
    assert run.status == "succeeded"

    publish(past_round.round)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in past_round.going)

    created = lifecycle.round_mark_held(
        round_id=past_round.round.pk, by=past_round.organizer
    ).encounters_created

    assert created == len(expected_pairs(run))
    past_round.round.refresh_from_db()
    assert past_round.round.status == RoundStatus.HELD
    first, second = sorted(expected_pairs(run))[0]
    assert Encounter.objects.filter(
        person_a_id=first, person_b_id=second, kind=EncounterKind.SEATED, round=past_round.round
    ).exists()
