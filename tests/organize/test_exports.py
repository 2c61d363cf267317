"""A round's plan for print and spreadsheets: CSV, table cards, check-in list."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from conferences.enums import RoundStatus
from matching.enums import RunStatus
from organize.exports import conversation_starter, round_plan
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
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned():
    """A published round at two tables, a returning crowd and two first-timers."""
    conference = ConferenceFactory(
        name="ISTE Live 2026",
        slug="iste-2026",
        starts_on=dt.date(2026, 6, 28),
        ends_on=dt.date(2026, 7, 1),
        time_zone="America/Chicago",
    )
    earlier = ConferenceFactory(
        series=conference.series, starts_on=dt.date(2025, 6, 28), ends_on=dt.date(2025, 7, 1)
    )
    organizer = OrganizerFactory(conferences=[conference])
    meetup = MeetupRoundFactory(
        conference=conference,
        name="Monday drinks",
        starts_at=dt.datetime(2026, 6, 29, 23, 0, tzinfo=dt.UTC),  # 18:00 in Chicago
        ends_at=dt.datetime(2026, 6, 30, 1, 0, tzinfo=dt.UTC),
        location="Hall B terrace",
        status=RoundStatus.MATCHED,
    )
    open_source = TopicFactory(name="Open source", slug="open-source")
    assessment = TopicFactory(name="Assessment", slug="assessment")
    makers = TopicFactory(name="Makerspaces", slug="makerspaces")
    window = DrinkTableFactory(conference=conference, label="T2", location="By the window")
    bar = DrinkTableFactory(conference=conference, label="T1", location="")
    people = {}
    for name, topics, returning in [
        ("Zoë Adams", [open_source, assessment], True),
        ("émile Brun", [assessment], True),
        ("Cy Diaz", [open_source, makers], False),
        ("Ann Lee", [makers], True),
        ("Bo Chen", [makers], True),
        ("Dee Ford", [assessment, makers], False),
    ]:
        person = PersonFactory(
            full_name=name, organization=f"{name.split()[1]} School", topics=topics
        )
        AttendanceFactory(person=person, conference=conference)
        if returning:
            AttendanceFactory(person=person, conference=earlier)
        RoundRSVPFactory(person=person, round=meetup)
        people[name] = person
    run = MatchingRunFactory(round=meetup, seed=7)
    for name in ("Zoë Adams", "émile Brun", "Cy Diaz"):
        SeatFactory(run=run, person=people[name], table=bar)
    for name in ("Ann Lee", "Bo Chen", "Dee Ford"):
        SeatFactory(run=run, person=people[name], table=window)
    late = PersonFactory(full_name="Al Late", organization='=HYPERLINK("x")')
    AttendanceFactory(person=late, conference=conference)
    RoundRSVPFactory(person=late, round=meetup)
    return {
        "conference": conference,
        "organizer": organizer,
        "round": meetup,
        "run": run,
        "people": people,
        "tables": {"T1": bar, "T2": window},
    }


def rows_of(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_plan_csv_lists_every_seat_by_table_then_name(client, planned):
    client.force_login(planned["organizer"])

    response = client.get(reverse("organize:plan_csv", args=[planned["round"].pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="iste-2026-monday-drinks-plan-'
        f'run-{planned["run"].pk}-under-review.csv"'
    )
    people = planned["people"]
    assert rows_of(response) == [
        ["table", "location", "name", "email", "organization", "newcomer", "topics"],
        [
            "T1",
            "Hall B terrace",
            "Cy Diaz",
            people["Cy Diaz"].email,
            "Diaz School",
            "yes",
            "Makerspaces|Open source",
        ],
        [
            "T1",
            "Hall B terrace",
            "émile Brun",
            people["émile Brun"].email,
            "Brun School",
            "no",
            "Assessment",
        ],
        [
            "T1",
            "Hall B terrace",
            "Zoë Adams",
            people["Zoë Adams"].email,
            "Adams School",
            "no",
            "Assessment|Open source",
        ],
        [
            "T2",
            "By the window, Hall B terrace",
            "Ann Lee",
            people["Ann Lee"].email,
            "Lee School",
            "no",
            "Makerspaces",
        ],
        [
            "T2",
            "By the window, Hall B terrace",
            "Bo Chen",
            people["Bo Chen"].email,
            "Chen School",
            "no",
            "Makerspaces",
        ],
        [
            "T2",
            "By the window, Hall B terrace",
            "Dee Ford",
            people["Dee Ford"].email,
            "Ford School",
            "yes",
            "Assessment|Makerspaces",
        ],
    ]


def test_the_plan_is_the_published_run_even_when_a_newer_run_succeeded(client, planned):
    meetup, published = planned["round"], planned["run"]
    newer = MatchingRunFactory(round=meetup, status=RunStatus.SUCCEEDED)
    SeatFactory(run=newer, person=planned["people"]["Ann Lee"], table=planned["tables"]["T1"])
    assert round_plan(round=meetup).run == newer  # before publishing: the latest success

    meetup.published_run = published
    meetup.status = RoundStatus.PUBLISHED
    meetup.save(update_fields=["published_run", "status"])

    assert round_plan(round=meetup).run == published
    client.force_login(planned["organizer"])
    assert len(rows_of(client.get(reverse("organize:plan_csv", args=[meetup.pk])))) == 7


def test_every_table_gets_a_card_with_time_place_names_and_a_starter(client, planned):
    client.force_login(planned["organizer"])

    response = client.get(reverse("organize:table_cards", args=[planned["round"].pk]))

    assert response.status_code == 200
    plan = response.context["plan"]
    assert [(t.table.label, t.location, [p.name for p in t.people]) for t in plan.tables] == [
        ("T1", "Hall B terrace", ["Cy Diaz", "émile Brun", "Zoë Adams"]),
        ("T2", "By the window, Hall B terrace", ["Ann Lee", "Bo Chen", "Dee Ford"]),
    ]
    # T1 shares Open source between the newcomer Cy and Zoë, and Assessment between two
    # returning people: the topic that bridges to the newcomer wins.
    assert [t.starter_topic for t in plan.tables] == ["Open source", "Makerspaces"]
    html = response.content.decode()
    assert html.count('class="table-card"') == 2
    assert html.count("★ first time") == 2
    assert "Monday 29 June, 18:00–20:00" in html
    for table in plan.tables:
        assert table.starter in html
    assert "1 person is going without a seat" in html


def test_a_table_without_a_shared_topic_gets_a_general_starter():
    from organize.exports import SeatedPerson

    people = [
        SeatedPerson(1, "Ann", "a@x.org", "", True, False, ["Assessment"]),
        SeatedPerson(2, "Bo", "b@x.org", "", True, True, ["Makerspaces"]),
    ]

    assert conversation_starter(people=people, conference_name="NECC", variant=3) == (
        "Go around the table: what brought you to NECC, and what is one thing you hope to "
        "take home?",
        None,
    )


def test_the_check_in_list_is_sorted_by_name_with_each_table(client, planned):
    client.force_login(planned["organizer"])

    response = client.get(reverse("organize:check_in_csv", args=[planned["round"].pk]))

    assert rows_of(response) == [
        ["name", "organization", "table", "location", "newcomer"],
        ["Al Late", '\'=HYPERLINK("x")', "", "", "yes"],
        ["Ann Lee", "Lee School", "T2", "By the window, Hall B terrace", "no"],
        ["Bo Chen", "Chen School", "T2", "By the window, Hall B terrace", "no"],
        ["Cy Diaz", "Diaz School", "T1", "Hall B terrace", "yes"],
        ["Dee Ford", "Ford School", "T2", "By the window, Hall B terrace", "yes"],
        ["émile Brun", "Brun School", "T1", "Hall B terrace", "no"],
        ["Zoë Adams", "Adams School", "T1", "Hall B terrace", "no"],
    ]
    page = client.get(reverse("organize:check_in", args=[planned["round"].pk]))
    assert [letter for letter, _ in page.context["plan"].check_in_by_letter()] == [
        "A",
        "B",
        "C",
        "D",
        "E",
        "Z",
    ]
    assert "no seat: send to the desk" in page.content.decode()


def test_organizations_hidden_by_their_owner_stay_off_the_cards(client, planned):
    zoe = planned["people"]["Zoë Adams"]
    zoe.show_organization = False
    zoe.save(update_fields=["show_organization"])
    client.force_login(planned["organizer"])

    html = client.get(reverse("organize:table_cards", args=[planned["round"].pk])).content.decode()

    assert "Adams School" not in html
    assert "Brun School" in html


def test_a_round_without_a_plan_says_so(client, planned):
    unplanned = MeetupRoundFactory(conference=planned["conference"], status=RoundStatus.OPEN)
    client.force_login(planned["organizer"])

    cards = client.get(reverse("organize:table_cards", args=[unplanned.pk]))
    assert "This round has no plan yet" in cards.content.decode()
    assert client.get(reverse("organize:plan_csv", args=[unplanned.pk])).status_code == 404


def _grow(planned, tables: int) -> None:
    """Add tables of three seated people each, with topics and some history."""
    conference, run = planned["conference"], planned["run"]
    topic = TopicFactory(name="STEM", slug="stem")
    for index in range(tables):
        table = DrinkTableFactory(conference=conference, label=f"X{index:02d}")
        for _ in range(3):
            person = PersonFactory(topics=[topic])
            AttendanceFactory(person=person, conference=conference)
            RoundRSVPFactory(person=person, round=planned["round"])
            SeatFactory(run=run, person=person, table=table)
            EncounterFactory(
                person_a=person, person_b=planned["people"]["Ann Lee"], conference=None
            )


@pytest.mark.parametrize("page", ["table_cards", "check_in", "plan_csv", "check_in_csv"])
def test_export_pages_take_the_same_queries_for_few_or_many_tables(
    client, planned, django_assert_num_queries, page
):
    client.force_login(planned["organizer"])
    url = reverse(f"organize:{page}", args=[planned["round"].pk])
    client.get(url)  # warm the session and the content type cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _grow(planned, tables=6)
    with django_assert_num_queries(len(few)):
        assert client.get(url).status_code == 200
