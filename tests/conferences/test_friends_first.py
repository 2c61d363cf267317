"""The friends-first baseline through the real matching engine."""

import datetime as dt

import pytest

from attendees.selectors import newcomer_ids
from conferences.insights import baseline, conference_insights
from matching import engine
from matching.engine import baselines
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


def stand_in_build_problem(*, round, seed=0):
    """What matching.services.build_problem gives (runs branch), reduced to what this needs.

    It deliberately adds a tie between the first two people, which the baseline must replace
    by the ties before the round.
    """
    going = sorted(round.rsvps.filter(status="going").values_list("person_id", flat=True))
    newcomers = newcomer_ids(conference=round.conference)
    return engine.Problem(
        rounds=1,
        people=tuple(engine.Person(id=f"p{pk}", newcomer=pk in newcomers) for pk in going),
        tables=tuple(
            engine.Table(id=f"t{t.pk}", capacity=t.capacity)
            for t in round.conference.tables.filter(active=True)
        ),
        ties=(engine.Tie(a=f"p{going[0]}", b=f"p{going[1]}", weight=9.0),),
        seed=seed,
    )


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


def test_friends_first_seats_the_round_from_the_ties_before_it(evening, monkeypatch):
    seen = []

    def spy(problem, seed=0):
        seen.append((problem, seed))
        return friends_first(problem, seed)

    friends_first = baselines.friends_first
    monkeypatch.setattr(baselines, "friends_first", spy)
    p = evening["people"]
    ties = {(min(p["Ann"].pk, p["Bo"].pk), max(p["Ann"].pk, p["Bo"].pk)): 0.8}

    seating = baseline.friends_first_seating(
        round=evening["round"],
        seed=5,
        ties=ties,
        history=[[p["Ann"].pk, p["Cy"].pk, 999]],
        build_problem=stand_in_build_problem,
    )

    ((problem, seed),) = seen
    assert seed == 5
    assert problem.ties == (
        engine.Tie(
            a=f"p{min(p['Ann'].pk, p['Bo'].pk)}", b=f"p{max(p['Ann'].pk, p['Bo'].pk)}", weight=0.8
        ),
    )
    # History keeps only people of the round.
    assert problem.history == (tuple(sorted((f"p{p['Ann'].pk}", f"p{p['Cy'].pk}"))),)
    assert sorted(seating) == sorted(t.pk for t in evening["tables"])
    seated = sorted(pk for people in seating.values() for pk in people)
    assert seated == sorted(person.pk for person in p.values())
    assert all(len(people) <= 3 for people in seating.values())
    ann_table = next(t for t, people in seating.items() if p["Ann"].pk in people)
    assert p["Bo"].pk in seating[ann_table]


def test_insights_compare_the_plan_with_friends_first_from_the_engine(evening, monkeypatch):
    def seating(**kwargs):
        return baseline.friends_first_seating(build_problem=stand_in_build_problem, **kwargs)

    insights = conference_insights(conference=evening["conference"], baseline_seating=seating)

    (only,) = insights.rounds
    assert (only.plan.welcomed, only.plan.newcomers) == (2, 2)
    compared = only.friends_first
    assert (compared.seated, compared.newcomers, compared.anchor_candidates) == (6, 2, 4)
    assert all(table.size <= 3 for table in compared.composition)
    # Friends first fills tables with old friends and leaves newcomers the seats that are
    # left: no newcomer finds more of a circle than in the plan.
    assert compared.welcomed <= only.plan.welcomed


def test_without_the_problem_builder_there_is_no_baseline(evening, monkeypatch):
    monkeypatch.setattr(baseline, "_default_builder", lambda: None)

    assert (
        baseline.friends_first_seating(round=evening["round"], seed=1, ties={}, history=[]) is None
    )


def test_with_the_real_problem_builder():
    """Runs once matching.services (the runs branch) is merged."""
    services = pytest.importorskip("matching.services")
    assert baseline._default_builder() is services.build_problem


def test_a_round_the_engine_cannot_seat_has_no_baseline(evening):
    def nobody_fits(*, round, seed=0):
        problem = stand_in_build_problem(round=round, seed=seed)
        return engine.Problem(
            rounds=1,
            people=problem.people,
            tables=(engine.Table(id=problem.tables[0].id, capacity=1),),
            together=(tuple(p.id for p in problem.people[:2]),),
        )

    assert (
        baseline.friends_first_seating(
            round=evening["round"], seed=1, ties={}, history=[], build_problem=nobody_fits
        )
        is None
    )
