"""The friends-first baseline through the real matching engine."""

import datetime as dt

import pytest

from matching import engine
from matching.engine import baselines
from organize.insights import baseline, conference_insights
from tests.factories import (
    AttendanceFactory,
    ConferenceFactory,
    DrinkTableFactory,
    EncounterFactory,
    MatchingRunFactory,
    MeetupRoundFactory,
    PersonFactory,
    RoundRSVPFactory,
    SeatFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def evening():
    earlier = ConferenceFactory(starts_on=dt.date(2024, 6, 1), ends_on=dt.date(2024, 6, 3))
    conference = ConferenceFactory(
        series=earlier.series, starts_on=dt.date(2025, 6, 1), ends_on=dt.date(2025, 6, 3)
    )
    meetup = MeetupRoundFactory(
        conference=conference, starts_at=dt.datetime(2025, 6, 1, 18, tzinfo=dt.UTC)
    )
    tables = [DrinkTableFactory(conference=conference, capacity=3) for _ in range(2)]
    people = {
        name: PersonFactory(full_name=name) for name in ("Ann", "Bo", "Cy", "Dee", "Nia", "Noa")
    }
    for name, person in people.items():
        AttendanceFactory(person=person, conference=conference)
        if name in ("Ann", "Bo", "Cy", "Dee"):
            AttendanceFactory(person=person, conference=earlier)
        RoundRSVPFactory(person=person, round=meetup)
    EncounterFactory(person_a=people["Ann"], person_b=people["Bo"], conference=earlier)
    EncounterFactory(person_a=people["Cy"], person_b=people["Dee"], conference=earlier)
    run = MatchingRunFactory(round=meetup, seed=5)
    # The real plan mixes: each newcomer with a pair of friends.
    for table, names in zip(tables, (("Ann", "Bo", "Nia"), ("Cy", "Dee", "Noa")), strict=True):
        for name in names:
            SeatFactory(run=run, person=people[name], table=table)
    return {"conference": conference, "round": meetup, "people": people, "tables": tables}


def test_friends_first_seats_the_rounds_engine_problem(evening, monkeypatch):
    seen = []

    def spy(problem, seed=0):
        seen.append((problem, seed))
        solution = friends_first(problem, seed)
        seen.append(solution)
        return solution

    friends_first = baselines.friends_first
    monkeypatch.setattr(baselines, "friends_first", spy)
    p = evening["people"]

    conference_insights(conference=evening["conference"])

    (problem, seed), solution = seen
    assert seed == 5
    assert {person.id for person in problem.people} == {f"p{person.pk}" for person in p.values()}
    assert {(tie.a, tie.b) for tie in problem.ties} == {
        tuple(sorted((f"p{p[a].pk}", f"p{p[b].pk}"))) for a, b in (("Ann", "Bo"), ("Cy", "Dee"))
    }
    assert problem.history == ()
    (plan,) = solution.rounds
    assert sorted(plan.tables) == sorted(f"t{t.pk}" for t in evening["tables"])
    seated = sorted(pk for people in plan.tables.values() for pk in people)
    assert seated == sorted(f"p{person.pk}" for person in p.values())
    assert all(len(people) <= 3 for people in plan.tables.values())
    ann_table = next(people for people in plan.tables.values() if f"p{p['Ann'].pk}" in people)
    assert f"p{p['Bo'].pk}" in ann_table


def test_insights_compare_the_plan_with_friends_first_from_the_engine(evening):
    insights = conference_insights(conference=evening["conference"])

    (only,) = insights.rounds
    assert (only.plan.welcomed, only.plan.newcomers) == (2, 2)
    compared = only.friends_first
    assert (compared.seated, compared.newcomers, compared.anchor_eligible) == (6, 2, 4)
    assert all(table.size <= 3 for table in compared.composition)
    # Friends first fills tables with old friends and leaves newcomers the seats that are
    # left: no newcomer finds more of a circle than in the plan.
    assert compared.welcomed <= only.plan.welcomed


def test_a_round_the_engine_cannot_seat_has_no_baseline():
    people = tuple(engine.Person(id=f"p{n}") for n in range(2))
    problem = engine.Problem(
        rounds=1,
        people=people,
        tables=(engine.Table(id="t1", capacity=1),),
        together=(tuple(p.id for p in people),),
    )

    assert baseline.friends_first_seating(problem=problem, seed=1) is None
