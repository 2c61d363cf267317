"""Benchmark: the "my table" page under gunicorn with PostgreSQL and concurrent clients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/drinktables_bench \
        .venv/bin/python bench/bench_dashboard.py [--clients 20] [--seconds 20] [--workers 4]

It migrates DATABASE_URL, loads the demo into it (``load_demo``; safe to run again), seats the
demo's first evening round if nobody has (``tests.matching.scenario.publish_simple_plan``: the
people going dealt round-robin over the tables, no matcher) and publishes it, signs in one
seated attendee per client, starts gunicorn on 127.0.0.1 (DEBUG off), and measures three cases
in turn, each in a closed loop (the next request leaves as soon as the answer is in):

- every client asks for its own "my table" page (``/rounds/<id>/``), ``--clients`` clients;
- the lightest signed-in page (``/profile/data/``), the same clients, for comparison;
- "my table" with a single client: the page's own time, without queueing.

Every client first makes a few unmeasured requests (each gunicorn worker loads its templates
and opens its database connection), then all measure together. Everything is bounded: the
warm-up, the measured window and a hard deadline on each case. The figures are printed and
written to bench/results/dashboard.md; nothing is asserted about time.
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from services import free_port, gunicorn_start, results_write, seated_sessions, service_label

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 100.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (20)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured window (20)")
    parser.add_argument(
        "--warmup", type=int, default=3, help="unmeasured requests per client first (3)"
    )
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers"
    )
    parser.add_argument(
        "--no-save", action="store_true", help="print only; do not write bench/results/"
    )
    return parser.parse_args()


def prepare(clients: int) -> tuple[int, list[str], int]:
    """The demo's first round, published; session cookies of ``clients`` seated attendees."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

    from django.core.management import call_command
    from django.db import transaction

    from attendees.enums import RSVPStatus
    from conferences.enums import RoundStatus
    from conferences.models import MeetupRound
    from config import caches
    from matching.demo.data import demo_load
    from matching.models import Seat
    from tests.matching.scenario import publish_simple_plan

    call_command("migrate", verbosity=0, interactive=False)
    summary = demo_load()
    meetup_round = (
        MeetupRound.objects.filter(conference=summary.conference).order_by("starts_at").first()
    )
    if meetup_round.status not in (RoundStatus.PUBLISHED, RoundStatus.HELD):
        with transaction.atomic():
            tables = list(meetup_round.tables.order_by("label")) or list(
                summary.conference.tables.filter(active=True).order_by("label")
            )
            going = [
                rsvp.person
                for rsvp in meetup_round.rsvps.filter(status=RSVPStatus.GOING)
                .select_related("person")
                .order_by("person_id")
            ]
            publish_simple_plan(meetup_round, going, tables)
        caches.invalidate(caches.TABLES)  # bulk writes send no signal
        meetup_round.refresh_from_db()
    seated = list(Seat.objects.filter(run_id=meetup_round.published_run_id))
    cookies = [
        session
        for _, session in seated_sessions(
            run_id=meetup_round.published_run_id, count=clients, username_prefix="bench"
        )
    ]
    tablemates = len(seated) // max(1, len({s.table_id for s in seated}))
    return meetup_round.pk, cookies, tablemates


def start_server(port: int, workers: int) -> subprocess.Popen:
    return gunicorn_start(port, options=["--workers", str(workers), "--preload", "--timeout", "30"])


class Window:
    """When the measured window opens and closes: set as the last client is warm, before any
    of them is released."""

    def __init__(self, clients: int, seconds: float):
        self.seconds = seconds
        self.start = self.stop = 0.0
        self.ready = threading.Barrier(clients + 1, action=self.open)

    def open(self) -> None:
        self.start = time.perf_counter()
        self.stop = self.start + self.seconds


def fetch(port: int, path: str, headers: dict, marker: bytes) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
    except OSError:
        return False
    return response.status == 200 and marker in body


def client_loop(port, path, marker, cookie, warmup_requests, window, latencies, errors, lock):
    headers = {"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"}
    for _ in range(warmup_requests):  # every worker has loaded its templates and connection
        fetch(port, path, headers, marker)
    try:
        window.ready.wait(timeout=120)
    except threading.BrokenBarrierError:
        return
    mine: list[float] = []
    failed = 0
    while True:
        started = time.perf_counter()
        if started >= window.stop:
            break
        ok = fetch(port, path, headers, marker)
        if ok:
            mine.append(time.perf_counter() - started)
        else:
            failed += 1
    with lock:
        latencies.extend(mine)
        errors.append(failed)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(port: int, path: str, marker: bytes, cookies: list[str], args) -> dict | None:
    """One case: ``len(cookies)`` clients in a closed loop on ``path`` for ``args.seconds``."""
    hard_deadline = time.monotonic() + args.seconds + 300
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    window = Window(len(cookies), args.seconds)
    threads = [
        threading.Thread(
            target=client_loop,
            args=(port, path, marker, cookie, args.warmup, window, latencies, errors, lock),
            daemon=True,
        )
        for cookie in cookies
    ]
    for thread in threads:
        thread.start()
    try:
        window.ready.wait(timeout=120)
    except threading.BrokenBarrierError:
        print("bench_dashboard: the clients did not warm up within 120 s", file=sys.stderr)
        return None
    for thread in threads:
        thread.join(timeout=max(1.0, hard_deadline - time.monotonic()))
    if not latencies:
        print(f"bench_dashboard: no successful request to {path}", file=sys.stderr)
        return None
    p50, p95, p99 = (percentile(latencies, q) * 1000 for q in (0.50, 0.95, 0.99))
    return {
        "clients": len(cookies),
        "requests": len(latencies),
        "failed": sum(errors),
        "rate": len(latencies) / args.seconds,
        "p50": p50,
        "p95": p95,
        "p99": p99,
        "mean": statistics.fmean(latencies) * 1000,
        "max": max(latencies) * 1000,
    }


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "bench_dashboard: skipped. It measures the dashboard under gunicorn with "
            "PostgreSQL: set DATABASE_URL=postgres://user@host:5432/database (a database it "
            "may load the demo into) and run it again.",
            file=sys.stderr,
        )
        return 0
    round_id, cookies, table_size = prepare(args.clients)
    cases = [
        (f'"my table", {args.clients} clients', f"/rounds/{round_id}/", b"Your table:", cookies),
        (
            f"lightest signed-in page (/profile/data/), {args.clients} clients",
            "/profile/data/",
            b"Take your data with you",
            cookies,
        ),
        ('"my table", 1 client', f"/rounds/{round_id}/", b"Your table:", cookies[:1]),
    ]
    port = free_port()
    server = start_server(port, args.workers)
    lines = [
        f'"My table" is `/rounds/<id>/` for a seated attendee of the demo ({table_size} people a '
        f"table), each client signed in as a different one; gunicorn with {args.workers} sync "
        f"workers (DEBUG off), PostgreSQL, all on this machine; closed loop, {args.seconds:g} s "
        f"measured per case after {args.warmup} warm-up requests per client.",
        "",
        "| case | requests/s | p50 | p95 | p99 | max | failed |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    results = []
    try:
        for name, path, marker, clients in cases:
            result = measure(port, path, marker, clients, args)
            if result is None:
                return 1
            results.append((name, result))
            print(
                f"{name}: {result['requests']} ok, {result['failed']} failed, "
                f"{result['rate']:.1f} requests/s, p50 {result['p50']:.1f} ms, p95 "
                f"{result['p95']:.1f} ms, p99 {result['p99']:.1f} ms, max {result['max']:.0f} ms",
                flush=True,
            )
            lines.append(
                f"| {name} | {result['rate']:.1f} | {result['p50']:.1f} ms | "
                f"{result['p95']:.1f} ms | {result['p99']:.1f} ms | {result['max']:.0f} ms | "
                f"{result['failed']} |"
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    main_case = results[0][1]
    verdict = "met" if main_case["p95"] <= TARGET_P95_MS else "NOT met"
    lines += [
        "",
        f'Target: p95 <= {TARGET_P95_MS:.0f} ms for "my table" with {args.clients} concurrent '
        f"clients: {verdict} (p95 {main_case['p95']:.1f} ms). In a closed loop latency is about "
        "clients / throughput, so the target asks for that many requests a second on the "
        "machine's cores, shared with PostgreSQL and the load generator.",
    ]
    print(lines[-1])
    if not args.no_save:
        results_write(
            "dashboard",
            title='"My table" under load',
            lines=lines,
            services=f"PostgreSQL at {service_label(url)}"
            + (
                f" and the Redis cache at {service_label(os.environ['CACHE_URL'])}"
                if os.environ.get("CACHE_URL")
                else " (cache in each process)"
            ),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
