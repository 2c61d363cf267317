"""/conferences/{slug}/tables/: organizers manage their conference's drink tables."""

import pytest

from conferences.models import DrinkTable
from tests.factories import ConferenceFactory, DrinkTableFactory, PersonFactory, SeatFactory

from .support import assert_error, attendee_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/conferences/necc-2009/tables/"


def test_organizer_lists_tables_by_label_with_filters(organizer_client, conference):
    host = attendee_of(conference, full_name="Hal Host")
    DrinkTableFactory(conference=conference, label="B", capacity=6, host=host, accessible=True)
    DrinkTableFactory(conference=conference, label="A", active=False)
    DrinkTableFactory(label="elsewhere")
    response = organizer_client.get(URL)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [t["label"] for t in results] == ["A", "B"]
    assert results[1] == {
        "id": results[1]["id"],
        "label": "B",
        "location": "Terrace",
        "capacity": 6,
        "accessible": True,
        "active": True,
        "host": host.pk,
        "host_name": "Hal Host",
    }
    assert [
        t["label"] for t in organizer_client.get(URL, {"active": "true"}).json()["results"]
    ] == ["B"]
    assert [
        t["label"] for t in organizer_client.get(URL, {"accessible": "false"}).json()["results"]
    ] == ["A"]
    assert_error(organizer_client.get(URL, {"active": "perhaps"}), 400, "active")


def test_organizer_adds_changes_and_deletes_a_table(organizer_client, conference):
    host = attendee_of(conference)
    created = organizer_client.post(
        URL, {"label": "T1", "capacity": 6, "host": host.pk, "location": "Bar"}, format="json"
    )
    assert created.status_code == 201, created.content
    table = DrinkTable.objects.get(pk=created.json()["id"])
    assert (table.conference, table.label, table.capacity, table.host) == (
        conference,
        "T1",
        6,
        host,
    )
    assert created.json()["active"] is True

    changed = organizer_client.patch(
        f"{URL}{table.pk}/", {"capacity": 10, "host": None, "accessible": True}, format="json"
    )
    assert changed.status_code == 200, changed.content
    table.refresh_from_db()
    assert (table.capacity, table.host, table.accessible, table.label) == (10, None, True, "T1")
    assert organizer_client.get(f"{URL}{table.pk}/").json() == changed.json()

    assert organizer_client.delete(f"{URL}{table.pk}/").status_code == 204
    assert not DrinkTable.objects.filter(pk=table.pk).exists()


def test_table_input_is_validated(organizer_client, conference):
    DrinkTableFactory(conference=conference, label="T1")
    stranger = PersonFactory()
    body = assert_error(organizer_client.post(URL, {"label": "t1"}, format="json"), 400, "label")
    assert "already has a table labelled" in body["detail"]
    assert_error(organizer_client.post(URL, {}, format="json"), 400, "label")
    assert_error(
        organizer_client.post(URL, {"label": "T2", "capacity": 0}, format="json"), 400, "capacity"
    )
    assert_error(
        organizer_client.post(URL, {"label": "T2", "capacity": 101}, format="json"), 400, "capacity"
    )
    body = assert_error(
        organizer_client.post(URL, {"label": "T2", "host": stranger.pk}, format="json"), 400, "host"
    )
    assert body["errors"]["host"] == [
        f"No person with id {stranger.pk} is registered for this conference."
    ]
    assert list(DrinkTable.objects.values_list("label", flat=True)) == ["T1"]


def test_relabelling_onto_another_tables_label_is_refused(organizer_client, conference):
    DrinkTableFactory(conference=conference, label="T1")
    other = DrinkTableFactory(conference=conference, label="T2")
    assert_error(organizer_client.patch(f"{URL}{other.pk}/", {"label": "T1"}), 400, "label")
    assert organizer_client.patch(f"{URL}{other.pk}/", {"label": "T2"}).status_code == 200


def test_a_table_in_a_plan_cannot_be_deleted(organizer_client, conference):
    table = DrinkTableFactory(conference=conference, label="T1")
    SeatFactory(table=table, run__round__conference=conference)
    body = assert_error(organizer_client.delete(f"{URL}{table.pk}/"), 409)
    assert "set active to false" in body["detail"]
    assert DrinkTable.objects.filter(pk=table.pk).exists()


def test_put_is_not_offered(organizer_client, conference):
    table = DrinkTableFactory(conference=conference)
    assert_error(organizer_client.put(f"{URL}{table.pk}/", {"label": "X"}), 405)


def test_outsiders_get_404_for_tables(outsider_client, conference):
    table = DrinkTableFactory(conference=conference, label="T1")
    assert_error(outsider_client.get(URL), 404)
    assert_error(outsider_client.post(URL, {"label": "T9"}, format="json"), 404)
    assert_error(outsider_client.get(f"{URL}{table.pk}/"), 404)
    assert_error(outsider_client.patch(f"{URL}{table.pk}/", {"label": "X"}), 404)
    assert_error(outsider_client.delete(f"{URL}{table.pk}/"), 404)
    table.refresh_from_db()
    assert table.label == "T1"


def test_a_table_of_another_conference_is_not_found_under_mine(organizer_client):
    elsewhere = DrinkTableFactory(conference=ConferenceFactory())
    assert_error(organizer_client.get(f"{URL}{elsewhere.pk}/"), 404)
    assert_error(organizer_client.delete(f"{URL}{elsewhere.pk}/"), 404)


@pytest.mark.parametrize("count", [1, 25])
def test_table_list_queries_do_not_grow(
    count, organizer_client, conference, django_assert_max_num_queries
):
    for _ in range(count):
        DrinkTableFactory(conference=conference, host=attendee_of(conference))
    with django_assert_max_num_queries(3):
        response = organizer_client.get(URL)
    assert response.json()["count"] == count
