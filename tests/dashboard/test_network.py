"""My network: the people I met, by edition, as a graph and a list, and how it grew."""

import datetime as dt

import pytest
from django.urls import reverse

from attendees.enums import EncounterKind
from attendees.selectors.encounters import encounters_for
from attendees.selectors.network import GrowthPoint, network_for
from tests.attendees.helpers import sign_in
from tests.factories import ConferenceFactory, EncounterFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_network_groups_people_by_edition_and_counts_growth_per_year(world):
    EncounterFactory(
        person_a=world.ann,
        person_b=world.zoe,
        kind=EncounterKind.IMPORTED,
        conference=None,
        occurred_on=dt.date(2010, 3, 1),
    )

    network = network_for(person=world.ann)

    assert [(c.name, c.encounters) for c in network.contacts] == [("Dana Kim", 2), ("Zoe Park", 1)]
    assert [(g.name, [c.name for c in g.contacts], g.new) for g in network.editions] == [
        ("ISTE 2011", ["Dana Kim"], 0),
        ("Elsewhere in 2010", ["Zoe Park"], 1),
        ("NECC 2008", ["Dana Kim"], 1),
    ]
    assert network.growth == [
        GrowthPoint(2008, 1, 1),
        GrowthPoint(2009, 0, 1),
        GrowthPoint(2010, 1, 2),
    ]


def test_encounters_are_seen_from_my_side(world):
    mine = encounters_for(person=world.dana)

    assert sorted((e.other_name, e.conference_name) for e in mine) == [
        ("Ann Lee", "ISTE 2011"),
        ("Ann Lee", "NECC 2008"),
        ("Omar Haddad", "ISTE 2011"),
    ]
    assert {e.other_organization for e in mine if e.other_name == "Omar Haddad"} == {""}


def test_the_network_page_shows_the_circle_and_the_same_people_as_a_list(client, world):
    sign_in(client, world.dana)

    html = client.get(reverse("dashboard:network")).content.decode()

    assert 'id="network-circle" data-people="2" data-links="0"' in html
    assert "<script" not in html.split("<main", 1)[1]  # drawn on the server
    # Once in the circle, then once per edition where they met: Ann twice, Omar once.
    assert (html.count("Ann Lee"), html.count("Omar Haddad")) == (3, 2)
    assert "<caption>People met for the first time each year" in html


def test_an_empty_network_says_what_will_come(client, world):
    sign_in(client, world.nia)

    html = client.get(reverse("dashboard:network")).content.decode()

    assert "Nobody yet." in html and "network-circle" not in html


def test_the_growth_chart_labels_long_histories_briefly(client, world):
    for year in range(2000, 2020):
        edition = ConferenceFactory(series=world.series, starts_on=dt.date(year, 6, 1))
        EncounterFactory(person_a=world.nia, person_b=PersonFactory(), conference=edition)
    sign_in(client, world.nia)

    html = client.get(reverse("dashboard:network")).content.decode()

    assert html.count('<rect class="bar') == 20
    assert "’00" in html and "’19" in html
