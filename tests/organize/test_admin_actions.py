"""The round workflow from the Django admin: actions on the round list, links to the plan."""

import pytest
from django.core import mail
from django.urls import reverse

from conferences.enums import RoundStatus
from matching.enums import RunStatus
from matching.models import MatchingRun
from tests.factories import MatchingRunFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:conferences_meetupround_changelist"


@pytest.fixture
def act(client, scenario, django_capture_on_commit_callbacks):
    client.force_login(scenario.organizer)

    def act(action, *rounds):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse(CHANGELIST),
                {"action": action, "_selected_action": [r.pk for r in rounds], "post": "yes"},
                follow=True,
            )
        for meetup_round in rounds:
            meetup_round.refresh_from_db()
        return [str(m) for m in response.context["messages"]]

    return act


def test_the_round_list_links_to_each_plan(client, scenario):
    client.force_login(scenario.organizer)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert reverse("organize:round_plan", args=[scenario.round.pk]) in page


def test_run_matching_action_starts_a_run(act, scenario, settings):
    settings.MATCHING_DEFAULT_TIME_LIMIT_S = 0.5

    messages = act("run_matching", scenario.round)

    run = MatchingRun.objects.get(round=scenario.round)
    assert run.status == RunStatus.SUCCEEDED
    assert run.requested_by == scenario.organizer
    assert run.time_limit_s == 0.5
    assert len(messages) == 1 and messages[0].startswith(
        f"{scenario.round.name}: matching started."
    )
    assert scenario.round.status == RoundStatus.MATCHED


def test_run_matching_on_a_round_with_an_active_run_says_so(act, scenario):
    run = MatchingRunFactory(round=scenario.round, status=RunStatus.RUNNING)
    assert act("run_matching", scenario.round) == [
        f"{scenario.round.name}: run #{run.pk} is already working on it."
    ]
    assert MatchingRun.objects.count() == 1


def test_publish_then_cancel_actions(act, scenario, solve):
    solve(scenario.round)

    assert act("publish_plan", scenario.round) == [
        "Published (attendees are being told their table): 1 round."
    ]
    assert scenario.round.status == RoundStatus.PUBLISHED
    assert len(mail.outbox) == len(scenario.going)

    assert act("unpublish_plan", scenario.round) == ["Unpublished: 1 round."]
    assert scenario.round.status == RoundStatus.MATCHED

    assert act("cancel_rounds", scenario.round) == ["Cancelled: 1 round."]
    assert scenario.round.status == RoundStatus.CANCELLED


def test_publishing_and_cancelling_ask_to_confirm_with_the_count_first(client, scenario, solve):
    solve(scenario.round)
    client.force_login(scenario.organizer)
    going = len(scenario.going)

    for action, words in (
        ("publish_plan", f"This e-mails {going} attendees their table."),
        ("cancel_rounds", "Nobody was told a table yet, so nobody is e-mailed."),
    ):
        page = client.post(
            reverse(CHANGELIST), {"action": action, "_selected_action": [scenario.round.pk]}
        )
        text = page.content.decode()
        assert page.status_code == 200
        assert words in text
        assert '<input type="hidden" name="post" value="yes">' in text
    assert (
        f"{going} people will be e-mailed."
        in client.post(
            reverse(CHANGELIST), {"action": "publish_plan", "_selected_action": [scenario.round.pk]}
        ).content.decode()
    )
    scenario.round.refresh_from_db()
    assert scenario.round.status == RoundStatus.MATCHED
    assert mail.outbox == []


def test_refusals_name_the_round_and_the_reason(act, scenario):
    assert act("publish_plan", scenario.round) == [
        f"{scenario.round.name}: There is no finished plan to publish yet: run the matching first."
    ]
    assert act("mark_held", scenario.round) == [
        f"{scenario.round.name}: Publish the plan before marking the round held."
    ]
    assert scenario.round.status == RoundStatus.OPEN


def test_runs_are_read_only_in_the_admin_but_can_be_cancelled(client, scenario):
    run = MatchingRunFactory(round=scenario.round, status=RunStatus.QUEUED)
    client.force_login(scenario.organizer)

    change = client.get(reverse("admin:matching_matchingrun_change", args=[run.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()

    response = client.post(
        reverse("admin:matching_matchingrun_changelist"),
        {"action": "cancel_runs", "_selected_action": [run.pk]},
        follow=True,
    )
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert [str(m) for m in response.context["messages"]] == ["Cancelled: 1 run."]
