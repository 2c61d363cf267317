import datetime as dt

import pytest

from attendees.selectors.people import is_newcomer, newcomer_ids, tie_weights_before_round
from attendees.ties import encounter_weight, tie_weights_from
from tests.factories import (
    AttendanceFactory,
    ConferenceFactory,
    EncounterFactory,
    MeetupRoundFactory,
    PersonFactory,
)

TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize(
    ("kind", "years", "expected"),
    [
        ("met", 0, 2.0),
        ("seated", 0, 1.0),
        ("imported", 0, 1.0),
        ("met", 3, 1.0),
        ("seated", 6, 0.25),
        ("imported", 1.5, 0.5**0.5),
    ],
)
def test_encounter_weight_halves_every_three_years(kind, years, expected):
    occurred_on = TODAY - dt.timedelta(days=round(years * 365.25))
    assert encounter_weight(kind=kind, occurred_on=occurred_on, as_of=TODAY) == pytest.approx(
        expected, rel=1e-3
    )


def test_encounter_after_the_reference_day_weighs_nothing():
    tomorrow = TODAY + dt.timedelta(days=1)
    assert encounter_weight(kind="met", occurred_on=tomorrow, as_of=TODAY) == 0.0


def test_tie_weight_sums_encounters_of_an_unordered_pair():
    three_years_ago = TODAY - dt.timedelta(days=round(3 * 365.25))
    weights = tie_weights_from(
        [
            (1, 2, "met", TODAY),
            (2, 1, "seated", three_years_ago),
            (1, 3, "imported", TODAY + dt.timedelta(days=10)),
        ],
        as_of=TODAY,
    )
    assert weights == {(1, 2): pytest.approx(2.5, rel=1e-3)}


@pytest.mark.django_db
def test_tie_weights_reads_encounters_between_the_given_people_only():
    ann, bob, cy = PersonFactory(), PersonFactory(), PersonFactory()
    conference = ConferenceFactory(starts_on=TODAY, ends_on=TODAY)
    evening = dt.datetime.combine(TODAY, dt.time(18), tzinfo=dt.UTC)
    meetup_round = MeetupRoundFactory(
        conference=conference, starts_at=evening, ends_at=evening + dt.timedelta(hours=2)
    )
    later = MeetupRoundFactory(
        conference=conference,
        starts_at=evening + dt.timedelta(hours=3),
        ends_at=evening + dt.timedelta(hours=5),
    )
    EncounterFactory(
        person_a=ann,
        person_b=bob,
        kind="met",
        round=meetup_round,
        conference=conference,
        occurred_on=TODAY,
    )
    EncounterFactory(person_a=ann, person_b=bob, conference=None, occurred_on=TODAY)
    EncounterFactory(person_a=ann, person_b=cy, conference=None, occurred_on=TODAY)

    weights = tie_weights_before_round(round=later, person_ids=[ann.pk, bob.pk])

    assert weights == {(min(ann.pk, bob.pk), max(ann.pk, bob.pk)): pytest.approx(3.0)}


@pytest.mark.django_db
def test_newcomer_has_no_earlier_attendance_and_no_earlier_encounter():
    earlier = ConferenceFactory(starts_on=dt.date(2024, 6, 1), ends_on=dt.date(2024, 6, 3))
    now = ConferenceFactory(series=earlier.series, starts_on=TODAY, ends_on=TODAY)
    veteran, met_before, fresh, overridden, forced = (PersonFactory() for _ in range(5))
    AttendanceFactory(person=veteran, conference=earlier)
    EncounterFactory(
        person_a=met_before,
        person_b=PersonFactory(),
        conference=None,
        occurred_on=dt.date(2025, 1, 1),
    )
    for person in (veteran, met_before, fresh):
        AttendanceFactory(person=person, conference=now)
    AttendanceFactory(person=overridden, conference=now, newcomer_override=False)
    AttendanceFactory(person=forced, conference=now, newcomer_override=True)
    AttendanceFactory(person=forced, conference=earlier)

    assert newcomer_ids(conference=now) == {fresh.pk, forced.pk}
    # A table's worth of people asks the same rule.
    assert [
        p.pk in newcomer_ids(conference=now, person_ids=[p.pk])
        for p in (veteran, met_before, fresh, overridden, forced)
    ] == [False, False, True, False, True]


@pytest.mark.parametrize(
    ("override", "attended_before", "met_before", "newcomer"),
    [
        (None, False, False, True),
        (None, True, False, False),
        (None, False, True, False),
        (True, True, True, True),
        (False, False, False, False),
    ],
)
def test_the_newcomer_rule(override, attended_before, met_before, newcomer):
    assert (
        is_newcomer(override=override, attended_before=attended_before, met_before=met_before)
        is newcomer
    )


@pytest.mark.django_db
def test_everyone_is_a_newcomer_at_a_first_edition():
    first = ConferenceFactory()
    people = [AttendanceFactory(conference=first).person for _ in range(3)]
    assert newcomer_ids(conference=first) == {p.pk for p in people}
