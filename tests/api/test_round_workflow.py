"""/rounds/{id}/… and /runs/{id}/: an organizer runs the matching, reviews and changes the plan,
publishes it, marks the round held; with the format-v1 files."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from attendees.enums import EncounterKind
from attendees.models import Encounter
from conferences.enums import RoundStatus
from conferences.models import MeetupRound
from matching.enums import RunStatus
from matching.models import MatchingRun, Seat
from tests.factories import (
    BlockFactory,
    DrinkTableFactory,
    MatchingRunFactory,
    MeetupRoundFactory,
    PersonFactory,
    RoundRSVPFactory,
)

from .support import assert_error, attendee_of, client_for, seated_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def evening(conference):
    """An open round with two tables of four and six people going."""
    round = MeetupRoundFactory(conference=conference, status=RoundStatus.OPEN)
    tables = [DrinkTableFactory(conference=conference, label=f"T{n}", capacity=4) for n in (1, 2)]
    people = [attendee_of(conference, full_name=f"Person {n}") for n in range(6)]
    for person in people:
        RoundRSVPFactory(person=person, round=round)
    return round, tables, people


@pytest.fixture
def run_matching(organizer_client, django_capture_on_commit_callbacks):
    """POST …/runs/ with the task run in-process once the request commits."""

    def run_matching(round, **body):
        with django_capture_on_commit_callbacks(execute=True):
            response = organizer_client.post(
                f"/api/v1/rounds/{round.pk}/runs/", {"time_limit_s": 1, **body}, format="json"
            )
        return response

    return run_matching


def test_from_run_to_published_plan_to_held_round(
    evening, organizer_client, run_matching, django_capture_on_commit_callbacks
):
    round, tables, people = evening
    started = run_matching(round, seed=7)
    assert started.status_code == 202, started.content
    run = started.json()
    assert (run["round"], run["seed"], run["time_limit_s"], run["portfolio"]) == (
        round.pk,
        7,
        1.0,
        1,
    )
    # The task is enqueued after the commit; here that is after the answer, so it is queued.
    assert run["status"] == "queued"

    status = organizer_client.get(f"/api/v1/runs/{run['id']}/").json()
    assert (status["status"], status["progress"], status["metrics"]["seated"]) == (
        "succeeded",
        100,
        6,
    )
    assert status["metrics"]["violations"] == dict.fromkeys(status["metrics"]["violations"], 0)

    plan = organizer_client.get(f"/api/v1/rounds/{round.pk}/plan/").json()
    assert (plan["round"], plan["run"]["id"], plan["is_published"], plan["seated"]) == (
        round.pk,
        run["id"],
        False,
        6,
    )
    assert [t["label"] for t in plan["tables"]] == ["T1", "T2"]
    seated = sorted(s["person"]["id"] for t in plan["tables"] for s in t["seats"])
    assert seated == sorted(p.pk for p in people)
    assert plan["unseated"] == []

    with django_capture_on_commit_callbacks(execute=True):
        published = organizer_client.post(f"/api/v1/rounds/{round.pk}/publish/", {}, format="json")
    assert published.status_code == 200, published.content
    assert (published.json()["status"], published.json()["published_run"]) == (
        "published",
        run["id"],
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    table = client_for(people[0].user).get(f"/api/v1/me/rounds/{round.pk}/table/")
    assert table.status_code == 200
    assert len(table.json()["tablemates"]) in (1, 2, 3)

    not_yet = assert_error(organizer_client.post(f"/api/v1/rounds/{round.pk}/held/"), 409)
    assert "has not started yet" in not_yet["detail"]
    MeetupRound.objects.filter(pk=round.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    held = organizer_client.post(f"/api/v1/rounds/{round.pk}/held/")
    assert held.status_code == 200, held.content
    pairs = sum(len(t["seats"]) * (len(t["seats"]) - 1) // 2 for t in plan["tables"])
    assert held.json()["encounters_created"] == pairs
    assert held.json()["round"]["status"] == "held"
    assert Encounter.objects.filter(round=round, kind=EncounterKind.SEATED).count() == pairs
    again = organizer_client.post(f"/api/v1/rounds/{round.pk}/held/")
    assert again.json()["encounters_created"] == 0


def test_starting_a_run_is_validated(evening, organizer_client):
    round, _, _ = evening
    url = f"/api/v1/rounds/{round.pk}/runs/"
    assert_error(
        organizer_client.post(url, {"time_limit_s": 0}, format="json"), 400, "time_limit_s"
    )
    assert_error(
        organizer_client.post(url, {"time_limit_s": 601}, format="json"), 400, "time_limit_s"
    )
    assert_error(organizer_client.post(url, {"portfolio": 17}, format="json"), 400, "portfolio")
    assert_error(organizer_client.post(url, {"seed": -1}, format="json"), 400, "seed")
    assert_error(organizer_client.post(url, {"sede": 1}, format="json"), 400, "sede")
    assert not MatchingRun.objects.exists()
    round.status = RoundStatus.DRAFT
    round.save()
    body = assert_error(organizer_client.post(url, {}, format="json"), 409)
    assert "still a draft" in body["detail"]


def test_asking_again_while_a_run_works_answers_that_run(evening, organizer_client):
    round, _, _ = evening
    first = organizer_client.post(f"/api/v1/rounds/{round.pk}/runs/", {}, format="json")
    assert first.status_code == 202 and first.json()["status"] == "queued"  # not committed yet
    again = organizer_client.post(f"/api/v1/rounds/{round.pk}/runs/", {}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    listed = organizer_client.get(f"/api/v1/rounds/{round.pk}/runs/").json()
    assert [r["id"] for r in listed["results"]] == [first.json()["id"]]
    cancelled = organizer_client.post(f"/api/v1/runs/{first.json()['id']}/cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    body = assert_error(organizer_client.post(f"/api/v1/runs/{first.json()['id']}/cancel/"), 409)
    assert "already cancelled" in body["detail"]


def test_format_v1_files_use_the_same_ids(evening, organizer_client, run_matching):
    round, tables, people = evening
    run_matching(round)
    problem = organizer_client.get(f"/api/v1/rounds/{round.pk}/problem/")
    assert problem.status_code == 200
    problem = problem.json()
    assert problem["format"] == "drinktables.problem.v1"
    solution = organizer_client.get(f"/api/v1/rounds/{round.pk}/plan/", {"format": "v1"})
    assert solution.status_code == 200, solution.content
    solution = solution.json()
    assert solution["format"] == "drinktables.solution.v1"
    assert {p["id"] for p in problem["people"]} == {f"p{p.pk}" for p in people}
    assert {t["id"] for t in problem["tables"]} == {f"t{t.pk}" for t in tables}
    [plan] = solution["rounds"]
    assert set(plan["tables"]) == {t["id"] for t in problem["tables"]}
    assert sorted(m for members in plan["tables"].values() for m in members) == sorted(
        p["id"] for p in problem["people"]
    )
    body = assert_error(
        organizer_client.get(f"/api/v1/rounds/{round.pk}/plan/", {"format": "v1", "run": 1}),
        400,
        "run",
    )
    assert "current plan" in body["detail"]
    assert_error(organizer_client.get(f"/api/v1/rounds/{round.pk}/plan/", {"format": "xml"}), 404)


def test_plan_without_a_run_is_empty_and_its_v1_file_a_conflict(evening, organizer_client):
    round, _, _ = evening
    plan = organizer_client.get(f"/api/v1/rounds/{round.pk}/plan/").json()
    assert (plan["run"], plan["seated"], len(plan["unseated"])) == (None, 0, 6)
    body = assert_error(
        organizer_client.get(f"/api/v1/rounds/{round.pk}/plan/", {"format": "v1"}), 409
    )
    assert "run the matching first" in body["detail"]
    assert_error(
        organizer_client.get(f"/api/v1/rounds/{round.pk}/plan/", {"run": 99999}), 400, "run"
    )


def test_move_a_person_to_another_table(evening, organizer_client, run_matching):
    round, tables, people = evening
    run_id = run_matching(round).json()["id"]
    seats = dict(Seat.objects.filter(run_id=run_id).values_list("person_id", "table_id"))
    person = people[0]
    target = next(t for t in tables if t.pk != seats[person.pk])
    if Seat.objects.filter(run_id=run_id, table=target).count() >= target.capacity:
        Seat.objects.filter(run_id=run_id, table=target).exclude(person=person).first().delete()
    response = organizer_client.post(
        f"/api/v1/rounds/{round.pk}/plan/move/",
        {"person": person.pk, "table": target.pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Seat.objects.get(run_id=run_id, person=person).table == target
    moved_to = next(t for t in response.json()["tables"] if t["id"] == target.pk)
    assert person.pk in [s["person"]["id"] for s in moved_to["seats"]]
    assert MatchingRun.objects.get(pk=run_id).edited is True


def test_moves_are_validated(evening, organizer_client, run_matching, conference):
    round, tables, people = evening
    url = f"/api/v1/rounds/{round.pk}/plan/move/"
    body = assert_error(
        organizer_client.post(url, {"person": people[0].pk, "table": tables[0].pk}), 409
    )
    assert "run the matching first" in body["detail"]
    run_matching(round)
    seat = Seat.objects.filter(person=people[0]).select_related("table").get()
    body = assert_error(
        organizer_client.post(url, {"person": people[0].pk, "table": seat.table_id}), 400, "table"
    )
    assert "already sits at table" in body["detail"]
    outsider = PersonFactory(full_name="Secret Name")
    body = assert_error(
        organizer_client.post(url, {"person": outsider.pk, "table": tables[0].pk}), 400, "person"
    )
    assert "Secret Name" not in body["detail"]
    elsewhere = DrinkTableFactory()
    assert_error(
        organizer_client.post(url, {"person": people[0].pk, "table": elsewhere.pk}), 400, "table"
    )
    not_going = attendee_of(conference, full_name="Not Going")
    body = assert_error(
        organizer_client.post(url, {"person": not_going.pk, "table": tables[0].pk}), 400, "person"
    )
    assert "not going to this round" in body["detail"]
    assert_error(organizer_client.post(url, {"person": people[0].pk}), 400, "table")


def test_publish_unpublish_and_cancel(evening, organizer_client, run_matching):
    round, _, _ = evening
    body = assert_error(organizer_client.post(f"/api/v1/rounds/{round.pk}/publish/", {}), 409)
    assert "run the matching first" in body["detail"]
    run_id = run_matching(round).json()["id"]
    assert_error(
        organizer_client.post(f"/api/v1/rounds/{round.pk}/publish/", {"run": 999999}), 400, "run"
    )
    published = organizer_client.post(f"/api/v1/rounds/{round.pk}/publish/", {"run": run_id})
    assert published.json()["status"] == "published"
    unpublished = organizer_client.post(f"/api/v1/rounds/{round.pk}/unpublish/")
    assert (unpublished.json()["status"], unpublished.json()["published_run"]) == ("matched", None)
    assert_error(organizer_client.post(f"/api/v1/rounds/{round.pk}/unpublish/"), 409)
    cancelled = organizer_client.post(f"/api/v1/rounds/{round.pk}/cancel/")
    assert cancelled.json()["status"] == "cancelled"
    body = assert_error(organizer_client.post(f"/api/v1/rounds/{round.pk}/cancel/"), 409)
    assert "already cancelled" in body["detail"]


def test_the_problem_file_hides_a_block_against_the_organizer(
    evening, organizer, organizer_client, conference
):
    round, _, people = evening
    me = attendee_of(conference, full_name="Org Anizer")
    me.user.delete()
    me.user = organizer
    me.save()
    RoundRSVPFactory(person=me, round=round)
    BlockFactory(blocker=people[0], blocked=me)  # hidden from me
    BlockFactory(blocker=people[1], blocked=people[2])  # somebody else's: the matcher's input
    BlockFactory(blocker=me, blocked=people[3])  # my own
    avoid = organizer_client.get(f"/api/v1/rounds/{round.pk}/problem/").json()["avoid"]
    assert sorted(map(sorted, avoid)) == sorted(
        [
            sorted([f"p{people[1].pk}", f"p{people[2].pk}"]),
            sorted([f"p{me.pk}", f"p{people[3].pk}"]),
        ]
    )


def test_outsiders_get_404_for_rounds_and_runs(outsider_client, conference):
    round = MeetupRoundFactory(conference=conference)
    run = MatchingRunFactory(round=round, status=RunStatus.QUEUED)
    for method, url in [
        ("get", f"/api/v1/rounds/{round.pk}/"),
        ("get", f"/api/v1/rounds/{round.pk}/runs/"),
        ("post", f"/api/v1/rounds/{round.pk}/runs/"),
        ("get", f"/api/v1/rounds/{round.pk}/plan/"),
        ("get", f"/api/v1/rounds/{round.pk}/plan/?format=v1"),
        ("post", f"/api/v1/rounds/{round.pk}/plan/move/"),
        ("post", f"/api/v1/rounds/{round.pk}/publish/"),
        ("post", f"/api/v1/rounds/{round.pk}/unpublish/"),
        ("post", f"/api/v1/rounds/{round.pk}/held/"),
        ("post", f"/api/v1/rounds/{round.pk}/cancel/"),
        ("get", f"/api/v1/rounds/{round.pk}/problem/"),
        ("get", f"/api/v1/runs/{run.pk}/"),
        ("post", f"/api/v1/runs/{run.pk}/cancel/"),
    ]:
        assert_error(getattr(outsider_client, method)(url, {}, format="json"), 404)
    round.refresh_from_db()
    run.refresh_from_db()
    assert (round.status, run.status) == (RoundStatus.OPEN, RunStatus.QUEUED)


@pytest.mark.parametrize("count", [1, 10])
def test_plan_and_run_list_queries_do_not_grow(
    count, organizer_client, conference, django_assert_max_num_queries
):
    tables = [DrinkTableFactory(conference=conference) for _ in range(count)]
    people = [attendee_of(conference) for _ in range(2 * count)]
    round = seated_round(
        conference, {table: people[2 * n : 2 * n + 2] for n, table in enumerate(tables)}
    )
    for person in people:
        RoundRSVPFactory(person=person, round=round)
    for _ in range(count):
        MatchingRunFactory(round=round, status=RunStatus.FAILED)
    with django_assert_max_num_queries(15):
        plan = organizer_client.get(f"/api/v1/rounds/{round.pk}/plan/").json()
    assert plan["seated"] == 2 * count
    with django_assert_max_num_queries(5):
        runs = organizer_client.get(f"/api/v1/rounds/{round.pk}/runs/").json()
    assert runs["count"] == count + 1
