"""/conferences/{slug}/rounds/: organizers plan their conference's evening rounds."""

import datetime as dt

import pytest
from django.utils import timezone

from conferences.enums import RoundStatus
from conferences.models import MeetupRound
from tests.factories import (
    DrinkTableFactory,
    MatchingRunFactory,
    MeetupRoundFactory,
    RoundRSVPFactory,
)

from .support import assert_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/conferences/necc-2009/rounds/"
START = dt.datetime(2030, 6, 28, 18, 0, tzinfo=dt.UTC)


def new_round(**changes):
    data = {
        "name": "Monday drinks",
        "starts_at": START.isoformat(),
        "ends_at": (START + dt.timedelta(hours=2)).isoformat(),
        "location": "Terrace",
    }
    return {**data, **changes}


def test_organizer_lists_rounds_earliest_first_with_rsvp_counts(organizer_client, conference):
    late = MeetupRoundFactory(conference=conference, starts_at=START + dt.timedelta(days=1))
    early = MeetupRoundFactory(conference=conference, starts_at=START, status=RoundStatus.DRAFT)
    table = DrinkTableFactory(conference=conference)
    early.tables.add(table)
    RoundRSVPFactory.create_batch(2, round=early)
    RoundRSVPFactory(round=early, status="not_going")
    MeetupRoundFactory()  # another conference's
    results = organizer_client.get(URL).json()["results"]
    assert [r["id"] for r in results] == [early.pk, late.pk]
    assert results[0] == {
        "id": early.pk,
        "conference": "necc-2009",
        "name": early.name,
        "starts_at": "2030-06-28T20:00:00+02:00",
        "ends_at": "2030-06-28T22:00:00+02:00",
        "time_zone": "Europe/Paris",
        "location": "Terrace",
        "tables": [table.pk],
        "status": "draft",
        "published_run": None,
        "published_at": None,
        "held_at": None,
        "going_count": 2,
    }
    drafts = organizer_client.get(URL, {"status": "draft"}).json()["results"]
    assert [r["id"] for r in drafts] == [early.pk]
    after = (START + dt.timedelta(hours=1)).isoformat()
    later = organizer_client.get(URL, {"starts_after": after}).json()["results"]
    assert [r["id"] for r in later] == [late.pk]
    assert_error(organizer_client.get(URL, {"status": "sleeping"}), 400, "status")
    assert_error(organizer_client.get(URL, {"starts_after": "tonight"}), 400, "starts_after")


def test_round_filters_take_any_utc_offset_python_accepts(organizer_client, conference):
    # PostgreSQL refuses offsets beyond 15:59; the filter hands it the moment in UTC.
    round_ = MeetupRoundFactory(conference=conference, starts_at=START)
    far_east = dt.datetime(
        2030, 6, 29, 10, 6, tzinfo=dt.timezone(dt.timedelta(hours=16, minutes=5))
    )
    found = organizer_client.get(URL, {"starts_before": far_east.isoformat()})
    assert [r["id"] for r in found.json()["results"]] == [round_.pk]
    assert_error(
        organizer_client.get(URL, {"starts_after": "0001-01-01T00:30:00+16:05"}),
        400,
        "starts_after",
    )


def test_organizer_adds_a_round_with_tables(organizer_client, conference):
    tables = DrinkTableFactory.create_batch(2, conference=conference)
    response = organizer_client.post(
        URL, new_round(tables=[t.pk for t in tables], status="open"), format="json"
    )
    assert response.status_code == 201, response.content
    round = MeetupRound.objects.get(pk=response.json()["id"])
    assert (round.conference, round.name, round.status, round.starts_at) == (
        conference,
        "Monday drinks",
        RoundStatus.OPEN,
        START,
    )
    assert sorted(t.pk for t in round.tables.all()) == sorted(t.pk for t in tables)
    assert response.json()["going_count"] == 0
    assert organizer_client.get(f"{URL}{round.pk}/").json() == response.json()


def test_a_new_round_is_a_draft_by_default(organizer_client):
    response = organizer_client.post(URL, new_round(), format="json")
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["tables"]) == ("draft", [])


def test_round_input_is_validated(organizer_client, conference):
    foreign = DrinkTableFactory()
    body = assert_error(
        organizer_client.post(URL, new_round(ends_at=START.isoformat()), format="json"),
        400,
        "ends_at",
    )
    assert body["errors"]["ends_at"] == ["The round must end after it starts."]
    body = assert_error(
        organizer_client.post(URL, new_round(tables=[foreign.pk]), format="json"), 400, "tables"
    )
    assert body["errors"]["tables"] == [f"This conference has no table with id {foreign.pk}."]
    assert_error(organizer_client.post(URL, new_round(status="held"), format="json"), 400, "status")
    assert_error(
        organizer_client.post(URL, {"name": "x"}, format="json"), 400, "starts_at", "ends_at"
    )
    assert not MeetupRound.objects.exists()


def test_organizer_changes_a_round_and_opens_it(organizer_client, conference):
    round = MeetupRoundFactory(conference=conference, status=RoundStatus.DRAFT)
    table = DrinkTableFactory(conference=conference)
    response = organizer_client.patch(
        f"{URL}{round.pk}/",
        {"status": "open", "location": "Rooftop", "tables": [table.pk]},
        format="json",
    )
    assert response.status_code == 200, response.content
    round.refresh_from_db()
    assert (round.status, round.location, list(round.tables.all())) == (
        RoundStatus.OPEN,
        "Rooftop",
        [table],
    )


def test_a_patch_that_ends_a_round_before_it_starts_is_refused(organizer_client, conference):
    round = MeetupRoundFactory(conference=conference)
    earlier = (round.starts_at - dt.timedelta(minutes=1)).isoformat()
    assert_error(organizer_client.patch(f"{URL}{round.pk}/", {"ends_at": earlier}), 400, "ends_at")


@pytest.mark.parametrize("status", [RoundStatus.MATCHED, RoundStatus.PUBLISHED])
def test_tables_of_a_matched_or_published_round_are_fixed(status, organizer_client, conference):
    run = MatchingRunFactory(round__conference=conference)
    round = run.round
    round.status = status
    round.published_run = run if status == RoundStatus.PUBLISHED else None
    round.save()
    table = DrinkTableFactory(conference=conference)
    body = assert_error(organizer_client.patch(f"{URL}{round.pk}/", {"tables": [table.pk]}), 409)
    assert "back to open" in body["detail"]
    assert organizer_client.patch(f"{URL}{round.pk}/", {"name": "Renamed"}).status_code == 200


def test_status_moves_only_along_the_round_flow(organizer_client, conference):
    held = MeetupRoundFactory(
        conference=conference,
        status=RoundStatus.HELD,
        published_run=MatchingRunFactory(round__conference=conference),
        held_at=timezone.now(),
    )
    body = assert_error(organizer_client.patch(f"{URL}{held.pk}/", {"status": "open"}), 409)
    assert "cannot go back to open" in body["detail"]
    later = (held.ends_at + dt.timedelta(hours=1)).isoformat()
    body = assert_error(organizer_client.patch(f"{URL}{held.pk}/", {"ends_at": later}), 409)
    assert "only its name and location" in body["detail"]
    assert_error(organizer_client.patch(f"{URL}{held.pk}/", {"status": "published"}), 400, "status")


def test_organizer_deletes_an_unpublished_round_but_not_a_published_one(
    organizer_client, conference
):
    draft = MeetupRoundFactory(conference=conference, status=RoundStatus.DRAFT)
    assert organizer_client.delete(f"{URL}{draft.pk}/").status_code == 204
    assert not MeetupRound.objects.filter(pk=draft.pk).exists()

    run = MatchingRunFactory(round__conference=conference)
    published = run.round
    published.status, published.published_run = RoundStatus.PUBLISHED, run
    published.save()
    body = assert_error(organizer_client.delete(f"{URL}{published.pk}/"), 409)
    assert "cancel it instead" in body["detail"]
    assert MeetupRound.objects.filter(pk=published.pk).exists()


def test_outsiders_get_404_for_rounds(outsider_client, conference):
    round = MeetupRoundFactory(conference=conference, name="Secret")
    assert_error(outsider_client.get(URL), 404)
    assert_error(outsider_client.post(URL, new_round(), format="json"), 404)
    assert_error(outsider_client.get(f"{URL}{round.pk}/"), 404)
    assert_error(outsider_client.patch(f"{URL}{round.pk}/", {"name": "Mine"}), 404)
    assert_error(outsider_client.delete(f"{URL}{round.pk}/"), 404)
    round.refresh_from_db()
    assert round.name == "Secret"


@pytest.mark.parametrize("count", [1, 15])
def test_round_list_queries_do_not_grow(
    count, organizer_client, conference, django_assert_max_num_queries
):
    tables = DrinkTableFactory.create_batch(3, conference=conference)
    for _ in range(count):
        round = MeetupRoundFactory(conference=conference)
        round.tables.set(tables)
        RoundRSVPFactory(round=round)
    with django_assert_max_num_queries(4):
        response = organizer_client.get(URL)
    assert response.json()["count"] == count


def test_reopening_a_matched_round_frees_its_tables_in_the_same_request(
    organizer_client, conference
):
    round = MeetupRoundFactory(conference=conference, status=RoundStatus.MATCHED)
    table = DrinkTableFactory(conference=conference)
    response = organizer_client.patch(
        f"{URL}{round.pk}/", {"status": "open", "tables": [table.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["tables"]) == ("open", [table.pk])
