"""Integration fixtures: a real Celery worker process on the test database, and an SMTP sink.

Use the ``celery_worker`` fixture in a test under tests/integration (they run only when
DATABASE_URL and CELERY_BROKER_URL are set). It implies ``transactional_db``: the test's
writes are committed, so the worker (another process, on pytest-django's test database) sees
them, and tasks are sent to Redis after commit as in production. One worker serves the whole
session; a test that kills it gets a fresh one for the next test. E-mail from the worker goes to
``smtp_sink``. The worker's log is printed when a test fails and kept in test-artifacts/.
"""

import os

import pytest
from django.conf import settings

from config import celery_app
from matching.enums import ACTIVE_RUN_STATUSES, RunStatus
from matching.models import MatchingRun

from .smtp import SMTPSink
from .worker import CeleryWorker, database_url, wait_for

# Short, so the tests see abandoned runs recovered within seconds; the worker uses it too.
WORKER_HEARTBEAT_STALE_S = 3


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SMTPSink().start()
    yield sink
    sink.stop()


def _forget_queued_tasks() -> None:
    """Drop leftover messages on our broker database, queued or delivered-but-unacknowledged
    (a killed worker's), so no session sees another session's run ids."""
    celery_app.control.purge()
    with celery_app.connection_for_write() as broker:
        broker.default_channel.client.delete("unacked", "unacked_index")


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, smtp_sink):
    """The session's worker (stopped before pytest-django drops the test database)."""
    _forget_queued_tasks()
    worker = CeleryWorker(
        env={
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
            "MATCHING_HEARTBEAT_STALE_S": str(WORKER_HEARTBEAT_STALE_S),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_sink.port),
            "EMAIL_USE_TLS": "false",
            "LOG_LEVEL": "INFO",
        },
        log_path=settings.BASE_DIR / "test-artifacts" / f"celery-worker-{os.getpid()}.log",
    )
    worker.start()
    yield worker
    worker.stop()
    _forget_queued_tasks()


@pytest.fixture
def celery_worker(celery_worker_process, transactional_db, settings, smtp_sink, request):
    settings.MATCHING_HEARTBEAT_STALE_S = WORKER_HEARTBEAT_STALE_S
    worker = celery_worker_process
    if not worker.alive:
        worker.start()
    smtp_sink.clear()
    log_start = len(worker.log())
    yield worker
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        print(f"--- Celery worker log ({worker.log_path}) ---")
        print(worker.log()[log_start:][-12000:])
    _quiesce(worker)


def _quiesce(worker: CeleryWorker) -> None:
    """Stop what the test left running, so flushing the database races no task."""
    MatchingRun.objects.filter(status__in=ACTIVE_RUN_STATUSES).update(
        status=RunStatus.CANCELLED, error="The test ended."
    )
    if not worker.alive:
        return
    hostname = worker.name.replace("%h", os.uname().nodename)

    def idle() -> bool:
        active = celery_app.control.inspect([hostname], timeout=1.0).active() or {}
        return not any(active.values())

    try:
        wait_for(idle, timeout_s=30, interval_s=0.3)
    except AssertionError:
        worker.kill()  # the next test starts a fresh worker
