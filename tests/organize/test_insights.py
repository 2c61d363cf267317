"""Insights, checked against a small history built by hand.

NECC 2023: Ann, Bo and Xi come for the first time; Ann and Bo meet, Ann and Xi meet.
NECC 2024: Ann and Xi come back; Cy, Dee and Eve are new; Cy and Dee meet.
NECC 2025: Ann, Bo, Cy, Dee, Eve return; Nia and Noa are new. Two evening rounds:
  round 1 (held): T1 = Ann, Bo, Nia · T2 = Cy, Eve, Noa
  round 2:        T1 = Ann, Bo, Noa · T2 = Cy, Dee, Nia
Nia and Ann like open source, Noa likes assessment.
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendees.enums import EncounterKind
from attendees.models import Attendance
from attendees.selectors.people import newcomer_ids
from conferences.enums import RoundStatus
from matching import engine
from organize.insights import conference_insights, series_insights
from tests.factories import (
    AttendanceFactory,
    ConferenceFactory,
    DrinkTableFactory,
    EncounterFactory,
    MatchingRunFactory,
    MeetupRoundFactory,
    OrganizerFactory,
    PersonFactory,
    RoundRSVPFactory,
    SeatFactory,
    SeriesFactory,
    SitTogetherFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def evening(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 16, 0, tzinfo=dt.UTC)  # 18:00 in Paris


def seat(meetup, tables, seating: dict[str, list], *, seed=0):
    run = MatchingRunFactory(round=meetup, seed=seed)
    for label, people in seating.items():
        for person in people:
            SeatFactory(run=run, person=person, table=tables[label])
    return run


@pytest.fixture
def history():
    series = SeriesFactory(name="NECC")
    e1, e2, e3 = (
        ConferenceFactory(
            series=series,
            name=f"NECC {year}",
            slug=f"necc-{year}",
            starts_on=dt.date(year, 6, 28),
            ends_on=dt.date(year, 7, 1),
        )
        for year in (2023, 2024, 2025)
    )
    organizer = OrganizerFactory(conferences=[e1, e2, e3])
    open_source = TopicFactory(name="Open source", slug="open-source")
    assessment = TopicFactory(name="Assessment", slug="assessment")
    p = {
        name: PersonFactory(full_name=name)
        for name in ("Ann", "Bo", "Xi", "Cy", "Dee", "Eve", "Nia", "Noa")
    }
    p["Ann"].topics.add(open_source)
    p["Nia"].topics.add(open_source)
    p["Noa"].topics.add(assessment)
    for edition, names in (
        (e1, ["Ann", "Bo", "Xi"]),
        (e2, ["Ann", "Cy", "Dee", "Eve", "Xi"]),
        (e3, ["Ann", "Bo", "Cy", "Dee", "Eve", "Nia", "Noa"]),
    ):
        for name in names:
            AttendanceFactory(person=p[name], conference=edition)
    EncounterFactory(person_a=p["Ann"], person_b=p["Bo"], conference=e1)
    EncounterFactory(person_a=p["Ann"], person_b=p["Xi"], conference=e1)
    EncounterFactory(person_a=p["Cy"], person_b=p["Dee"], conference=e2)

    tables = {label: DrinkTableFactory(conference=e3, label=label) for label in ("T1", "T2")}
    round_1 = MeetupRoundFactory(
        conference=e3, name="Round 1", starts_at=evening(dt.date(2025, 6, 29))
    )
    round_2 = MeetupRoundFactory(
        conference=e3, name="Round 2", starts_at=evening(dt.date(2025, 6, 30))
    )
    first = seat(
        round_1,
        tables,
        {"T1": [p["Ann"], p["Bo"], p["Nia"]], "T2": [p["Cy"], p["Eve"], p["Noa"]]},
        seed=11,
    )
    round_1.status, round_1.published_run = RoundStatus.HELD, first
    round_1.save(update_fields=["status", "published_run"])
    for table in (["Ann", "Bo", "Nia"], ["Cy", "Eve", "Noa"]):
        for i, a in enumerate(table):
            for b in table[i + 1 :]:
                EncounterFactory(
                    person_a=p[a],
                    person_b=p[b],
                    kind=EncounterKind.SEATED,
                    conference=e3,
                    round=round_1,
                    occurred_on=dt.date(2025, 6, 29),
                )
    seat(
        round_2,
        tables,
        {"T1": [p["Ann"], p["Bo"], p["Noa"]], "T2": [p["Cy"], p["Dee"], p["Nia"]]},
        seed=22,
    )
    round_2.status = RoundStatus.MATCHED
    round_2.save(update_fields=["status"])
    # Neither a cancelled round nor one without a plan counts.
    cancelled = MeetupRoundFactory(
        conference=e3, starts_at=evening(dt.date(2025, 6, 30)), status=RoundStatus.CANCELLED
    )
    seat(cancelled, tables, {"T1": [p["Ann"], p["Bo"], p["Cy"], p["Dee"]]})
    MeetupRoundFactory(conference=e3, starts_at=evening(dt.date(2025, 7, 1)))
    return {
        "editions": (e1, e2, e3),
        "organizer": organizer,
        "people": p,
        "tables": tables,
        "rounds": (round_1, round_2),
    }


def pair(first, second) -> tuple[int, int]:
    return (min(first.pk, second.pk), max(first.pk, second.pk))


def figures(seating) -> tuple:
    return (
        seating.seated,
        seating.newcomers,
        seating.welcomed,
        seating.anchor_eligible,
        seating.anchored,
        seating.topic_newcomers,
        seating.topic_matched,
        seating.repeat_pairs,
        seating.small_tables,
    )


def key(person) -> str:
    return f"p{person.pk}"


def solution(seating: dict) -> engine.Solution:
    """A one-round engine solution from {table: [people]}."""
    tables = {f"t{table.pk}": tuple(key(p) for p in people) for table, people in seating.items()}
    return engine.Solution(rounds=(engine.RoundPlan(round=1, tables=tables),))


def no_baseline(**kwargs):
    return None


def test_each_round_is_scored_from_its_plan(history):
    insights = conference_insights(conference=history["editions"][2], friends_first=no_baseline)

    assert [r.round.name for r in insights.rounds] == ["Round 1", "Round 2"]
    first, second = insights.rounds
    # Round 1: Nia sits with Ann and Bo, who know each other; Noa's tablemates Cy and Eve
    # do not. Ann and Bo have a friend in the room and sit together. Cy's friend Dee is not
    # there; Eve only met Cy at this very round, which does not count before it.
    assert figures(first.plan) == (6, 2, 1, 2, 2, 2, 1, 0, 0)
    assert (first.plan.welcome_rate, first.plan.anchor_rate, first.plan.topic_rate) == (
        0.5,
        1.0,
        0.5,
    )
    assert first.composition() == [("T1", 2, 1), ("T2", 2, 1)]
    # Round 2: both newcomers get a circle; Ann and Bo share a table a second time.
    assert figures(second.plan) == (6, 2, 2, 4, 4, 2, 0, 1, 0)
    assert second.plan.newcomer_spread == 0.0
    pooled = insights.pooled
    assert (pooled.welcome_rate, pooled.anchor_rate, pooled.repeat_pairs) == (0.75, 1.0, 1)
    assert insights.has_baseline is False


def test_friends_first_is_scored_the_same_way_on_the_same_round(history):
    p = history["people"]
    t1, t2 = (history["tables"][label] for label in ("T1", "T2"))
    round_1, round_2 = history["rounds"]
    asked = []

    def friends_first(*, problem, seed):
        asked.append((problem, seed))
        if len(asked) == 1:
            return solution(
                {t1: [p["Ann"], p["Bo"]], t2: [p[n] for n in ("Cy", "Eve", "Nia", "Noa")]}
            )
        return solution({t1: [p[n] for n in ("Ann", "Bo", "Cy", "Dee")], t2: [p["Nia"], p["Noa"]]})

    insights = conference_insights(conference=history["editions"][2], friends_first=friends_first)

    (problem_1, seed_1), (problem_2, seed_2) = asked
    asked_problems = (problem_1, problem_2)
    assert (seed_1, seed_2) == (11, 22)
    # Both are the round's engine problem: everyone its plan seats, at the round's tables.
    assert {person.id for person in problem_1.people} == {
        key(p[n]) for n in ("Ann", "Bo", "Cy", "Eve", "Nia", "Noa")
    }
    assert {person.id for person in problem_2.people} == {
        key(p[n]) for n in ("Ann", "Bo", "Cy", "Dee", "Nia", "Noa")
    }
    assert {t.id for t in problem_1.tables} == {f"t{t1.pk}", f"t{t2.pk}"}

    def tie_pairs(problem):
        return {tuple(sorted((tie.a, tie.b))) for tie in problem.ties}

    def named(*pairs):
        return {tuple(sorted((key(p[a]), key(p[b])))) for a, b in pairs}

    # Before round 1: the history of earlier editions only, not round 1's own tables.
    assert tie_pairs(problem_1) == named(("Ann", "Bo"))
    # Before round 2: also whom round 1 seated together.
    assert tie_pairs(problem_2) == named(
        ("Ann", "Bo"), ("Cy", "Dee"), ("Ann", "Nia"), ("Bo", "Nia"), ("Cy", "Noa")
    )
    (ann_bo,) = named(("Ann", "Bo"))
    weights_1, weights_2 = ({(t.a, t.b): t.weight for t in pr.ties} for pr in asked_problems)
    assert weights_2[ann_bo] > weights_1[ann_bo] > 0
    assert problem_1.history == ()
    assert sorted(problem_2.history) == sorted(
        [
            tuple(sorted(key(p[n]) for n in ("Ann", "Bo", "Nia"))),
            tuple(sorted(key(p[n]) for n in ("Cy", "Noa"))),  # Eve is not at round 2
        ]
    )
    first, second = insights.rounds
    assert figures(first.friends_first) == (6, 2, 0, 2, 2, 2, 0, 0, 1)
    # History for repeats is the real plan of round 1, where Ann and Bo sat together.
    assert figures(second.friends_first) == (6, 2, 0, 4, 4, 2, 0, 1, 1)
    baseline = insights.pooled_friends_first
    assert (baseline.welcome_rate, baseline.anchor_rate, baseline.repeat_pairs) == (0.0, 1.0, 1)


def test_across_the_series(history):
    e1, e2, e3 = history["editions"]

    rows = series_insights(conference=e3, user=history["organizer"])

    assert [
        (
            r.conference.name,
            r.attendees,
            r.newcomers,
            r.previous_newcomers,
            r.came_back,
            r.came_back_with_friend,
            r.new_ties,
        )
        for r in rows
    ] == [
        ("NECC 2023", 3, 3, 0, 0, 0, 2),
        ("NECC 2024", 5, 3, 3, 2, 2, 1),
        ("NECC 2025", 7, 2, 3, 3, 2, 5),
    ]
    assert [r.previous for r in rows] == [None, e1, e2]
    assert [r.came_back_rate for r in rows] == [None, pytest.approx(2 / 3), 1.0]
    # Ann came back to 2024 knowing Bo and Xi, Xi knowing Ann; Cy and Dee came back to 2025
    # knowing each other, Eve knowing nobody yet.
    assert [r.came_back_mean_ties for r in rows] == [0.0, 1.5, pytest.approx(2 / 3)]
    assert [r.new_ties_per_attendee for r in rows] == [
        pytest.approx(2 / 3),
        pytest.approx(1 / 5),
        pytest.approx(5 / 7),
    ]
    assert [r.mean_ties for r in rows] == [pytest.approx(4 / 3), 1.0, pytest.approx(15 / 7)]


def test_series_newcomers_follow_the_newcomer_rule_and_its_overrides(history):
    e3 = history["editions"][2]
    Attendance.objects.filter(person=history["people"]["Eve"], conference=e3).update(
        newcomer_override=True
    )
    Attendance.objects.filter(person=history["people"]["Nia"], conference=e3).update(
        newcomer_override=False
    )

    rows = series_insights(conference=e3, user=history["organizer"])

    assert rows[-1].newcomers == len(newcomer_ids(conference=e3)) == 2


def test_the_series_covers_only_editions_the_organizer_organizes(history):
    e1, e2, e3 = history["editions"]
    other = OrganizerFactory(conferences=[e2, e3])

    rows = series_insights(conference=e3, user=other)

    assert [(r.conference, r.previous) for r in rows] == [(e2, None), (e3, e2)]


def test_the_page_shows_each_chart_with_its_numbers_in_a_table(client, history, monkeypatch):
    monkeypatch.setattr("organize.insights.baseline.friends_first_seating", lambda **kwargs: None)
    client.force_login(history["organizer"])

    response = client.get(reverse("organize:insights", args=["necc-2025"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg class="chart"') == 5  # rates, two rounds' tables, came back, ties
    assert html.count('role="img"') == 5
    rates = re.search(r'<svg class="chart".*?</svg>', html, re.S).group(0)
    # One bar per round and series (welcome, anchor), labelled with the table's numbers.
    assert re.findall(r"<title>(Round \d): (\w+): this plan (\d+%)</title>", rates) == [
        ("Round 1", "Welcome", "50%"),
        ("Round 1", "Anchor", "100%"),
        ("Round 2", "Welcome", "100%"),
        ("Round 2", "Anchor", "100%"),
    ]
    table = re.search(r"<caption>Figures by round.*?</table>", html, re.S).group(0)
    assert re.findall(r"<td>(\d+%)", table) == ["50%", "100%", "50%", "100%", "100%", "0%"]
    assert "75%" in html and "3 of 4 seated newcomers" in html
    assert " style=" not in html


def test_pages_read_a_fixed_number_of_queries(client, history):
    """Whatever the number of people, tables and editions; each round builds its own problem."""
    organizer = history["organizer"]
    client.force_login(organizer)
    lone = ConferenceFactory(series=SeriesFactory(), slug="lone")
    lone.organizers.add(organizer)
    person = PersonFactory()
    AttendanceFactory(person=person, conference=lone)
    tables = {"T": DrinkTableFactory(conference=lone)}
    # The same rounds as NECC 2025's (one held, one matched), with one person instead of seven.
    held, matched = (
        MeetupRoundFactory(conference=lone, starts_at=evening(dt.date(2025, 6, day)))
        for day in (29, 30)
    )
    held.status, held.published_run = RoundStatus.HELD, seat(held, tables, {"T": [person]})
    held.save(update_fields=["status", "published_run"])
    seat(matched, tables, {"T": [person]})
    matched.status = RoundStatus.MATCHED
    matched.save(update_fields=["status"])
    client.get(reverse("organize:insights", args=["lone"]))

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("organize:insights", args=["lone"]))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("organize:insights", args=["necc-2025"]))

    assert len(many) == len(few)


def test_repeats_are_the_engines_each_time_again_and_never_a_sit_together_pair():
    """the design's repeat_pairs: per pair, (times seated together - 1); the engine does not count
    a mutual sit-together pair, who sit together on purpose. The insights used to count it."""
    conference = ConferenceFactory(starts_on=dt.date(2025, 6, 28), ends_on=dt.date(2025, 7, 1))
    p = {name: PersonFactory(full_name=name) for name in ("Ann", "Bo", "Cy", "Dee", "Fay", "Gus")}
    for person in p.values():
        AttendanceFactory(person=person, conference=conference)
    SitTogetherFactory(conference=conference, requester=p["Fay"], requested=p["Gus"])
    SitTogetherFactory(conference=conference, requester=p["Gus"], requested=p["Fay"])
    tables = {
        label: DrinkTableFactory(conference=conference, label=label) for label in ("T1", "T2")
    }
    # Ann and Bo sit together three times, Fay and Gus too; nobody else twice.
    for day, seating in (
        (28, {"T1": ["Ann", "Bo", "Cy"], "T2": ["Dee", "Fay", "Gus"]}),
        (29, {"T1": ["Ann", "Bo", "Fay", "Gus"], "T2": ["Cy", "Dee"]}),
        (30, {"T1": ["Ann", "Bo", "Dee"], "T2": ["Cy", "Fay", "Gus"]}),
    ):
        meetup = MeetupRoundFactory(
            conference=conference, starts_at=evening(dt.date(2025, 6, day)), status="matched"
        )
        seat(meetup, tables, {label: [p[n] for n in names] for label, names in seating.items()})

    insights = conference_insights(conference=conference, friends_first=no_baseline)

    assert [r.plan.repeat_pairs for r in insights.rounds] == [0, 1, 1]
    assert insights.pooled.repeat_pairs == 3 - 1


def test_a_held_round_is_scored_with_who_sat_there_and_an_open_one_with_who_is_going():
    conference = ConferenceFactory(starts_on=dt.date(2025, 6, 28), ends_on=dt.date(2025, 7, 1))
    p = {
        name: PersonFactory(full_name=name)
        for name in ("Ann", "Bo", "Cy", "Dee", "Nia", "Noa", "Late")
    }
    for person in p.values():
        AttendanceFactory(person=person, conference=conference)
    tables = {
        label: DrinkTableFactory(conference=conference, label=label, capacity=6)
        for label in ("T1", "T2")
    }
    held = MeetupRoundFactory(conference=conference, starts_at=evening(dt.date(2025, 6, 29)))
    for name in ("Ann", "Bo", "Cy", "Dee", "Nia", "Noa", "Late"):
        RoundRSVPFactory(round=held, person=p[name])
    held.published_run = seat(
        held, tables, {"T1": [p["Ann"], p["Bo"], p["Nia"]], "T2": [p["Cy"], p["Dee"], p["Noa"]]}
    )
    held.status = RoundStatus.HELD
    held.save(update_fields=["status", "published_run"])
    later = MeetupRoundFactory(
        conference=conference, starts_at=evening(dt.date(2025, 6, 30)), status="matched"
    )
    seat(later, tables, {"T1": [p["Ann"], p["Bo"], p["Cy"], p["Nia"]]})
    for name in ("Ann", "Bo", "Nia", "Late"):  # Late answered after the run; Cy changed his mind
        RoundRSVPFactory(round=later, person=p[name])
    # Since the evening: Noa deleted her account, Dee opted out, table T2 was put away.
    p["Noa"].deleted_at = evening(dt.date(2025, 6, 30))
    p["Noa"].save(update_fields=["deleted_at"])
    p["Dee"].opted_out = True
    p["Dee"].save(update_fields=["opted_out"])
    tables["T2"].active = False
    tables["T2"].save(update_fields=["active"])

    insights = conference_insights(conference=conference)

    first, second = insights.rounds
    assert (first.plan.seated, first.plan.unseated) == (6, 0)
    assert first.composition() == [("T1", 0, 3), ("T2", 0, 3)]
    assert first.friends_first.seated + first.friends_first.unseated == 6
    assert (second.plan.seated, second.plan.unseated) == (4, 1)
    assert (second.friends_first.seated, second.friends_first.unseated) == (5, 0)
