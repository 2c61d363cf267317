"""When the task queue (Redis) is down: nothing is lost, nobody gets a 500, and the organizer is
told what happened and that it catches up by itself.

The broker is real and really down: a Redis URL on a port where nothing listens, with eager mode
off, so every send is refused by the operating system. No mocks.
"""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conferences.enums import RoundStatus
from matching.enums import RunStatus
from matching.models import MatchingRun, SeatNotification
from matching.services import lifecycle, notices, runs
from tests.celery_broker import broker_down

# Committed for real, as in production: what is sent after the commit has been tried by the time
# the service returns, so it can tell the organizer.
pytestmark = pytest.mark.django_db(transaction=True)

QUEUE_DOWN = "the task queue (Redis) is not reachable"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def signed_in(client, scenario):
    client.force_login(scenario.organizer)
    return client


def sweep_later(settings) -> int:
    """The sweep as it runs a while later, when the queued runs have waited too long."""
    waited = timezone.now() - dt.timedelta(seconds=settings.MATCHING_HEARTBEAT_STALE_S + 1)
    MatchingRun.objects.filter(status=RunStatus.QUEUED).update(created_at=waited)
    return runs.runs_sweep_stale()


def test_starting_a_run_from_the_page_keeps_the_run_and_says_the_queue_is_down(
    signed_in, scenario, settings
):
    with broker_down():
        response = signed_in.post(
            reverse("organize:round_run", args=[scenario.round.pk]),
            {"time_limit_s": "1", "portfolio": "1"},
            follow=True,
        )

    run = MatchingRun.objects.get(round=scenario.round)
    assert response.status_code == 200
    assert messages_of(response) == [runs.queue_unreachable_run_message(run=run)]
    assert QUEUE_DOWN in messages_of(response)[0]
    assert run.status == RunStatus.QUEUED

    assert sweep_later(settings) == 1  # the queue is back (eager here): the sweep sends it

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert run.attempts == 1


def test_the_plan_page_still_opens_while_the_queue_is_down(signed_in, scenario, settings):
    with broker_down():
        run = runs.run_request(round_id=scenario.round.pk, by=None, time_limit_s=1).run
        waited = timezone.now() - dt.timedelta(seconds=settings.MATCHING_HEARTBEAT_STALE_S + 1)
        MatchingRun.objects.filter(pk=run.pk).update(created_at=waited)  # the page sweeps it
        response = signed_in.get(reverse("organize:round_plan", args=[scenario.round.pk]))

    assert response.status_code == 200
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED
    assert run.heartbeat_at is not None  # the sweep tried to send it again, and will again


def test_the_admin_action_says_the_queue_is_down(client, scenario):
    client.force_login(scenario.organizer)

    with broker_down():
        response = client.post(
            reverse("admin:conferences_meetupround_changelist"),
            {"action": "run_matching", "_selected_action": [scenario.round.pk]},
            follow=True,
        )

    run = MatchingRun.objects.get(round=scenario.round)
    assert run.status == RunStatus.QUEUED
    assert messages_of(response) == [
        f"{scenario.round.name}: {runs.queue_unreachable_run_message(run=run)}"
    ]


def test_the_api_answers_202_with_the_run_and_a_warning(scenario):
    from tests.api.support import client_for

    api = client_for(scenario.organizer)

    with broker_down():
        response = api.post(
            f"/api/v1/rounds/{scenario.round.pk}/runs/", {"time_limit_s": 1}, format="json"
        )
        again = api.post(f"/api/v1/rounds/{scenario.round.pk}/runs/", {}, format="json")

    body = response.json()
    run = MatchingRun.objects.get(round=scenario.round)
    assert response.status_code == 202
    assert (body["id"], body["status"]) == (run.pk, "queued")
    assert body["warning"] == runs.queue_unreachable_run_message(run=run)
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["warning"]) == (run.pk, body["warning"])


def test_a_run_asked_for_while_the_queue_is_up_has_no_warning(scenario):
    from tests.api.support import client_for

    response = client_for(scenario.organizer).post(
        f"/api/v1/rounds/{scenario.round.pk}/runs/", {"time_limit_s": 0.5}, format="json"
    )

    assert response.status_code == 202
    assert response.json()["warning"] is None


def test_publishing_while_the_queue_is_down_publishes_and_the_notices_follow(
    signed_in, scenario, solve
):
    solve(scenario.round)
    mail.outbox.clear()

    with broker_down():
        response = signed_in.post(
            reverse("organize:round_publish", args=[scenario.round.pk]), follow=True
        )

    scenario.round.refresh_from_db()
    going = len(scenario.going)
    assert response.status_code == 200
    assert scenario.round.status == RoundStatus.PUBLISHED
    assert messages_of(response) == [notices.queue_unreachable_notices_message(pending=going)]
    assert mail.outbox == []
    assert len(notices.pending_notices(scenario.round)) == going

    assert notices.notices_sweep_pending() == 1  # beat, once the queue is back

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in scenario.going)
    assert SeatNotification.objects.filter(round=scenario.round).count() == going
    assert notices.notices_sweep_pending() == 0


def test_publishing_again_sends_the_notices_still_owed(signed_in, scenario, solve):
    solve(scenario.round)
    with broker_down():
        lifecycle.round_publish(round_id=scenario.round.pk, by=None)
    mail.outbox.clear()

    response = signed_in.post(
        reverse("organize:round_publish", args=[scenario.round.pk]), follow=True
    )

    going = len(scenario.going)
    assert messages_of(response) == [
        f"This plan was already published; {going} people still owed their table will be "
        "e-mailed it."
    ]
    assert len(mail.outbox) == going


def test_cancelling_while_the_queue_is_down_cancels_and_says_so(signed_in, scenario, solve):
    solve(scenario.round)
    lifecycle.round_publish(round_id=scenario.round.pk, by=None)
    mail.outbox.clear()

    with broker_down():
        response = signed_in.post(
            reverse("organize:round_cancel", args=[scenario.round.pk]), follow=True
        )

    scenario.round.refresh_from_db()
    assert scenario.round.status == RoundStatus.CANCELLED
    assert messages_of(response) == [
        notices.queue_unreachable_notices_message(pending=0, cancelled=True)
    ]
    notices.notices_sweep_pending()
    assert len(mail.outbox) == len(scenario.going)
    assert all("cancelled" in m.subject.lower() for m in mail.outbox)


def test_a_sign_in_link_is_sent_from_the_request_while_the_queue_is_down(client):
    from tests.factories import PersonFactory

    PersonFactory(email="ann@example.org", full_name="Ann Lee")

    with broker_down():
        response = client.post(reverse("dashboard:login"), {"email": "ann@example.org"})

    assert response.status_code in (200, 302)
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]
    assert "/login/link/" in mail.outbox[0].body


def test_with_the_cache_on_a_redis_that_is_down_the_api_and_sign_in_still_answer(
    scenario, settings
):
    """Deployments that set REDIS_URL keep throttles and rate limits in the same Redis."""
    from tests.api.support import client_for
    from tests.celery_broker import free_port
    from tests.factories import PersonFactory

    settings.CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.ForgivingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    PersonFactory(email="ann@example.org")

    with broker_down():
        started = client_for(scenario.organizer).post(
            f"/api/v1/rounds/{scenario.round.pk}/runs/", {"time_limit_s": 1}, format="json"
        )
        signed_in = Client().post(reverse("dashboard:login"), {"email": "ann@example.org"})

    assert started.status_code == 202
    assert started.json()["warning"] is not None
    assert signed_in.status_code == 302
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]


def test_the_api_publishes_with_a_warning_while_the_queue_is_down(scenario, solve):
    from tests.api.support import client_for

    solve(scenario.round)

    with broker_down():
        response = client_for(scenario.organizer).post(
            f"/api/v1/rounds/{scenario.round.pk}/publish/", {}, format="json"
        )

    assert response.status_code == 200
    assert response.json()["status"] == RoundStatus.PUBLISHED
    assert response.json()["warning"] == notices.queue_unreachable_notices_message(
        pending=len(scenario.going)
    )


def test_the_api_cancels_with_a_warning_while_the_queue_is_down(scenario, solve):
    from tests.api.support import client_for

    solve(scenario.round)
    lifecycle.round_publish(round_id=scenario.round.pk, by=None)  # everyone is told their table

    with broker_down():
        response = client_for(scenario.organizer).post(
            f"/api/v1/rounds/{scenario.round.pk}/cancel/", {}, format="json"
        )

    assert response.status_code == 200
    assert response.json()["status"] == RoundStatus.CANCELLED
    assert response.json()["warning"] == notices.queue_unreachable_notices_message(
        pending=0, cancelled=True
    )


def test_the_api_publishes_with_no_warning_while_the_queue_is_up(scenario, solve):
    from tests.api.support import client_for

    solve(scenario.round)
    response = client_for(scenario.organizer).post(
        f"/api/v1/rounds/{scenario.round.pk}/publish/", {}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["warning"] is None
