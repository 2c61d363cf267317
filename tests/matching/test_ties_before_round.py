"""Who knew whom before a round: one rule (attendees.selectors.people.encounters_before_round)
for the organizer's plan and the attendee's table, so a round explains itself the same way
before and after it is marked held."""

import datetime as dt
from itertools import combinations

import pytest
from django.utils import timezone

from attendees.enums import EncounterKind
from attendees.models import Encounter
from attendees.selectors.people import counts_before_round, encounters_before_round
from attendees.services import encounters_create
from matching.models import Seat
from matching.selectors.plans import plan_for
from matching.selectors.tables import tablemates_for
from matching.services import lifecycle
from tests.factories import EncounterFactory, MeetupRoundFactory
from tests.matching.scenario import build_round

pytestmark = pytest.mark.django_db


def organizer_view(meetup_round):
    plan = plan_for(round=meetup_round)
    return {
        (table.table.label, seat.pk): (seat.friends, seat.reasons, seat.warnings, table.circle)
        for table in plan.tables
        for seat in table.seats
    }


def attendee_view(meetup_round, people):
    return {
        person.pk: [
            (mate.person_id, mate.reasons)
            for mate in tablemates_for(person=person, round=meetup_round)
        ]
        for person in people
    }


def test_explanations_of_a_held_round_equal_those_from_before_it(organizer, solve):
    past = build_round(
        organizer=organizer, label="past", starts_at=timezone.now() - dt.timedelta(hours=4)
    )
    run = solve(past.round)
    lifecycle.round_publish(round_id=past.round.pk, by=None, notify=False)
    past.round.refresh_from_db()
    before_plan = organizer_view(past.round)
    before_tables = attendee_view(past.round, past.going)

    lifecycle.round_mark_held(round_id=past.round.pk, by=None)
    # Some tablemates confirm they met there: also encounters of this round.
    by_table: dict[int, list[int]] = {}
    for person_id, table_id in Seat.objects.filter(run=run).values_list("person_id", "table_id"):
        by_table.setdefault(table_id, []).append(person_id)
    met = [
        tuple(sorted(pair)) for members in by_table.values() for pair in combinations(members, 2)
    ][::3]
    encounters_create(round=past.round, pairs=met, kind=EncounterKind.MET)
    past.round.refresh_from_db()

    assert Encounter.objects.filter(round=past.round).count() > 0
    assert organizer_view(past.round) == before_plan
    assert attendee_view(past.round, past.going) == before_tables
    # Before holding, someone had a friend at their table; the round adds nobody to that.
    assert any(friends for friends, _, _, _ in before_plan.values())


def test_encounters_count_before_a_round_only_when_earlier(organizer):
    scenario = build_round(organizer=organizer, label="rule")
    meetup_round = scenario.round
    ann, bob = scenario.newcomers[:2]
    day = meetup_round.local_date
    earlier_same_day = MeetupRoundFactory(
        conference=scenario.conference,
        starts_at=meetup_round.starts_at - dt.timedelta(hours=3),
        ends_at=meetup_round.starts_at - dt.timedelta(hours=2),
    )
    later_same_day = MeetupRoundFactory(
        conference=scenario.conference,
        starts_at=meetup_round.starts_at + dt.timedelta(hours=3),
        ends_at=meetup_round.starts_at + dt.timedelta(hours=4),
    )
    counted = [
        EncounterFactory(person_a=ann, person_b=bob, conference=None, occurred_on=day),
        EncounterFactory(
            person_a=ann, person_b=bob, round=earlier_same_day, conference=None, occurred_on=day
        ),
    ]
    left_out = [
        EncounterFactory(
            person_a=ann, person_b=bob, round=meetup_round, conference=None, occurred_on=day
        ),
        EncounterFactory(
            person_a=ann, person_b=bob, round=later_same_day, conference=None, occurred_on=day
        ),
        EncounterFactory(
            person_a=ann,
            person_b=bob,
            conference=None,
            occurred_on=day + dt.timedelta(days=1),
        ),
    ]

    found = set(encounters_before_round(round=meetup_round, person_ids=[ann.pk, bob.pk]))

    assert found == set(counted)
    for encounter in counted + left_out:
        at = (encounter.round.starts_at, encounter.round_id) if encounter.round_id else None
        assert counts_before_round(
            occurred_on=encounter.occurred_on, at=at, round=meetup_round
        ) == (encounter in counted)
