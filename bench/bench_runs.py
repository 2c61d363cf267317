"""Benchmark: a matching run for a 2,000-attendee round, from trigger to `succeeded`.

Goes through the real path: the run is committed to PostgreSQL, its task sent to Redis after
commit, and a `celery -A config worker` process (started here, 2 pool processes) claims,
solves and stores it. Then it times the organizer's plan page for that round (server time,
median of several requests, in-process with Django's test client).

Needs the real services (``make bench`` gives it the local ones):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/drinktables_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/bench_runs.py

The round is tests.matching.scenario.build_realistic_round, the tests' own builder. It migrates
DATABASE_URL's database, adds a conference series of its own and deletes it at the end; its
tasks go to a queue of its own, so other workers on the broker never see them. Prints the
figures and writes them to bench/results/runs.md; asserts nothing about time.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

from services import results_write, service_label

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PEOPLE = 2000
PAGE_REQUESTS = 7
TARGET_S = 20.0
QUEUE = "drinktables-bench"  # only the benchmark's worker listens here


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--no-save", action="store_true", help="print only; do not write bench/results/"
    )
    args = parser.parse_args()
    if not (os.environ.get("DATABASE_URL") and os.environ.get("CELERY_BROKER_URL")):
        print(
            "bench_runs.py needs PostgreSQL and Redis: set DATABASE_URL and CELERY_BROKER_URL, "
            "e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/drinktables "
            "CELERY_BROKER_URL=redis://127.0.0.1:6379/1 make bench",
            file=sys.stderr,
        )
        return 2

    import django

    django.setup()
    from django.core.management import call_command

    from config import celery_app

    call_command("migrate", verbosity=0)
    label = f"bench{uuid.uuid4().hex[:6]}"
    celery_app.conf.task_default_queue = QUEUE
    _purge_queue()
    worker = None
    try:
        worker = _start_worker(QUEUE)
        lines = _bench(worker, label)
        if not args.no_save:
            results_write(
                "runs",
                title="Matching runs",
                lines=lines,
                services=f"PostgreSQL at {service_label(os.environ['DATABASE_URL'])} and Redis "
                f"at {service_label(os.environ['CELERY_BROKER_URL'])} (a queue of its own)",
            )
    finally:
        if worker is not None:
            worker.stop()
        _purge_queue()
        _clean_up(label)
    return 0


def _purge_queue() -> None:
    from config import celery_app

    with celery_app.connection_for_write() as broker:
        broker.default_channel.queue_declare(QUEUE)
        broker.default_channel.queue_purge(QUEUE)


def _clean_up(label: str) -> None:
    """Delete everything the benchmark created (its series, people and organizer)."""
    from django.contrib.auth import get_user_model

    from attendees.models import Person
    from conferences.models import Conference, MeetupRound, Series

    # A published round protects its run; let go of it first.
    MeetupRound.objects.filter(conference__series__slug=f"series-{label}").update(
        status="cancelled", published_run=None
    )
    Conference.objects.filter(series__slug=f"series-{label}").delete()
    Series.objects.filter(slug=f"series-{label}").delete()
    Person.objects.filter(email__endswith=f".{label}@example.org").delete()
    get_user_model().objects.filter(username=f"{label}-organizer").delete()


def _start_worker(queue: str):
    from django.conf import settings

    from tests.integration.worker import CeleryWorker, database_url

    started = time.perf_counter()
    worker = CeleryWorker(
        env={
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
            "CELERY_TASK_DEFAULT_QUEUE": queue,  # portfolio seeds and retries stay here too
            "LOG_LEVEL": "WARNING",
        },
        log_path=Path(settings.BASE_DIR) / "test-artifacts" / "bench-runs-worker.log",
        concurrency=2,
        queues=[queue],
    ).start()
    print(f"worker with 2 pool processes ready in {time.perf_counter() - started:.1f} s")
    return worker


def _bench(worker, label: str) -> list[str]:
    """Build the round, time a run with 1 and 2 seeds and the plan page; the results' lines."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    from matching.models import MatchingRun
    from matching.services import lifecycle, problem, runs
    from tests.factories import OrganizerFactory
    from tests.integration.worker import wait_for
    from tests.matching.scenario import build_realistic_round

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        organizer = OrganizerFactory(username=f"{label}-organizer")
    started = time.perf_counter()
    scenario = build_realistic_round(people=PEOPLE, label=label, organizer=organizer)
    built_s = time.perf_counter() - started
    going = len(scenario.going)
    newcomers = len(scenario.newcomers)
    print(f"round built in {built_s:.1f} s: {going} going, {len(scenario.tables)} tables")
    started = time.perf_counter()
    built = problem.build_problem(round=scenario.round)
    problem_s = time.perf_counter() - started
    print(f"build_problem: {problem_s:.2f} s")

    time_limit = settings.MATCHING_DEFAULT_TIME_LIMIT_S
    results = []
    for portfolio in (1, 2):
        started = time.perf_counter()
        run = runs.run_request(
            round_id=scenario.round.pk,
            by=organizer,
            seed=1,
            time_limit_s=time_limit,
            portfolio=portfolio,
        ).run

        def finished(run=run):
            run.refresh_from_db()
            return run.status not in ("queued", "running")

        wait_for(finished, timeout_s=300, interval_s=0.05, message=worker.log_tail)
        total = time.perf_counter() - started
        if run.status != "succeeded":
            raise SystemExit(f"run #{run.pk} {run.status}: {run.error}\n{worker.log_tail()}")
        print(f"run with {portfolio} seed(s): trigger to succeeded {total:.1f} s", flush=True)
        results.append((portfolio, run, total))

    latest = MatchingRun.objects.filter(round=scenario.round, status="succeeded").first()
    lifecycle.round_publish(
        round_id=scenario.round.pk, by=organizer, run_id=latest.pk, notify=False
    )
    client = Client()
    client.force_login(organizer)
    url = reverse("organize:round_plan", args=[scenario.round.pk])
    client.get(url)  # warm up templates and connections
    times = []
    for _ in range(PAGE_REQUESTS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    page = (
        f"median **{statistics.median(times) * 1000:.0f} ms** (best {min(times) * 1000:.0f}, "
        f"worst {max(times) * 1000:.0f}) of {PAGE_REQUESTS}"
    )
    print(f"plan page: {page}")

    lines = [
        f"The round: `build_realistic_round(people={PEOPLE})` from tests/matching/scenario.py, "
        f"{going} going ({newcomers} newcomers; communities of friends over three earlier "
        f"editions, an earlier published round), {len(scenario.tables)} tables of "
        f"{scenario.tables[0].capacity}. The worker: `celery -A config worker` with 2 pool "
        "processes, started by the script.",
        "",
        "| measured | figure |",
        "| --- | --- |",
        f"| building the round in the database | {built_s:.1f} s |",
        f"| `build_problem` ({len(built.people)} people, {len(built.ties)} ties, "
        f"{len(built.history)} history groups) | {problem_s:.2f} s |",
    ]
    for portfolio, run, total in results:
        seeds = "1 seed" if portfolio == 1 else f"{portfolio} seeds in parallel"
        lines.append(
            f"| trigger → `succeeded`, {seeds}, time limit {time_limit:g} s | "
            f"**{total:.1f} s** (solver {run.elapsed_s:.1f} s) |"
        )
    lines.append(
        f"| plan page for that round, server time ({len(response.content) / 1024:.0f} KiB, "
        f"{len(queries)} queries) | {page} |"
    )
    lines.append("")
    for portfolio, run, total in results:
        m = run.metrics
        verdict = "within" if total <= TARGET_S else "OVER"
        lines.append(
            f"- {'1 seed' if portfolio == 1 else f'{portfolio} seeds'}: {m['seated']} seated, "
            f"{m['unseated']} unseated, {m['repeat_pairs']} repeats, welcome "
            f"{m['welcome_rate']:.3f}, anchor {m['anchor_rate']:.3f} (bound "
            f"{m['anchor_bound']:.3f}), topics {m['topic_rate']:.3f}, small tables "
            f"{m['small_tables']}; trigger to succeeded {total:.1f} s, {verdict} the "
            f"{TARGET_S:g} s target"
        )
    for line in lines[-len(results) :]:
        print(line)
    return lines


if __name__ == "__main__":
    sys.exit(main())
