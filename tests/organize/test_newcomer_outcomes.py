"""What became of each edition's newcomers (issue 15.5): the measured outcome of the
organizer's own series, with "stay in touch" offers as lasting ties."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from attendees.models import ContactOffer
from conferences.enums import RoundStatus
from organize.insights.outcomes import newcomer_outcomes
from tests.attendees.helpers import seat_round
from tests.factories import (
    AttendanceFactory,
    BlockFactory,
    ConferenceFactory,
    DrinkTableFactory,
    EncounterFactory,
    MeetupRoundFactory,
    OrganizerFactory,
    PersonFactory,
    SeriesFactory,
)

pytestmark = pytest.mark.django_db


def mutual_offer(first, second, *, on: dt.date) -> None:
    moment = timezone.make_aware(dt.datetime.combine(on, dt.time(20)))
    for a, b in ((first, second), (second, first)):
        offer = ContactOffer.objects.create(from_person=a, to_person=b)
        ContactOffer.objects.filter(pk=offer.pk).update(created_at=moment)


class ThreeEditions:
    """2024: returning Rae, Raj, Rita (met before), newcomers Nia and Ned. 2025: Rae, Raj,
    Nia back (met Rae in 2024, stayed in touch with Raj), newcomer Noor, who meets Rae. 2026:
    Rae, Nia (hosts a table), Noor seated with Rae."""

    def __init__(self):
        self.organizer = OrganizerFactory()
        series = SeriesFactory(name="Summit")
        self.editions = [
            ConferenceFactory(
                series=series,
                name=f"Summit {year}",
                slug=f"summit-{year}",
                starts_on=dt.date(year, 6, 1),
                ends_on=dt.date(year, 6, 3),
            )
            for year in (2024, 2025, 2026)
        ]
        for edition in self.editions:
            edition.organizers.add(self.organizer)
        first, second, third = self.editions
        names = ["Rae", "Raj", "Rita", "Nia", "Ned", "Noor"]
        self.p = {name: PersonFactory(full_name=name) for name in names}
        p = self.p
        for a, b in (("Rae", "Raj"), ("Raj", "Rita")):
            EncounterFactory(
                person_a=p[a], person_b=p[b], conference=None, occurred_on=dt.date(2023, 6, 1)
            )
        for name in ("Rae", "Raj", "Rita", "Nia", "Ned"):
            AttendanceFactory(person=p[name], conference=first)
        for name in ("Rae", "Raj", "Nia", "Noor"):
            AttendanceFactory(person=p[name], conference=second)
        for name in ("Rae", "Nia", "Noor"):
            AttendanceFactory(person=p[name], conference=third)
        EncounterFactory(person_a=p["Nia"], person_b=p["Rae"], conference=first)
        mutual_offer(p["Nia"], p["Raj"], on=dt.date(2024, 6, 2))
        EncounterFactory(person_a=p["Noor"], person_b=p["Rae"], conference=second)
        DrinkTableFactory(conference=third, label="Hosted", host=p["Nia"])
        table = DrinkTableFactory(conference=third, label="T")
        evening = MeetupRoundFactory(
            conference=third,
            starts_at=timezone.make_aware(dt.datetime(2026, 6, 1, 19)),
            ends_at=timezone.make_aware(dt.datetime(2026, 6, 1, 21)),
        )
        seat_round(evening, {table: [p["Noor"], p["Rae"]]}, status=RoundStatus.HELD)


@pytest.fixture
def series():
    return ThreeEditions()


def rows(series):
    return [
        (
            o.conference.name,
            o.newcomers,
            o.came_back,
            o.ties_when_back,
            o.woven_in_when_back,
            o.hosts_or_circle,
        )
        for o in newcomer_outcomes(conference=series.editions[-1], user=series.organizer)
    ]


def test_each_cohort_of_newcomers_is_followed_through_the_editions(series):
    assert rows(series) == [
        # Nia came back to Rae (a tie of weight 0.79) and Raj (stayed in touch): two ties; she
        # hosts a table in 2026. Ned did not come back.
        ("Summit 2024", 2, 1, 2.0, 1, 1),
        # Noor came back to Rae and sat with her in 2026: a circle member.
        ("Summit 2025", 1, 1, 1.0, 0, 1),
        ("Summit 2026", 0, 0, None, 0, 0),
    ]


def test_a_block_keeps_a_mutual_offer_from_counting(series):
    BlockFactory(blocker=series.p["Raj"], blocked=series.p["Nia"])

    assert rows(series)[0] == ("Summit 2024", 2, 1, 1.0, 0, 1)


def test_an_edition_someone_else_organizes_is_left_out(series):
    series.editions[1].organizers.remove(series.organizer)

    # Without 2025, Nia's next edition is 2026: Rae is there, Raj is not.
    assert rows(series)[0] == ("Summit 2024", 2, 1, 1.0, 0, 1)
    assert [r[0] for r in rows(series)] == ["Summit 2024", "Summit 2026"]


def test_the_insights_page_shows_the_cohorts(series, client):
    client.force_login(series.organizer)

    html = client.get(reverse("organize:insights", args=["summit-2026"])).content.decode()

    assert "What became of each edition" in html
    assert "<td>1 (50%)</td>" in html
    assert "<td>2.00</td>" in html
    assert 'id="whatif-heading"' in html
    assert "Simulate the next three editions" in html


def test_the_what_if_starts_from_the_page_and_shows_its_table_and_chart(
    series, client, django_capture_on_commit_callbacks
):
    client.force_login(series.organizer)
    insights = reverse("organize:insights", args=["summit-2026"])

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("organize:insights_whatif", args=["summit-2026"]))
    html = client.get(insights).content.decode()

    assert started.status_code == 302 and started["Location"].endswith("#whatif-heading")
    assert 'id="chart-whatif-title"' in html
    assert "This edition, again" in html and "Next edition 3" in html
    for policy in ("Drink Tables", "Friends first", "Mingling, no seating"):
        assert f'<th scope="row">{policy}</th>' in html
    assert "Simulate again" in html
    assert " style=" not in html


def test_the_status_is_polled_while_it_works_and_reloads_the_page_when_done(series, client):
    from matching.enums import RunStatus
    from matching.models import WhatIfSimulation

    client.force_login(series.organizer)
    status_url = reverse("organize:insights_whatif_status", args=["summit-2026"])
    simulation = WhatIfSimulation.objects.create(
        conference=series.editions[-1],
        status=RunStatus.RUNNING,
        progress=40,
        heartbeat_at=timezone.now(),
    )

    working = client.get(status_url, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in working
    assert 'hx-trigger="every 2s"' in working.content.decode()
    assert "40%" in working.content.decode()

    WhatIfSimulation.objects.filter(pk=simulation.pk).update(
        status=RunStatus.SUCCEEDED, progress=100, finished_at=timezone.now()
    )
    done = client.get(status_url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode()


def test_another_organizer_can_neither_start_nor_watch_it(series, client):
    stranger = OrganizerFactory()
    ConferenceFactory().organizers.add(stranger)
    client.force_login(stranger)

    assert client.post(reverse("organize:insights_whatif", args=["summit-2026"])).status_code == 404
    assert (
        client.get(reverse("organize:insights_whatif_status", args=["summit-2026"])).status_code
        == 404
    )


def test_the_what_if_table_and_chart_show_the_range_of_the_assumed_parameters():
    from matching.models import WhatIfSimulation
    from organize.insights.whatif import whatif_view

    def editions(*ties):
        return [
            {
                "edition": n + 1,
                "newcomer_ties_to_returning": t,
                "woven_in_share": t / 4,
                "newcomer_return_rate": None if n == len(ties) - 1 else 0.4 + t / 10,
            }
            for n, t in enumerate(ties)
        ]

    result = {
        "start": {"people": 10},
        "editions": 2,
        "policies": ["drinktables", "friends-first"],
        "sensitivity": {"low": {"tie_formation": 0.1}, "high": {"tie_formation": 0.5}},
        "scenarios": {
            "default": {"drinktables": editions(0.4, 0.5), "friends-first": editions(0.0, 0.0)},
            "low": {"drinktables": editions(0.2, 0.25), "friends-first": editions(0.0, 0.0)},
            "high": {"drinktables": editions(0.8, 0.9), "friends-first": editions(0.0, 0.0)},
        },
    }

    view = whatif_view(WhatIfSimulation(result=result))

    first = view.rows[0]
    assert (first.policy_name, first.edition_label) == ("Drink Tables", "This edition, again")
    assert (first.ties.value, first.ties.low, first.ties.high) == (0.4, 0.2, 0.8)
    assert view.rows[1].returned.value is None  # nobody returns after the last edition
    assert view.rows[2].ties.has_range is False  # friends-first: 0 in every setting
    svg = str(view.chart.svg)
    assert svg.count('class="chart-range"') == 2  # Drink Tables' two editions
    assert "<title>This edition, again: Drink Tables 0.20 to 0.80</title>" in svg
