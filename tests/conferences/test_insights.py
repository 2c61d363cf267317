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
from attendees.selectors import newcomer_ids
from conferences.enums import RoundStatus
from conferences.insights import conference_insights, series_insights
from tests.factories import (
    AttendanceFactory,
    ConferenceFactory,
    DrinkTableFactory,
    EncounterFactory,
    MatchingRunFactory,
    MeetupRoundFactory,
    OrganizerFactory,
    PersonFactory,
    SeatFactory,
    SeriesFactory,
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
        seating.anchor_candidates,
        seating.anchored,
        seating.newcomers_with_topics,
        seating.sharing_a_topic,
        seating.repeat_pairs,
        seating.small_tables,
    )


def test_each_round_is_scored_from_its_plan(history):
    insights = conference_insights(
        conference=history["editions"][2], baseline_seating=lambda **kwargs: None
    )

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
    t1, t2 = (history["tables"][label].pk for label in ("T1", "T2"))
    round_1, round_2 = history["rounds"]
    asked = []

    def friends_first(*, round, seed, ties, history):
        asked.append((round.name, seed, ties, history))
        if round == round_1:
            return {
                t1: [p["Ann"].pk, p["Bo"].pk],
                t2: [p[n].pk for n in ("Cy", "Eve", "Nia", "Noa")],
            }
        return {t1: [p[n].pk for n in ("Ann", "Bo", "Cy", "Dee")], t2: [p["Nia"].pk, p["Noa"].pk]}

    insights = conference_insights(
        conference=history["editions"][2], baseline_seating=friends_first
    )

    assert [(name, seed) for name, seed, _, _ in asked] == [("Round 1", 11), ("Round 2", 22)]
    ties_1, ties_2 = (ties for _, _, ties, _ in asked)
    # Before round 1: the history of earlier editions only, not round 1's own tables.
    assert set(ties_1) == {pair(p["Ann"], p["Bo"]), pair(p["Cy"], p["Dee"])}
    # Before round 2: also whom round 1 seated together.
    assert set(ties_2) == set(ties_1) | {
        pair(p[a], p[b])
        for a, b in [("Ann", "Nia"), ("Bo", "Nia"), ("Cy", "Eve"), ("Cy", "Noa"), ("Eve", "Noa")]
    }
    ann_bo = pair(p["Ann"], p["Bo"])
    assert ties_2[ann_bo] > ties_1[ann_bo] > 0
    assert [sorted(map(sorted, h)) for _, _, _, h in asked] == [
        [],
        sorted(
            [
                sorted([p["Ann"].pk, p["Bo"].pk, p["Nia"].pk]),
                sorted([p["Cy"].pk, p["Eve"].pk, p["Noa"].pk]),
            ]
        ),
    ]
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
    monkeypatch.setattr(
        "conferences.insights.baseline.friends_first_seating", lambda **kwargs: None
    )
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


def test_pages_read_a_fixed_number_of_queries(client, history, monkeypatch):
    monkeypatch.setattr(
        "conferences.insights.baseline.friends_first_seating", lambda **kwargs: None
    )
    organizer = history["organizer"]
    client.force_login(organizer)
    lone = ConferenceFactory(series=SeriesFactory(), slug="lone")
    lone.organizers.add(organizer)
    lone_round = MeetupRoundFactory(conference=lone)
    person = PersonFactory()
    AttendanceFactory(person=person, conference=lone)
    seat(lone_round, {"T": DrinkTableFactory(conference=lone)}, {"T": [person]})
    client.get(reverse("organize:insights", args=["lone"]))

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("organize:insights", args=["lone"]))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("organize:insights", args=["necc-2025"]))

    assert len(many) == len(few)
