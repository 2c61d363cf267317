"""The attendee's own circle (issue 15.6): links among the people they met, the newcomers they
welcomed and who came back, years told apart by more than colour, large networks grouped."""

import datetime as dt

import pytest
from django.urls import reverse

from attendees.selectors.network import Link, network_for
from config import caches
from dashboard.circle import PEOPLE_LIMIT, circle_chart
from tests.attendees.helpers import register, sign_in
from tests.factories import BlockFactory, ConferenceFactory, EncounterFactory, PersonFactory

pytestmark = pytest.mark.django_db


def fresh_network(person):
    caches.invalidate(caches.TABLES)
    return network_for(person=person)


def test_links_join_contacts_who_met_each_other_and_nobody_else(world):
    world.hold()
    # Dana also met Zoe, whom Ann never met: not in Ann's circle, and no link to her.
    EncounterFactory(person_a=world.dana, person_b=world.zoe, conference=world.iste)

    network = fresh_network(world.ann)

    assert sorted(c.name for c in network.contacts) == ["Dana Kim", "Nia Obi", "Omar Haddad"]
    pair = tuple(sorted((world.dana.pk, world.omar.pk)))
    assert network.links == [Link(*pair, 2011)]


def test_the_newcomers_i_welcomed_and_who_came_back(world):
    world.hold()
    later = ConferenceFactory(
        series=world.series,
        name="ISTE Live 2027",
        starts_on=world.conference.starts_on.replace(year=world.conference.starts_on.year + 1),
    )
    register(later, world.ann, world.nia)

    network = fresh_network(world.ann)

    # Nia was new in 2026 and sat with Ann, who was not; Dana and Omar were returning.
    assert network.welcomed == {world.nia.pk}
    assert network.came_back == {world.nia.pk}
    # Nia, the newcomer, welcomed nobody.
    assert fresh_network(world.nia).welcomed == set()


def test_came_back_counts_only_a_conference_i_attend_too(world):
    world.hold()
    later = ConferenceFactory(series=world.series, starts_on=dt.date(2030, 6, 1))
    register(later, world.nia)  # Ann is not registered there

    assert fresh_network(world.ann).came_back == set()


def test_a_block_changes_nothing_in_the_blocked_persons_circle(world):
    world.hold()
    before = str(circle_chart(fresh_network(world.ann)).svg)

    BlockFactory(blocker=world.omar, blocked=world.ann)
    BlockFactory(blocker=world.dana, blocked=world.omar)

    assert str(circle_chart(fresh_network(world.ann)).svg) == before


def test_the_svg_tells_years_apart_by_dashes_and_labels(world):
    world.hold()
    EncounterFactory(
        person_a=world.nia,
        person_b=world.omar,
        conference=world.conference,
        round=world.round,
        kind="seated",
    )

    chart = circle_chart(fresh_network(world.ann))
    svg = str(chart.svg)

    years = [(item.year, item.name) for item in chart.legend]
    assert years == [(world.conference.starts_on.year, "solid"), (2011, "long dashes")]
    assert 'stroke-dasharray="8 4"' in svg  # the 2011 link
    assert f"ISTE Live 2026 · {world.conference.starts_on.year}</text>" in svg
    assert "NECC 2008 · 2008</text>" in svg
    assert "you welcomed them" in svg
    assert "Dana Kim and Omar Haddad met (2011)" in svg


def test_a_large_network_is_grouped_by_edition(world):
    for year in range(2012, 2012 + 4):
        edition = ConferenceFactory(
            series=world.series, name=f"ISTE {year}", starts_on=dt.date(year, 6, 1)
        )
        people = [PersonFactory() for _ in range(PEOPLE_LIMIT // 4 + 1)]
        for person in people:
            EncounterFactory(person_a=world.ann, person_b=person, conference=edition)
        EncounterFactory(person_a=people[0], person_b=world.dana, conference=edition)

    chart = circle_chart(fresh_network(world.ann))
    svg = str(chart.svg)

    assert chart.grouped is True and chart.people == 4 * (PEOPLE_LIMIT // 4 + 1) + 1
    assert "ISTE 2015 · 2015</text>" in svg and "16 people, 0 links inside" in svg
    assert svg.count('class="circle-link') == 4  # each year's edition to NECC 2008 (Dana)


def test_the_network_page_draws_the_circle_without_a_script(client, world):
    world.hold()
    sign_in(client, world.ann)

    html = client.get(reverse("dashboard:network")).content.decode()

    assert 'data-people="3" data-links="1"' in html
    assert "of them was a newcomer you welcomed at your table" in html
    assert " style=" not in html
