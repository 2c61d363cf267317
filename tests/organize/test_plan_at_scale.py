"""The plan page of a big round: find a person, only tables with warnings, pages of collapsed
tables, and the move dialog with its alphabetical, searchable list of tables."""

import re

import pytest
from django.urls import reverse

from conferences.enums import RoundStatus
from conferences.models import DrinkTable, MeetupRound
from matching.models import MatchingRun, Seat
from organize.views.plans import COLLAPSE_FROM_TABLES, TABLES_PER_PAGE
from tests.matching.scenario import build_round

pytestmark = pytest.mark.django_db

TABLES = TABLES_PER_PAGE + 6


@pytest.fixture
def big(organizer):
    """A round under review with more tables than a page holds: 6 people a table, dealt in
    order, so person n sits at table n // 6."""
    scenario = build_round(
        returning=TABLES * 5, newcomers=TABLES, tables=TABLES, capacity=8, organizer=organizer
    )
    people = scenario.going
    run = MatchingRun.objects.create(round=scenario.round, status="succeeded", progress=100)
    Seat.objects.bulk_create(
        Seat(run=run, person=person, table=scenario.tables[index // 6])
        for index, person in enumerate(people)
    )
    MeetupRound.objects.filter(pk=scenario.round.pk).update(status=RoundStatus.MATCHED)
    return scenario


@pytest.fixture
def page(client, big):
    client.force_login(big.organizer)

    def get(**params):
        response = client.get(reverse("organize:round_plan", args=[big.round.pk]), params)
        assert response.status_code == 200
        return response.content.decode()

    return get


def details_of(html: str) -> list[tuple[str, bool]]:
    """(table id, open) of each table shown."""
    return [
        (match["id"], bool(match["open"]))
        for match in re.finditer(
            r'<details class="plan-table card" id="(?P<id>table-\d+)"(?P<open> open)?>', html
        )
    ]


def test_a_big_plan_shows_a_page_of_collapsed_tables(page, big):
    assert TABLES > COLLAPSE_FROM_TABLES
    first, second = page(), page(page=2)

    assert details_of(first) == [(f"table-{t.pk}", False) for t in big.tables[:TABLES_PER_PAGE]]
    assert details_of(second) == [(f"table-{t.pk}", False) for t in big.tables[TABLES_PER_PAGE:]]
    assert "Page 1 of 2" in first
    assert "?page=2#tables" in first
    # Every person is still listed inside the collapsed tables of their page.
    assert all(person.full_name in first for person in big.going[: TABLES_PER_PAGE * 6])


def test_a_small_plan_shows_its_tables_open(client, organizer, solve):
    scenario = build_round(organizer=organizer)
    solve(scenario.round)
    client.force_login(organizer)

    html = client.get(reverse("organize:round_plan", args=[scenario.round.pk])).content.decode()

    assert {is_open for _, is_open in details_of(html)} == {True}
    assert "Page 1 of" not in html


def test_finding_a_person_shows_their_table_open_with_them_marked(page, big):
    person = big.going[100]  # at table 100 // 6
    table = big.tables[100 // 6]

    html = page(q=person.full_name.lower())

    assert details_of(html) == [(f"table-{table.pk}", True)]
    assert f'<tr class="found"><th scope="row">{person.full_name}' in html
    assert "1 of 30 tables match" in html


def test_a_search_ignores_accents_and_case(page, big):
    person = big.going[7]
    person.full_name = "José Núñez"
    person.save(update_fields=["full_name"])

    html = page(q="JOSE nun")

    assert details_of(html) == [(f"table-{big.tables[1].pk}", True)]


def test_a_search_finds_a_table_by_its_label(page, big):
    html = page(q="t05")

    assert details_of(html) == [(f"table-{big.tables[4].pk}", True)]


def test_a_search_that_finds_nothing_says_so(page):
    html = page(q="nobody by that name")

    assert details_of(html) == []
    assert "No table matches." in html


def test_the_warnings_filter_keeps_tables_with_a_warning(page, big):
    # Two people alone at the last table: fewer than 3.
    Seat.objects.filter(table=big.tables[-1]).exclude(person__in=big.going[-6:-4]).update(
        table=big.tables[-2]
    )

    html = page(warnings="1")

    shown = [table_id for table_id, _ in details_of(html)]
    assert f"table-{big.tables[-1].pk}" in shown
    assert "fewer than 3 people" in html
    assert 'name="warnings" value="1" checked' in html


def test_the_move_dialog_lists_the_tables_alphabetically(page, big):
    DrinkTable.objects.filter(pk=big.tables[0].pk).update(label="A10")
    DrinkTable.objects.filter(pk=big.tables[1].pk).update(label="a9")
    person = big.going[0]

    html = page(move=person.pk)

    assert re.search(r'<dialog id="move"[^>]* open', html)
    assert f"Move <span data-move-name>{person.full_name}</span>" in html
    assert "Now at table A10." in html
    assert f'name="person" value="{person.pk}"' in html
    labels = re.findall(
        r'<input type="radio" name="table" value="\d+" required> <strong>([^<]+)</strong>', html
    )
    assert labels[:2] == ["a9", "A10"]
    assert labels[2:] == sorted(labels[2:])
    assert len(labels) == TABLES
    assert "<select" not in html


def test_the_move_dialog_search_works_without_javascript(page, big):
    person = big.going[0]

    html = page(move=person.pk, tq="T07")

    labels = re.findall(r'name="table" value="(\d+)"', html)
    assert labels == [str(big.tables[6].pk)]
    assert 'name="tq" value="T07"' in html


def test_the_move_dialog_stays_closed_until_asked_for(page):
    assert re.search(r'<dialog id="move"[^>]*>', page())[0] == (
        '<dialog id="move" class="move-dialog no-print" aria-labelledby="move-heading" '
        "data-move-dialog>"
    )


def test_after_a_move_the_page_of_the_new_table_opens_it(
    client, big, django_capture_on_commit_callbacks
):
    client.force_login(big.organizer)
    person = big.going[0]
    target = big.tables[-1]  # on the second page, 6 of 8 seats taken

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organize:round_seat_move", args=[big.round.pk]),
            {"person": person.pk, "table": target.pk},
        )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()

    assert (f"table-{target.pk}", True) in details_of(html)
    assert "Page 2 of 2" in html
    assert f"now sits at table {target.label}" in html


def test_a_page_number_out_of_range_shows_the_last_page(page, big):
    assert "Page 2 of 2" in page(page="99")
    assert "Page 1 of 2" in page(page="x")
