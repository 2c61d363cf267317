"""Changes after publishing against real PostgreSQL, Redis and a Celery worker: a late RSVP
and "I can't come" e-mailed by the worker; two late RSVPs racing for the last seat."""

import threading

from django.db import connections
from django.utils import timezone

from attendees.models import Attendance, RoundRSVP
from matching.models import Seat, SeatNotification, WaitingEntry
from matching.services import live, runs
from tests.factories import OrganizerFactory, PersonFactory
from tests.matching.scenario import build_round

from .test_runs_live import finished
from .worker import wait_for


def published_round(worker, smtp_sink, label: str):
    from matching.services import lifecycle

    organizer = OrganizerFactory(username=f"{label}-olivia")
    scenario = build_round(organizer=organizer, label=label)
    run = runs.run_request(round_id=scenario.round.pk, by=organizer, time_limit_s=2, seed=5).run
    finished(run, worker)
    lifecycle.round_publish(round_id=scenario.round.pk, by=organizer)
    wait_for(
        lambda: len(smtp_sink.messages) >= len(scenario.going),
        timeout_s=30,
        message=lambda: worker.log_tail(),
    )
    smtp_sink.clear()
    scenario.round.refresh_from_db()
    return scenario


def late_person(scenario, name: str):
    person = PersonFactory(full_name=name, email=f"{name.split()[0].lower()}@example.org")
    Attendance.objects.create(person=person, conference=scenario.conference)
    return person


def test_a_late_rsvp_and_i_cant_come_are_e_mailed_by_the_worker(celery_worker, smtp_sink):
    scenario = published_round(celery_worker, smtp_sink, "late")
    late = late_person(scenario, "Lou Late")

    placement = live.rsvp_answer(person=late, round=scenario.round, status="going")

    assert placement.seated
    wait_for(lambda: len(smtp_sink.messages) == 1, timeout_s=30, message=celery_worker.log_tail)
    recipients, message = smtp_sink.messages[0]
    assert recipients == [late.email]
    assert message["Subject"].endswith(placement.table_label)

    live.rsvp_answer(person=late, round=scenario.round, status="not_going")

    wait_for(lambda: len(smtp_sink.messages) == 2, timeout_s=30, message=celery_worker.log_tail)
    recipients, message = smtp_sink.messages[1]
    assert recipients == [late.email]
    (calendar,) = [part.get_content() for part in message.iter_attachments()]
    assert "METHOD:CANCEL" in calendar
    assert SeatNotification.objects.get(round=scenario.round, person=late).table_id is None


def test_two_late_rsvps_never_take_the_last_seat_twice(celery_worker, smtp_sink):
    scenario = published_round(celery_worker, smtp_sink, "race")
    run_id = scenario.round.published_run_id
    counts: dict[int, int] = {}
    for table_id in Seat.objects.filter(run_id=run_id).values_list("table_id", flat=True):
        counts[table_id] = counts.get(table_id, 0) + 1
    # Every seat taken but one.
    free = [(t, t.capacity - counts.get(t.pk, 0)) for t in scenario.tables]
    last_table = free[0][0]
    n = 0
    for table, room in free:
        for _ in range(room - (1 if table == last_table else 0)):
            filler = PersonFactory(full_name=f"Filler {n}")
            n += 1
            Attendance.objects.create(person=filler, conference=scenario.conference)
            RoundRSVP.objects.create(person=filler, round=scenario.round, status="going")
            Seat.objects.create(run_id=run_id, person=filler, table=table)
            SeatNotification.objects.create(
                round=scenario.round,
                person=filler,
                table=table,
                sent_at=timezone.now(),
                sequence=scenario.round.calendar_sequence,
            )
    racers = [late_person(scenario, f"Racer{n} Late") for n in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def answer(person):
        try:
            barrier.wait(timeout=10)
            live.rsvp_answer(person=person, round=scenario.round, status="going")
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(person,)) for person in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    seated = Seat.objects.filter(run_id=run_id, person__in=racers)
    waiting = WaitingEntry.objects.filter(round=scenario.round, person__in=racers)
    assert (seated.count(), waiting.count()) == (1, 1)
    assert seated.get().table_id == last_table.pk
    assert Seat.objects.filter(run_id=run_id, table=last_table).count() == last_table.capacity
