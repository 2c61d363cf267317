"""After publishing: "I can't come", late RSVPs, the waiting list, walk-ins, blocks against a
tablemate (docs/design.md §5, "After publishing")."""

import pytest
from django.core import mail
from django.utils import timezone

from attendees.enums import RSVPStatus
from attendees.models import Attendance, Encounter, Person, RoundRSVP
from conferences.enums import RoundStatus
from config.exceptions import Conflict, ServiceError
from matching.models import Seat, SeatNotification, SeatRelease, TableAlert, WaitingEntry
from matching.services import lifecycle, live
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(scenario, solve, django_capture_on_commit_callbacks):
    run = solve(scenario.round)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.round_transition(
            round_id=scenario.round.pk, to=RoundStatus.PUBLISHED, by=scenario.organizer
        )
    scenario.round.refresh_from_db()
    mail.outbox.clear()
    scenario.run = run
    return scenario


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def commit(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return commit


def seats(run):
    return dict(Seat.objects.filter(run=run).values_list("person_id", "table_id"))


def newcomer_registered(scenario, name="Late Lou"):
    person = PersonFactory(full_name=name, email=f"{name.split()[0].lower()}@example.org")
    Attendance.objects.create(person=person, conference=scenario.conference)
    return person


def test_i_cant_come_releases_the_seat_and_mails_a_calendar_cancellation(published, commit):
    person = published.newcomers[0]
    table_id = seats(published.run)[person.pk]

    placement = commit(
        live.rsvp_answer, person=person, round=published.round, status=RSVPStatus.NOT_GOING
    )

    assert placement.seated is False
    assert person.pk not in seats(published.run)
    release = SeatRelease.objects.get(round=published.round)
    assert (release.person_id, release.table_id) == (person.pk, table_id)
    assert [m.to for m in mail.outbox] == [[person.email]]
    message = mail.outbox[0]
    assert message.subject == f"Your table at {published.round.name} was released"
    assert "You told us you can't come" in message.body
    (name, ics, kind) = message.attachments[0]
    assert (name, kind) == ("drink-table.ics", "text/calendar")
    assert "METHOD:CANCEL" in ics
    assert "STATUS:CANCELLED" in ics
    assert f"UID:round-{published.round.pk}-person-{person.pk}@drinktables" in ics


def test_a_late_rsvp_is_seated_at_a_table_with_room_and_told_once(published, commit):
    person = newcomer_registered(published)

    placement = commit(
        live.rsvp_answer, person=person, round=published.round, status=RSVPStatus.GOING
    )

    assert placement.seated is True
    assert seats(published.run)[person.pk] == placement.table_id
    assert RoundRSVP.objects.get(person=person, round=published.round).status == "going"
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert mail.outbox[0].subject.endswith(placement.table_label)
    # Nobody else is e-mailed, and answering again changes nothing.
    commit(live.rsvp_answer, person=person, round=published.round, status=RSVPStatus.GOING)
    assert len(mail.outbox) == 1


def test_a_late_rsvp_never_sits_with_someone_they_blocked_or_sat_with(published, commit):
    person = newcomer_registered(published)
    table_members: dict[int, list[int]] = {}
    for pk, table in seats(published.run).items():
        table_members.setdefault(table, []).append(pk)
    tables = sorted(table_members)
    # Blocked by someone at the first table, blocking someone at the second, met (this
    # conference, an earlier published round) someone at the third: only the fourth is left.
    from attendees.models import Block

    Block.objects.create(blocker_id=table_members[tables[0]][0], blocked=person)
    Block.objects.create(blocker=person, blocked_id=table_members[tables[1]][0])
    earlier_round = published.round.__class__.objects.create(
        conference=published.conference,
        name="Earlier drinks",
        starts_at=published.round.starts_at.replace(year=published.round.starts_at.year - 1),
        ends_at=published.round.ends_at.replace(year=published.round.ends_at.year - 1),
    )
    from matching.models import MatchingRun

    earlier_run = MatchingRun.objects.create(round=earlier_round, status="succeeded")
    Seat.objects.create(run=earlier_run, person=person, table_id=tables[2])
    Seat.objects.create(run=earlier_run, person_id=table_members[tables[2]][0], table_id=tables[2])
    published.round.__class__.objects.filter(pk=earlier_round.pk).update(
        status=RoundStatus.HELD, published_run=earlier_run
    )

    placement = commit(
        live.rsvp_answer, person=person, round=published.round, status=RSVPStatus.GOING
    )

    assert placement.table_id == tables[3]


def fill_every_table(scenario):
    """Every table of the published plan full, with new people seated by hand."""
    counts = {}
    for table in seats(scenario.run).values():
        counts[table] = counts.get(table, 0) + 1
    for table in scenario.tables:
        for n in range(table.capacity - counts.get(table.pk, 0)):
            filler = PersonFactory(full_name=f"Filler {table.label} {n}")
            Attendance.objects.create(person=filler, conference=scenario.conference)
            RoundRSVP.objects.create(person=filler, round=scenario.round, status="going")
            Seat.objects.create(run=scenario.run, person=filler, table=table)
            SeatNotification.objects.create(
                round=scenario.round,
                person=filler,
                table=table,
                sent_at=timezone.now(),
                sequence=scenario.round.calendar_sequence,
            )


def test_a_late_rsvp_waits_when_every_table_is_full_and_is_seated_when_a_seat_frees(
    published, commit
):
    fill_every_table(published)
    late = newcomer_registered(published)

    placement = commit(live.rsvp_answer, person=late, round=published.round, status="going")

    assert (placement.seated, placement.waiting) == (False, True)
    assert "waiting list" in placement.message
    assert mail.outbox == []
    leaver = published.returning[0]
    freed = seats(published.run)[leaver.pk]

    commit(live.rsvp_answer, person=leaver, round=published.round, status="not_going")

    assert seats(published.run)[late.pk] == freed
    assert not WaitingEntry.objects.filter(round=published.round).exists()
    assert SeatRelease.objects.get(round=published.round).taken_by_id == late.pk
    assert sorted(m.to[0] for m in mail.outbox) == sorted([leaver.email, late.email])


def test_with_automatic_seating_off_late_rsvps_wait_for_the_organizer(published, commit):
    live.round_auto_seat_set(by=published.organizer, round_id=published.round.pk, on=False)
    published.round.refresh_from_db()
    late = newcomer_registered(published)

    placement = commit(live.rsvp_answer, person=late, round=published.round, status="going")

    assert placement.waiting is True
    assert "organizers will choose your table" in placement.message
    target = published.tables[-1]
    placed = commit(
        live.waiting_place,
        by=published.organizer,
        round_id=published.round.pk,
        person_id=late.pk,
        table_id=target.pk,
    )
    assert (placed.table_id, seats(published.run)[late.pk]) == (target.pk, target.pk)
    assert [m.to for m in mail.outbox] == [[late.email]]


def test_placing_a_waiting_person_at_a_full_table_names_the_reason(published, commit):
    live.round_auto_seat_set(by=published.organizer, round_id=published.round.pk, on=False)
    published.round.refresh_from_db()
    fill_every_table(published)
    late = newcomer_registered(published)
    commit(live.rsvp_answer, person=late, round=published.round, status="going")
    target = published.tables[0]

    with pytest.raises(ServiceError) as refused:
        live.waiting_place(
            by=published.organizer,
            round_id=published.round.pk,
            person_id=late.pk,
            table_id=target.pk,
        )

    assert refused.value.message == (
        f"{late.display_name} cannot sit at table {target.label}: full. Choose another table."
    )


def test_turning_automatic_seating_on_seats_the_waiting_list(published, commit):
    live.round_auto_seat_set(by=published.organizer, round_id=published.round.pk, on=False)
    published.round.refresh_from_db()
    late = newcomer_registered(published)
    commit(live.rsvp_answer, person=late, round=published.round, status="going")

    seated = commit(
        live.round_auto_seat_set, by=published.organizer, round_id=published.round.pk, on=True
    )

    assert seated == 1
    assert late.pk in seats(published.run)


def test_a_walk_in_by_email_is_registered_checked_in_and_seated(published, commit):
    placement = commit(
        live.walk_in,
        by=published.organizer,
        round_id=published.round.pk,
        email="Walk.In@Example.org",
        full_name="Walk In",
    )

    person = Person.objects.get(email="walk.in@example.org")
    assert placement.person_id == person.pk
    assert seats(published.run)[person.pk] == placement.table_id
    rsvp = RoundRSVP.objects.get(person=person, round=published.round)
    assert (rsvp.status, rsvp.checked_in_at is not None) == ("going", True)
    assert [m.to for m in mail.outbox] == [["walk.in@example.org"]]


def test_a_walk_in_when_nothing_fits_changes_nothing(published, commit):
    fill_every_table(published)
    person = newcomer_registered(published)

    with pytest.raises(Conflict) as refused:
        live.walk_in(by=published.organizer, round_id=published.round.pk, person_id=person.pk)

    assert refused.value.message.startswith(f"{person.display_name} was not seated. No table")
    assert "4 full" in refused.value.message
    assert not RoundRSVP.objects.filter(person=person).exists()


def test_a_walk_in_for_another_organizers_round_is_not_found(published):
    from config.exceptions import NotFound
    from tests.factories import OrganizerFactory

    stranger = OrganizerFactory(username="stranger")
    with pytest.raises(NotFound):
        live.walk_in(by=stranger, round_id=published.round.pk, email="x@example.org", full_name="X")


def test_blocking_a_tablemate_tells_the_blocker_and_alerts_the_organizers(published, commit):
    by_table: dict[int, list[int]] = {}
    for pk, table in seats(published.run).items():
        by_table.setdefault(table, []).append(pk)
    table_id, members = next((t, m) for t, m in sorted(by_table.items()) if len(m) >= 2)
    blocker, blocked = Person.objects.get(pk=members[0]), Person.objects.get(pk=members[1])
    published.organizer.email = "olivia@example.org"
    published.organizer.save()

    outcome = commit(live.block_create_live, person=blocker, blocked_id=blocked.pk)

    assert outcome.message == (
        f"You blocked {blocked.full_name}. {blocked.full_name} is at your table at "
        f"{published.round.name}; the organizers have been asked to move one of you. They are "
        "not told who asked."
    )
    assert TableAlert.objects.get(round=published.round).table_id == table_id
    (alert_mail,) = mail.outbox
    assert alert_mail.to == ["olivia@example.org"]
    assert blocker.full_name not in alert_mail.body and blocked.full_name not in alert_mail.body
    (view,) = live.alerts_open(round=published.round)
    assert view.move_person_id in (blocker.pk, blocked.pk)
    assert view.move_table_id != table_id
    mail.outbox.clear()

    moved = commit(
        live.alert_move, by=published.organizer, round_id=published.round.pk, alert_id=view.alert_id
    )

    assert seats(published.run)[moved.person_id] == view.move_table_id
    assert live.alerts_open(round=published.round) == []
    assert [m.to for m in mail.outbox] == [[Person.objects.get(pk=moved.person_id).email]]


def test_blocking_someone_at_another_table_says_you_will_not_be_seated_together(published):
    table_of = seats(published.run)
    blocker = published.returning[0]
    other = next(p for p in published.going if table_of[p.pk] != table_of[blocker.pk])

    outcome = live.block_create_live(person=blocker, blocked_id=other.pk)

    assert outcome.message == f"You blocked {other.full_name}. You will not be seated together."
    assert not TableAlert.objects.exists()


def test_tablemate_ties_are_the_ties_between_people_at_one_table(published):
    from attendees.selectors.people import tie_weights_before_round

    everyone = tie_weights_before_round(
        round=published.round, person_ids=[p.pk for p in published.going]
    )
    table_of = seats(published.run)
    expected = {pair: w for pair, w in everyone.items() if table_of[pair[0]] == table_of[pair[1]]}

    assert live.tablemate_ties(round=published.round) == expected
    assert Encounter.objects.exists()


def test_someone_a_new_plan_seated_is_no_longer_shown_waiting(published, commit):
    from matching.selectors.live import is_waiting, waiting_list

    seated = published.newcomers[0]
    WaitingEntry.objects.create(round=published.round, person=seated)

    assert waiting_list(round=published.round) == []
    assert is_waiting(round=published.round, person=seated) is False
    commit(
        live.rsvp_answer,
        person=published.returning[0],
        round=published.round,
        status="not_going",
    )
    assert not WaitingEntry.objects.filter(person=seated).exists()


def test_the_plan_figures_follow_seats_taken_and_freed_after_publishing(published, commit):
    published.run.refresh_from_db()
    newcomers = published.run.metrics["newcomers"]
    late = newcomer_registered(published)

    commit(live.rsvp_answer, person=late, round=published.round, status=RSVPStatus.GOING)
    published.run.refresh_from_db()
    assert published.run.metrics["newcomers"] == newcomers + 1

    for person in (late, published.newcomers[0]):
        commit(live.rsvp_answer, person=person, round=published.round, status=RSVPStatus.NOT_GOING)
    published.run.refresh_from_db()
    assert published.run.metrics["newcomers"] == newcomers - 1
    assert sum(published.run.metrics["violations"].values()) == 0


def test_changes_close_together_share_one_scoring(published, commit):
    from django.core.cache import cache

    from matching.services import seating

    published.run.refresh_from_db()
    newcomers = published.run.metrics["newcomers"]
    cache.add(seating._rescore_key(published.run.pk), True)  # a scoring is on its way

    commit(
        live.rsvp_answer,
        person=newcomer_registered(published),
        round=published.round,
        status=RSVPStatus.GOING,
    )
    published.run.refresh_from_db()
    assert published.run.metrics["newcomers"] == newcomers  # not asked for twice

    assert seating.plan_rescore(run_id=published.run.pk)["newcomers"] == newcomers + 1
    assert cache.get(seating._rescore_key(published.run.pk)) is None


def test_coming_after_all_gets_the_new_seat_as_a_higher_revision_than_the_cancellation(
    published, commit
):
    person = published.newcomers[0]
    others = SeatNotification.objects.filter(round=published.round).exclude(person=person)
    commit(live.rsvp_answer, person=person, round=published.round, status=RSVPStatus.NOT_GOING)
    (cancellation,) = [m.attachments[0][1] for m in mail.outbox]
    revision = published.round.calendar_sequence
    assert f"SEQUENCE:{revision}" in cancellation and "METHOD:CANCEL" in cancellation
    mail.outbox.clear()

    placement = commit(
        live.rsvp_answer, person=person, round=published.round, status=RSVPStatus.GOING
    )

    assert placement.seated is True
    assert [m.to for m in mail.outbox] == [[person.email]]  # nobody else hears of it
    ics = mail.outbox[0].attachments[0][1]
    assert "METHOD:REQUEST" in ics or "METHOD:PUBLISH" in ics
    assert f"SEQUENCE:{revision + 1}" in ics
    assert set(others.values_list("sequence", flat=True)) == {revision + 1}
