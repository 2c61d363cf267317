"""Faults against real services (issue 8): Redis down when an organizer starts a run or
publishes, Redis restarted mid-run, PostgreSQL restarted between requests.

Faults are injected into private servers (tests/integration/servers.py), never into the
shared ones. After each fault the system recovers on its own, and ``assert_recovered`` checks
what must hold: no lost RSVPs, no partial plans, no run left queued or running. The worker
killed mid-run and a duplicate delivery are in test_runs_live.py.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import psycopg2
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conferences.enums import RoundStatus
from config import celery_app
from matching import tasks
from matching.enums import ACTIVE_RUN_STATUSES, RunStatus
from matching.models import MatchingRun, Seat
from matching.selectors import problem
from matching.services import notices, runs
from tests.celery_broker import celery_broker, drop_connection_pools
from tests.factories import OrganizerFactory
from tests.matching.scenario import build_realistic_round, build_round

from .conftest import WORKER_HEARTBEAT_STALE_S
from .invariants import assert_recovered, rsvp_snapshot
from .servers import AppServer, PrivatePostgres, PrivateRedis, django_script, elapsed, manage
from .worker import CeleryWorker, database_url, wait_for

ARTIFACTS = settings.BASE_DIR / "test-artifacts"


# -- a private task queue: Redis on its own port and a worker that uses it ---------------------


@pytest.fixture(scope="module")
def private_queue(django_db_setup, smtp_sink):
    """Redis we may stop, a worker on it (and the test database), and this process sending
    its tasks there. Everything is stopped and removed at the end, whatever happened."""
    redis = PrivateRedis()
    worker = None
    try:
        redis.start()
        with celery_broker(redis.url):
            worker = CeleryWorker(
                env={
                    "DATABASE_URL": database_url(),
                    "CELERY_BROKER_URL": redis.url,
                    "CELERY_RESULT_BACKEND": redis.url,
                    "MATCHING_HEARTBEAT_STALE_S": str(WORKER_HEARTBEAT_STALE_S),
                    "EMAIL_HOST": "127.0.0.1",
                    "EMAIL_PORT": str(smtp_sink.port),
                    "EMAIL_USE_TLS": "false",
                    "LOG_LEVEL": "INFO",
                },
                log_path=ARTIFACTS / f"celery-worker-faults-{os.getpid()}.log",
            )
            worker.start()
            yield redis, worker
    finally:
        if worker is not None:
            worker.stop()
        redis.close()


@pytest.fixture
def queue(private_queue, transactional_db, settings, smtp_sink, request):
    """The private queue, up and idle at the start of the test and left quiet at its end."""
    settings.MATCHING_HEARTBEAT_STALE_S = WORKER_HEARTBEAT_STALE_S
    redis, worker = private_queue
    if not redis.running:
        redis.start()
    if not worker.alive:
        worker.start()
    smtp_sink.clear()
    log_start = len(worker.log())
    yield redis, worker
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        print(f"--- Celery worker log ({worker.log_path}) ---")
        print(worker.log()[log_start:][-12000:])
        print(f"--- private redis log ---\n{redis.log()}")
    if not redis.running:
        redis.start()
    drop_connection_pools()  # ours may point at a Redis that has restarted since
    MatchingRun.objects.filter(status__in=ACTIVE_RUN_STATUSES).update(
        status=RunStatus.CANCELLED, error="The test ended."
    )
    if not worker.alive:
        return
    hostname = worker.name.replace("%h", os.uname().nodename)

    def idle() -> bool:
        active = celery_app.control.inspect([hostname], timeout=1.0).active()
        return active is not None and not any(active.values())

    try:
        wait_for(idle, timeout_s=30, interval_s=0.5)
    except AssertionError:
        worker.kill()  # the next test starts a fresh one


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def watch_until_finished(client: Client, run: MatchingRun, worker, *, timeout_s: float) -> None:
    """Poll the organizer's status fragment (it sweeps, as the page does) until the run ends;
    a half-written plan seen on the way fails the test."""
    url = reverse("organize:round_plan_status", args=[run.round_id])
    going = problem.round_people(round=run.round).count()

    def finished() -> bool:
        assert client.get(url).status_code == 200
        count = Seat.objects.filter(run=run).count()
        assert count in (0, going), f"a half-written plan: {count} of {going} seats"
        run.refresh_from_db()
        return run.status not in ACTIVE_RUN_STATUSES

    wait_for(
        finished,
        timeout_s=timeout_s,
        interval_s=1.0,
        message=lambda: f"run #{run.pk} still {run.status}\n{worker.log_tail()}",
    )


# -- Redis down when the organizer starts a run, and when they publish -------------------------


def test_redis_down_when_the_organizer_starts_a_run_then_back(queue, smtp_sink):
    redis, worker = queue
    organizer = OrganizerFactory(username="olivia")
    scenario = build_round(organizer=organizer, label="qdown", returning=16, newcomers=4, tables=5)
    rsvps = rsvp_snapshot()
    client = Client()
    client.force_login(organizer)

    redis.stop()
    started = time.monotonic()
    response = client.post(
        reverse("organize:round_run", args=[scenario.round.pk]),
        {"time_limit_s": "2", "seed": "5", "portfolio": "1"},
        follow=True,
    )
    request_s = elapsed(started)

    run = MatchingRun.objects.get(round=scenario.round)
    assert response.status_code == 200
    assert messages_of(response) == [runs.queue_unreachable_run_message(run=run)]
    assert "the task queue (Redis) is not reachable" in response.content.decode()
    assert run.status == RunStatus.QUEUED

    redis.start()
    back = time.monotonic()
    watch_until_finished(client, run, worker, timeout_s=120)
    recovery_s = elapsed(back)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.attempts == 1
    assert_recovered(scenario.round, rsvps_before=rsvps)
    print(f"queue down: the request took {request_s} s; the run succeeded {recovery_s} s later")

    # Publishing while Redis is down: published all the same, the e-mails follow.
    redis.stop()
    response = client.post(reverse("organize:round_publish", args=[scenario.round.pk]), follow=True)
    going = len(scenario.going)
    assert response.status_code == 200
    assert messages_of(response) == [notices.queue_unreachable_notices_message(pending=going)]
    scenario.round.refresh_from_db()
    assert scenario.round.status == RoundStatus.PUBLISHED
    assert scenario.round.published_run_id == run.pk

    redis.start()
    back = time.monotonic()
    # What Celery beat sends every few minutes; the worker may still be reconnecting.
    tasks.sweep_pending_notices.delay()
    wait_for(
        lambda: len(smtp_sink.messages) >= going,
        timeout_s=90,
        message=lambda: worker.log_tail(),
    )
    print(f"notices: all {going} sent {elapsed(back)} s after the queue came back")
    received = sorted(recipients[0] for recipients, _ in smtp_sink.messages)
    assert received == sorted(p.email for p in scenario.going)
    assert len(notices.pending_notices(scenario.round)) == 0
    assert_recovered(scenario.round, rsvps_before=rsvps)


# -- Redis restarted while a run works ---------------------------------------------------------


def test_redis_restarted_mid_run(queue):
    redis, worker = queue
    organizer = OrganizerFactory(username="rita")
    scenario = build_realistic_round(people=400, label="qrestart")
    scenario.conference.organizers.add(organizer)
    rsvps = rsvp_snapshot()
    client = Client()
    client.force_login(organizer)

    run = runs.run_request(round_id=scenario.round.pk, by=organizer, time_limit_s=6, seed=5).run
    wait_for(
        lambda: MatchingRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).exists(),
        timeout_s=60,
        interval_s=0.02,
        message=lambda: worker.log_tail(),
    )
    restarted = time.monotonic()
    redis.restart()  # no persistence: the queue comes back empty
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING  # the run's state lives in PostgreSQL

    watch_until_finished(client, run, worker, timeout_s=150)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert_recovered(scenario.round, rsvps_before=rsvps)
    print(
        f"redis restarted mid-run: succeeded after attempt {run.attempts}, "
        f"{elapsed(restarted)} s after the restart"
    )

    # Kombu 5.7 may stop the worker when the connection drops while a task is unacknowledged
    # ("Unrecoverable error" restoring it): it finishes its task, then exits, and its
    # supervisor (systemd, a container restart policy) starts it again. Do the same, then
    # check that the next run goes through.
    wait_for(lambda: not worker.alive or _worker_answers(worker), timeout_s=60)
    if not worker.alive:
        print("the worker exited after the Redis restart; started again as a supervisor would")
        worker.start()
    drop_connection_pools()
    later = build_round(label="qafter", returning=10, newcomers=2, tables=3)
    rsvps = rsvp_snapshot()
    later.conference.organizers.add(organizer)  # before asking: runs are requested in scope
    next_run = runs.run_request(round_id=later.round.pk, by=organizer, time_limit_s=1, seed=3).run
    watch_until_finished(client, next_run, worker, timeout_s=120)
    assert next_run.status == RunStatus.SUCCEEDED, next_run.error
    assert_recovered(later.round, rsvps_before=rsvps)


def _worker_answers(worker) -> bool:
    hostname = worker.name.replace("%h", os.uname().nodename)
    try:
        return bool(celery_app.control.ping(destination=[hostname], timeout=1.0))
    except Exception:  # our pooled connection died with the old Redis: try a fresh one
        drop_connection_pools()
        return False


# -- PostgreSQL restarted between requests -----------------------------------------------------

SETUP_SCRIPT = """
import datetime as dt, json
from django.test import Client
from django.utils import timezone
from attendees.enums import RSVPStatus
from attendees.models import RoundRSVP
from conferences.enums import RoundStatus
from tests.factories import ConferenceFactory, MeetupRoundFactory, PersonFactory
from tests.api.support import attendee_of

conference = ConferenceFactory(slug="pg-restart", name="PG Restart Conf")
soon = timezone.now() + dt.timedelta(days=3)
first = MeetupRoundFactory(conference=conference, status=RoundStatus.OPEN, starts_at=soon)
second = MeetupRoundFactory(
    conference=conference, status=RoundStatus.OPEN, starts_at=soon + dt.timedelta(days=1)
)
ann = attendee_of(conference, full_name="Ann Restart")
RoundRSVP.objects.create(person=ann, round=first, status=RSVPStatus.GOING)
client = Client()
client.force_login(ann.user)
print(json.dumps({
    "session": client.cookies["sessionid"].value,
    "person": ann.pk, "first": first.pk, "second": second.pk,
}))
"""


class Browser:
    """Just enough of a browser: the session cookie, and the CSRF cookie and token it is given."""

    def __init__(self, base_url: str, session: str):
        self.base_url = base_url
        self.cookies = {"sessionid": session}
        self.csrf = ""

    def _request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            with NO_REDIRECTS.open(request, timeout=60) as response:
                status, headers, page = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, page = error.code, error.headers, error.read()
        for cookie in headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, page.decode(errors="replace")

    def get(self, path: str) -> tuple[int, str]:
        status, page = self._request(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token:
            self.csrf = token[1]
        return status, page

    def post(self, path: str, data: dict) -> tuple[int, str]:
        return self._request(path, {**data, "csrfmiddlewaretoken": self.csrf})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


NO_REDIRECTS = urllib.request.build_opener(_NoRedirect)


@pytest.fixture
def private_postgres():
    pg = PrivatePostgres()
    try:
        yield pg.start()
    finally:
        pg.close()


def test_postgres_restarted_between_requests(private_postgres):
    pg = private_postgres
    env = {"DATABASE_URL": pg.url}
    manage("migrate", "--no-input", env=env)
    world = json.loads(django_script(SETUP_SCRIPT, env=env).strip().splitlines()[-1])
    server = AppServer(env=env, log_path=ARTIFACTS / f"gunicorn-faults-{os.getpid()}.log")
    try:
        server.start()
        browser = Browser(server.base_url, world["session"])
        status, page = browser.get("/")
        assert status == 200 and "Ann" in page, page[-2000:]

        restarted = time.monotonic()
        pg.restart()  # the server's persistent connection (CONN_MAX_AGE) is now dead

        status, page = browser.get("/")  # the first request after the restart
        assert status == 200 and "Ann" in page, f"{status}\n{server.log()}"
        status, _ = browser.get(f"/rounds/{world['second']}/")
        assert status == 200, server.log()
        status, _ = browser.post(f"/rounds/{world['second']}/rsvp/", {"status": "going"})
        assert status in (200, 302), server.log()
        print(f"postgres restarted: requests served again {elapsed(restarted)} s after it")
    finally:
        server.close()

    with psycopg2.connect(pg.url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT round_id, status FROM attendees_roundrsvp WHERE person_id = %s "
            "ORDER BY round_id",
            [world["person"]],
        )
        rows = cursor.fetchall()
    connection.close()
    assert rows == [(world["first"], "going"), (world["second"], "going")]
