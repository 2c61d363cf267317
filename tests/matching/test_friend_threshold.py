"""Tie strength through the Django run path (docs/design.md §3, issue 15.3): a single table
shared years ago is not a friendship, close ties are; the plan page shows circle strength."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from attendees.enums import EncounterKind
from attendees.ties import encounter_weight
from matching.services.problem import build_problem
from tests.factories import (
    AttendanceFactory,
    DrinkTableFactory,
    EncounterFactory,
    MeetupRoundFactory,
    OrganizerFactory,
    PersonFactory,
    RoundRSVPFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted():
    """Two tables of four; four returning people in two pairs and four newcomers. Ann and Bob
    met once five years ago (weight 0.31); Cy and Dee met last year and the year before (1.42).
    """
    organizer = OrganizerFactory()
    meetup_round = MeetupRoundFactory()
    conference = meetup_round.conference
    conference.organizers.add(organizer)
    for label in ("A", "B"):
        DrinkTableFactory(conference=conference, label=label, capacity=4)
    names = ["Ann", "Bob", "Cy", "Dee", "New 1", "New 2", "New 3", "New 4"]
    people = {name: PersonFactory(full_name=name) for name in names}
    for person in people.values():
        AttendanceFactory(person=person, conference=conference)
        RoundRSVPFactory(person=person, round=meetup_round)
    today = timezone.localdate()
    weak_day = today - dt.timedelta(days=5 * 365)
    strong_days = [today - dt.timedelta(days=365), today - dt.timedelta(days=730)]
    imported = EncounterKind.IMPORTED
    EncounterFactory(
        person_a=people["Ann"], person_b=people["Bob"], conference=None, occurred_on=weak_day
    )
    for day in strong_days:
        EncounterFactory(
            person_a=people["Cy"], person_b=people["Dee"], conference=None, occurred_on=day
        )
    as_of = meetup_round.local_date
    weak = encounter_weight(kind=imported, occurred_on=weak_day, as_of=as_of)
    strong = sum(encounter_weight(kind=imported, occurred_on=d, as_of=as_of) for d in strong_days)
    assert weak < 0.6 < strong
    return organizer, meetup_round, people, weak, strong


def test_a_weak_old_tie_makes_no_circle_and_a_strong_one_does(planted, solve):
    organizer, meetup_round, people, _weak, strong = planted

    run = solve(meetup_round, by=organizer)

    assert run.metrics["circle_tables"] == 1
    assert run.metrics["circle_strength"] == pytest.approx(strong, abs=1e-3)
    # Only the two newcomers at Cy and Dee's table sit with a circle of friends.
    assert run.metrics["welcome_rate"] == 0.5
    # Ann and Bob are not friends: nobody expects them to sit together (anchor counts Cy, Dee).
    assert run.metrics["anchor_eligible"] == 2


@override_settings(MATCHING_FRIEND_THRESHOLD=0)
def test_with_threshold_zero_every_past_encounter_is_a_friendship(planted, solve):
    organizer, meetup_round, _people, weak, strong = planted

    assert build_problem(round=meetup_round).options.friend_threshold == 0
    run = solve(meetup_round, by=organizer)

    assert run.metrics["circle_tables"] == 2
    assert run.metrics["circle_strength"] == pytest.approx((weak + strong) / 2, abs=1e-3)
    assert run.metrics["welcome_rate"] == 1.0
    assert run.metrics["anchor_eligible"] == 4


def test_the_problem_carries_the_threshold_of_the_settings(planted):
    _organizer, meetup_round, _people, _weak, _strong = planted

    assert build_problem(round=meetup_round).options.friend_threshold == 0.6
    with override_settings(MATCHING_FRIEND_THRESHOLD=1.5):
        assert build_problem(round=meetup_round).options.friend_threshold == 1.5


def test_the_plan_page_shows_the_mean_circle_strength(planted, solve, client):
    organizer, meetup_round, _people, _weak, strong = planted
    solve(meetup_round, by=organizer)
    client.force_login(organizer)

    response = client.get(reverse("organize:round_plan", args=[meetup_round.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Circle strength: {strong:.2f}" in html
    assert "over the 1 table with a circle" in html
    assert "tie weight of at least 0.6" in html


def test_the_api_run_and_the_plan_file_report_circle_strength(planted, solve, client):
    organizer, meetup_round, _people, _weak, strong = planted
    run = solve(meetup_round, by=organizer)
    client.force_login(organizer)

    got = client.get(f"/api/v1/runs/{run.pk}/").json()
    plan_file = client.get(f"/api/v1/rounds/{meetup_round.pk}/plan/?format=v1").json()

    assert got["metrics"]["circle_strength"] == pytest.approx(strong, abs=1e-3)
    assert got["metrics"]["circle_tables"] == 1
    assert plan_file["metrics"]["circle_strength"] == got["metrics"]["circle_strength"]
