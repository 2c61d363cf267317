"""The organizer's plan page and its actions, over HTTP."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conferences.enums import RoundStatus
from conferences.models import MeetupRound, Topic
from matching import engine
from matching.enums import RunStatus
from matching.models import MatchingRun, Seat
from matching.selectors import plans
from matching.services import lifecycle, problem
from tests.factories import BlockFactory, OrganizerFactory, UserFactory
from tests.matching.scenario import build_round

pytestmark = pytest.mark.django_db


def plan_url(meetup_round) -> str:
    return reverse("organize:round_plan", args=[meetup_round.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def signed_in(client, scenario):
    client.force_login(scenario.organizer)
    return client


@pytest.fixture
def post(signed_in, django_capture_on_commit_callbacks):
    """POST as the organizer, follow the redirect; after-commit tasks run as they would."""

    def post(name, pk, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return signed_in.post(reverse(f"organize:{name}", args=[pk]), data or {}, follow=True)

    return post


def test_a_round_without_a_run_offers_the_run_form(signed_in, scenario):
    response = signed_in.get(plan_url(scenario.round))

    page = response.content.decode()
    assert response.status_code == 200
    assert "No matching has run for this round yet." in page
    assert 'action="' + reverse("organize:round_run", args=[scenario.round.pk]) in page
    assert f"Run the matching to seat the {len(scenario.going)} people going." in page
    assert '<label for="id_time_limit_s">Time limit (seconds)</label>' in page


def test_running_the_matching_from_the_page_shows_the_plan(
    signed_in, scenario, django_capture_on_commit_callbacks
):
    url = reverse("organize:round_run", args=[scenario.round.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(url, {"time_limit_s": "1", "portfolio": "1"})
    assert response["Location"] == plan_url(scenario.round) + "#run"

    run = MatchingRun.objects.get(round=scenario.round)
    assert run.status == RunStatus.SUCCEEDED
    response = signed_in.get(response["Location"])
    assert messages_of(response) == [f"Matching started (run #{run.pk}, seed {run.seed})."]
    page = response.content.decode()
    for table in scenario.tables:
        assert f"Table {table.label}" in page
    for person in scenario.going:
        assert person.full_name in page
    assert page.count('<span class="badge">Newcomer</span>') == len(scenario.newcomers)
    assert "How this plan meets the round's targets" in page
    assert "Publish and notify attendees" in page


def test_the_page_explains_why_each_person_sits_there(signed_in, scenario, solve):
    run = solve(scenario.round)
    first, second = scenario.returning[:2]
    table = Seat.objects.get(run=run, person=first).table
    Seat.objects.filter(run=run, person=second).update(table=table)  # they met last edition
    view = next(
        seat
        for table_view in plans.plan_for(round=scenario.round).tables
        for seat in table_view.seats
        if seat.pk == first.pk
    )
    mates = Seat.objects.filter(run=run, table=table).exclude(person=first)

    assert second.full_name in view.friends
    assert view.shared_topics == sorted(
        set(first.topics.values_list("name", flat=True))
        & set(Topic.objects.filter(people__seats__in=mates).values_list("name", flat=True))
    )
    page = signed_in.get(plan_url(scenario.round)).content.decode()
    assert f"<li>Friends here: {', '.join(view.friends)}</li>" in page
    if view.shared_topics:
        assert f"<li>Shares {', '.join(view.shared_topics)}</li>" in page


def test_a_draft_round_says_how_to_get_to_matching(signed_in, scenario):
    scenario.round.status = RoundStatus.DRAFT
    scenario.round.save()
    page = signed_in.get(plan_url(scenario.round)).content.decode()
    assert "This round is a draft. Open it for RSVPs below" in page
    assert reverse("organize:round_open", args=[scenario.round.pk]) in page
    assert reverse("organize:round_run", args=[scenario.round.pk]) not in page


def test_names_on_the_plan_page_are_escaped(signed_in, scenario, solve):
    person = scenario.newcomers[0]
    person.full_name = '<b onclick="x()">Eve</b> & Co'
    person.save()
    solve(scenario.round)

    page = signed_in.get(plan_url(scenario.round) + f"?move={person.pk}").content.decode()

    assert "<b onclick" not in page
    escaped = "&lt;b onclick=&quot;x()&quot;&gt;Eve&lt;/b&gt; &amp; Co"
    assert f'<tr><th scope="row">{escaped} <span class="badge">Newcomer</span>' in page
    assert f"Move <span data-move-name>{escaped}</span>" in page
    assert f'data-move-person-name="{escaped}"' in page


def test_bad_run_options_are_refused_with_the_reason(post, scenario):
    response = post("round_run", scenario.round.pk, {"time_limit_s": "99999", "portfolio": "1"})

    assert not MatchingRun.objects.exists()
    (message,) = messages_of(response)
    assert message.startswith("The matching did not start. Time limit (seconds): ")
    assert "600" in message


def test_a_second_trigger_while_running_points_to_the_active_run(post, scenario):
    run = MatchingRun.objects.create(round=scenario.round, status=RunStatus.RUNNING)
    MatchingRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now(), heartbeat_at=timezone.now(), progress=40
    )

    response = post("round_run", scenario.round.pk, {"time_limit_s": "1", "portfolio": "1"})

    assert MatchingRun.objects.count() == 1
    assert messages_of(response) == [
        f"Run #{run.pk} is already working on this round; follow its progress below or "
        "cancel it to start another."
    ]
    page = response.content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert '<progress id="run-progress" max="100" value="40">' in page
    assert f"Cancel run #{run.pk}" in page


def test_the_progress_poll_reloads_the_page_once_the_watched_run_finished(
    signed_in, scenario, solve
):
    run = solve(scenario.round)
    url = reverse("organize:round_plan_status", args=[scenario.round.pk])

    finished = signed_in.get(f"{url}?watching={run.pk}", HTTP_HX_REQUEST="true")
    assert finished["HX-Refresh"] == "true"

    MatchingRun.objects.create(round=scenario.round, status=RunStatus.QUEUED)
    newer = MatchingRun.objects.get(status=RunStatus.QUEUED)
    polling = signed_in.get(f"{url}?watching={newer.pk}", HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in polling
    assert "Waiting for a worker" in polling.content.decode()


def test_a_failed_run_shows_the_engines_message(signed_in, scenario):
    MatchingRun.objects.create(
        round=scenario.round,
        status=RunStatus.FAILED,
        error="The seating cannot be planned: pinned: Ann is pinned to two tables.",
    )
    page = signed_in.get(plan_url(scenario.round)).content.decode()
    assert "The matching failed." in page
    assert "pinned: Ann is pinned to two tables." in page


def test_cancel_a_run_from_the_page(post, scenario):
    run = MatchingRun.objects.create(round=scenario.round, status=RunStatus.QUEUED)
    response = post("run_cancel", run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert messages_of(response) == [f"Run #{run.pk} is cancelled; the current plan is unchanged."]


def test_move_a_person_and_see_the_new_figures(post, scenario, solve):
    run = solve(scenario.round)
    person = scenario.newcomers[0]
    current = Seat.objects.get(run=run, person=person).table
    target = next(t for t in scenario.tables if t != current)

    response = post("round_seat_move", scenario.round.pk, {"person": person.pk, "table": target.pk})

    assert Seat.objects.get(run=run, person=person).table == target
    (message,) = messages_of(response)
    assert message.startswith(f"{person.full_name} now sits at table {target.label}. New figures:")
    assert "newcomers welcomed" in message
    assert "Changed by hand" in response.content.decode()


def test_a_refused_move_says_why(post, scenario, solve):
    run = solve(scenario.round)
    person = scenario.newcomers[0]
    current = Seat.objects.get(run=run, person=person).table
    target = next(t for t in scenario.tables if t != current)
    target.capacity = Seat.objects.filter(run=run, table=target).count()
    target.save()

    response = post("round_seat_move", scenario.round.pk, {"person": person.pk, "table": target.pk})

    assert messages_of(response) == [
        f"{person.full_name} was not moved. Table {target.label} is full ({target.capacity} seats)."
    ]
    assert Seat.objects.get(run=run, person=person).table == current


def test_publish_unpublish_and_cancel_from_the_page(post, scenario, solve):
    solve(scenario.round)

    published = post("round_publish", scenario.round.pk)
    assert messages_of(published) == [
        f"Published; {len(scenario.going)} people will be e-mailed their table."
    ]
    assert len(mail.outbox) == len(scenario.going)
    assert "Unpublish" in published.content.decode()

    again = post("round_publish", scenario.round.pk)
    assert messages_of(again) == ["This plan was already published; nobody was notified again."]

    unpublished = post("round_unpublish", scenario.round.pk)
    scenario.round.refresh_from_db()
    assert scenario.round.status == RoundStatus.MATCHED
    assert messages_of(unpublished)[0].startswith("The plan is back in review.")

    held_too_early = post("round_held", scenario.round.pk)
    assert messages_of(held_too_early) == ["Publish the plan before marking the round held."]

    cancelled = post("round_cancel", scenario.round.pk)
    scenario.round.refresh_from_db()
    assert scenario.round.status == RoundStatus.CANCELLED
    assert messages_of(cancelled) == [
        f"Cancelled; {len(scenario.going)} people who were told a table will be e-mailed that "
        "the round is cancelled."
    ]


def test_mark_held_from_the_page_reports_the_encounters(client, organizer, solve, post):
    past = build_round(
        organizer=organizer, label="past", starts_at=timezone.now() - dt.timedelta(hours=5)
    )
    solve(past.round)
    post("round_publish", past.round.pk)

    response = post("round_held", past.round.pk)

    (message,) = messages_of(response)
    assert message.startswith("The round is marked held: ")
    seated = Seat.objects.filter(run_id=MeetupRound.objects.get(pk=past.round.pk).published_run_id)
    assert message.endswith(
        f" new encounters recorded. {seated.count()} attendees are being asked by e-mail who "
        "they met."
    )
    assert "Mark held" not in response.content.decode()


def test_downloads_are_format_v1_files_with_matching_ids(signed_in, scenario, solve):
    solve(scenario.round)

    problem_response = signed_in.get(reverse("organize:round_problem", args=[scenario.round.pk]))
    plan_response = signed_in.get(reverse("organize:round_plan_export", args=[scenario.round.pk]))

    assert problem_response["Content-Disposition"] == (
        f'attachment; filename="round-{scenario.round.pk}-problem.json"'
    )
    problem = engine.problem_from_dict(problem_response.json())
    solution = engine.solution_from_dict(plan_response.json(), problem)
    metrics = engine.score(problem, solution)
    assert metrics["seated"] == len(scenario.going)
    assert sum(metrics["violations"].values()) == 0


def test_the_problem_download_leaves_out_blocks_against_the_organizer(signed_in, scenario):
    me, blocker, mutual, mine, other, blocked = scenario.returning[:6]
    me.user = scenario.organizer  # the organizer attends the round too
    me.save(update_fields=["user"])
    BlockFactory(blocker=blocker, blocked=me)  # never revealed to me
    BlockFactory(blocker=mutual, blocked=me)
    BlockFactory(blocker=me, blocked=mutual)  # both ways: I know of mine
    BlockFactory(blocker=me, blocked=mine)
    BlockFactory(blocker=other, blocked=blocked)  # somebody else's

    response = signed_in.get(reverse("organize:round_problem", args=[scenario.round.pk]))

    def pairs(*pairs):
        return sorted(sorted(f"p{person.pk}" for person in pair) for pair in pairs)

    assert sorted(map(sorted, response.json()["avoid"])) == pairs(
        (me, mutual), (me, mine), (other, blocked)
    )
    # The full file, for support, keeps every block.
    full = problem.problem_export(round=scenario.round, viewer=None)
    assert sorted(map(sorted, full["avoid"])) == pairs(
        (me, blocker), (me, mutual), (me, mine), (other, blocked)
    )


def test_the_plan_download_without_a_plan_explains(signed_in, scenario):
    response = signed_in.get(
        reverse("organize:round_plan_export", args=[scenario.round.pk]), follow=True
    )
    assert messages_of(response) == ["This round has no plan yet: run the matching first."]


def test_other_organizers_get_404_and_attendees_403(client, scenario, solve):
    run = solve(scenario.round)
    elsewhere = build_round(label="elsewhere").conference
    client.force_login(OrganizerFactory(username="other", conferences=[elsewhere]))
    for name, pk in [
        ("round_plan", scenario.round.pk),
        ("round_plan_status", scenario.round.pk),
        ("round_problem", scenario.round.pk),
    ]:
        assert client.get(reverse(f"organize:{name}", args=[pk])).status_code == 404
    for name, pk in [
        ("round_run", scenario.round.pk),
        ("round_publish", scenario.round.pk),
        ("round_cancel", scenario.round.pk),
        ("run_cancel", run.pk),
    ]:
        assert client.post(reverse(f"organize:{name}", args=[pk])).status_code == 404
    scenario.round.refresh_from_db()
    assert scenario.round.status == RoundStatus.MATCHED

    client.force_login(UserFactory(username="attendee"))
    assert client.get(plan_url(scenario.round)).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, scenario):
    response = client.get(plan_url(scenario.round))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("dashboard:login"))


def test_writes_need_post_and_a_get_only_asks_to_confirm(signed_in, scenario, solve):
    solve(scenario.round)
    url = reverse("organize:round_publish", args=[scenario.round.pk])

    page = signed_in.get(url)

    assert page.status_code == 200
    text = page.content.decode()
    going = len(scenario.going)
    assert f"This e-mails {going} attendees their table." in text
    assert f"{going} people will be e-mailed." in text
    assert f'<form method="post" action="{url}"' in text
    scenario.round.refresh_from_db()
    assert scenario.round.status == RoundStatus.MATCHED
    assert mail.outbox == []
    assert signed_in.put(url).status_code == 405


def test_the_plan_page_asks_to_confirm_publish_and_cancel_but_not_open(signed_in, scenario, solve):
    run = solve(scenario.round)
    page = signed_in.get(plan_url(scenario.round)).content.decode()
    publish = reverse("organize:round_publish", args=[scenario.round.pk])
    cancel = reverse("organize:round_cancel", args=[scenario.round.pk])
    reopen = reverse("organize:round_open", args=[scenario.round.pk])
    assert (
        f'<form method="get" action="{publish}"><input type="hidden" name="run" value="{run.pk}">'
        in page
    )
    assert f'<form method="get" action="{cancel}">' in page
    assert f'<form method="post" action="{reopen}">' in page

    confirm = signed_in.get(f"{publish}?run={run.pk}").content.decode()
    assert f'<input type="hidden" name="run" value="{run.pk}">' in confirm


def test_mark_held_is_not_offered_before_the_round_starts(signed_in, scenario, solve, post):
    solve(scenario.round)
    post("round_publish", scenario.round.pk)
    held = reverse("organize:round_held", args=[scenario.round.pk])

    assert held not in signed_in.get(plan_url(scenario.round)).content.decode()
    response = signed_in.get(held, follow=True)
    assert messages_of(response) == ["This cannot be done now: the round is published."]


def _plan_page_queries(client, meetup_round) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(plan_url(meetup_round))
    assert response.status_code == 200
    return len(queries)


def test_plan_page_queries_do_not_grow_with_the_number_of_tables(
    client, organizer, solve, django_assert_max_num_queries
):
    client.force_login(organizer)
    small = build_round(organizer=organizer, label="one", returning=3, newcomers=1, tables=1)
    large = build_round(organizer=organizer, label="many", returning=60, newcomers=20, tables=16)
    for scenario in (small, large):
        solve(scenario.round)
        lifecycle.round_publish(round_id=scenario.round.pk, by=None, notify=False)
    client.get(reverse("organize:index"))  # the page header's cached "is an organizer"

    with django_assert_max_num_queries(25):
        one = _plan_page_queries(client, small.round)
    with django_assert_max_num_queries(25):
        many = _plan_page_queries(client, large.round)
    assert one == many


def test_organize_index_links_each_round_to_its_plan(client, organizer, scenario):
    client.force_login(organizer)
    page = client.get(reverse("organize:index")).content.decode()
    assert f'href="{plan_url(scenario.round)}"' in page
    assert f'Match<span class="visually-hidden"> of {scenario.round.name}' in page


def test_organize_index_queries_do_not_grow_with_rounds(
    client, organizer, django_assert_max_num_queries
):
    client.force_login(organizer)
    build_round(organizer=organizer, label="a")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("organize:index"))
    for label in ("b", "c", "d"):
        build_round(organizer=organizer, label=label)
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse("organize:index")).status_code == 200
