"""The door page (search, check-in, walk-ins, counts) and the plan page's changes after
publishing (waiting list, released seats, alerts, automatic seating)."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from attendees.models import Attendance, RoundRSVP
from conferences.enums import RoundStatus
from conferences.models import MeetupRound
from matching.models import Seat, TableAlert, WaitingEntry
from matching.selectors.live import door_counts
from matching.services import lifecycle, live
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(scenario, solve, django_capture_on_commit_callbacks, client):
    solve(scenario.round)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.round_transition(
            round_id=scenario.round.pk, to=RoundStatus.PUBLISHED, by=scenario.organizer
        )
    scenario.round.refresh_from_db()
    mail.outbox.clear()
    client.force_login(scenario.organizer)
    return scenario


def door_url(scenario, **query):
    url = reverse("organize:door", args=[scenario.round.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def test_the_door_finds_a_name_and_shows_the_table(published, client):
    person = published.newcomers[0]
    table = Seat.objects.get(run=published.round.published_run, person=person).table

    page = client.get(door_url(published, q="Newcomer0", part="search"), HTTP_HX_REQUEST="true")

    text = page.content.decode()
    assert page.status_code == 200
    assert person.full_name in text
    assert f"Table <strong>{table.label}</strong>" in text
    assert f'aria-label="Check in {person.full_name}"' in text


def test_check_in_and_undo(published, client):
    person = published.returning[0]
    url = reverse("organize:door_check_in", args=[published.round.pk])

    answer = client.post(
        url, {"person": person.pk, "checked_in": "on", "q": "Returning0"}, HTTP_HX_REQUEST="true"
    )

    assert "is checked in. Table" in answer.content.decode()
    assert RoundRSVP.objects.get(person=person, round=published.round).checked_in_at is not None
    client.post(url, {"person": person.pk, "q": "Returning0"})
    assert RoundRSVP.objects.get(person=person, round=published.round).checked_in_at is None


def test_a_walk_in_from_the_door_page(published, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("organize:door_walk_in", args=[published.round.pk]),
            {"email": "walker@example.org", "full_name": "Wanda Walker"},
            follow=True,
        )

    assert "Wanda Walker is seated at table" in answer.content.decode()
    assert [m.to for m in mail.outbox] == [["walker@example.org"]]


def test_counts_per_table_and_a_merge_for_small_tables(published):
    run_id = published.round.published_run_id
    by_table: dict[int, list[int]] = {}
    for person_id, table_id in Seat.objects.filter(run_id=run_id).values_list(
        "person_id", "table_id"
    ):
        by_table.setdefault(table_id, []).append(person_id)
    small_table, *others = sorted(by_table)
    checked = by_table[small_table][:1] + [p for t in others for p in by_table[t]]
    RoundRSVP.objects.filter(round=published.round, person_id__in=checked).update(
        checked_in_at=timezone.now()
    )

    before = door_counts(round=published.round)
    after = door_counts(round=published.round, small_after=timezone.now() - dt.timedelta(1))

    assert before.merges == [] and before.small_flagged is False
    assert before.seated == len(published.going) and before.checked_in == len(checked)
    assert [(m.table_label, m.checked_in) for m in after.merges] == [
        (next(c.label for c in after.tables if c.table_id == small_table), 1)
    ]
    assert after.merges[0].into_label


def test_the_plan_page_shows_the_waiting_list_and_released_seats(
    published, client, django_capture_on_commit_callbacks
):
    live.round_auto_seat_set(by=published.organizer, round_id=published.round.pk, on=False)
    published.round.refresh_from_db()
    late = PersonFactory(full_name="Late Lou")
    Attendance.objects.create(person=late, conference=published.conference)
    leaver = published.returning[1]
    with django_capture_on_commit_callbacks(execute=True):
        live.rsvp_answer(person=late, round=published.round, status="going")
        live.rsvp_answer(person=leaver, round=published.round, status="not_going")

    page = client.get(reverse("organize:round_plan", args=[published.round.pk]))

    text = page.content.decode()
    assert "Waiting list (1)" in text
    assert "<strong>Late Lou</strong>" in text
    assert f"{leaver.full_name} can't come" in text
    answer = client.post(
        reverse("organize:waiting_place", args=[published.round.pk]),
        {"person": late.pk, "table": ""},
        follow=True,
    )
    assert "Late Lou sits at table" in answer.content.decode()
    assert not WaitingEntry.objects.exists()


def test_an_alert_of_another_round_cannot_be_used(published, client):
    other = MeetupRound.objects.create(
        conference=published.conference,
        name="Other",
        starts_at=published.round.starts_at,
        ends_at=published.round.ends_at,
    )
    people = published.going[:2]
    alert = TableAlert.objects.create(
        round=other, table=published.tables[0], person_a=people[0], person_b=people[1]
    )

    answer = client.post(
        reverse("organize:alert_move", args=[published.round.pk]), {"alert": alert.pk}, follow=True
    )

    assert "This alert is already resolved." in answer.content.decode()
    assert TableAlert.objects.get(pk=alert.pk).resolved_at is None


def test_the_plan_page_shows_an_alert_without_names_and_a_suggested_move(published, client):
    run_id = published.round.published_run_id
    seats = dict(Seat.objects.filter(run_id=run_id).values_list("person_id", "table_id"))
    a = published.going[0]
    b = next(p for p in published.going[1:] if seats[p.pk] == seats[a.pk])
    live.block_create_live(person=a, blocked_id=b.pk)

    text = client.get(reverse("organize:round_plan", args=[published.round.pk])).content.decode()

    assert "needs a change:</strong> two people there must not sit together" in text
    assert "Suggested: move" in text


def test_door_page_of_a_round_not_yet_published_says_so(scenario, client):
    client.force_login(scenario.organizer)
    page = client.get(reverse("organize:door", args=[scenario.round.pk]))
    assert "The plan is not published" in page.content.decode()


def test_the_door_and_the_waiting_list_read_as_many_queries_for_many_people_as_for_one(
    published, client, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    live.round_auto_seat_set(by=published.organizer, round_id=published.round.pk, on=False)
    published.round.refresh_from_db()

    def arrive(numbers):
        for number in numbers:
            late = PersonFactory(full_name=f"Late{number} Lou")
            Attendance.objects.create(person=late, conference=published.conference)
            with django_capture_on_commit_callbacks(execute=True):
                live.rsvp_answer(person=late, round=published.round, status="going")
            live.check_in_set(
                by=published.organizer,
                round_id=published.round.pk,
                person_id=published.returning[number].pk,
                checked_in=True,
            )

    pages = [
        (reverse("organize:round_plan", args=[published.round.pk]), {}),
        (door_url(published), {}),
        (door_url(published, q="Late", part="search"), {"HTTP_HX_REQUEST": "true"}),
        (door_url(published, q="Returning", part="search"), {"HTTP_HX_REQUEST": "true"}),
    ]

    def queries() -> list[int]:
        counts = []
        for url, headers in pages:
            with CaptureQueriesContext(connection) as read:
                assert client.get(url, **headers).status_code == 200
            counts.append(len(read))
        return counts

    arrive([0])
    queries()  # what a first visit reads once (the session's first save, ...)
    one = queries()
    arrive([1, 2, 3])

    assert WaitingEntry.objects.filter(round=published.round).count() == 4
    assert queries() == one
