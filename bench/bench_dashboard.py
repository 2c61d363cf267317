"""Benchmark: the "my table" page under gunicorn with PostgreSQL and concurrent clients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/drinktables_bench \
        .venv/bin/python bench/bench_dashboard.py [--clients 20] [--seconds 20] [--workers 4]

It migrates DATABASE_URL, loads the demo into it (``load_demo``; safe to run again), seats the
demo's first evening round if nobody has (a simple fill of the tables in a run marked
``{"bench": true}``) and publishes it, signs in one seated attendee per client, starts
gunicorn on 127.0.0.1 (DEBUG off), and lets every client ask for its own "my table" page
(``/rounds/<id>/``) in a closed loop: the next request leaves as soon as the answer is in.
It prints the latency percentiles and requests per second; it asserts nothing about time.
Every client first makes a few unmeasured requests (each gunicorn worker loads its templates
and opens its database connection), then all measure together. Everything is bounded: the
warm-up, the measured window and a hard deadline on the whole run.
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from services import free_port, seated_sessions

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
        "--floor",
        action="store_true",
        help="measure /profile/data/ instead: the lightest signed-in page, for comparison",
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
    from django.utils import timezone

    from attendees.enums import RSVPStatus
    from conferences.enums import RoundStatus
    from conferences.models import MeetupRound
    from matching.demo.data import demo_load
    from matching.enums import RunStatus
    from matching.models import MatchingRun, Seat

    call_command("migrate", verbosity=0, interactive=False)
    summary = demo_load()
    meetup_round = (
        MeetupRound.objects.filter(conference=summary.conference).order_by("starts_at").first()
    )
    if meetup_round.status not in (RoundStatus.PUBLISHED, RoundStatus.HELD):
        with transaction.atomic():
            run = MatchingRun.objects.create(
                round=meetup_round,
                status=RunStatus.SUCCEEDED,
                time_limit_s=1,
                progress=100,
                metrics={"bench": True},
                finished_at=timezone.now(),
            )
            tables = list(meetup_round.tables.order_by("label")) or list(
                summary.conference.tables.filter(active=True).order_by("label")
            )
            going = list(
                meetup_round.rsvps.filter(status=RSVPStatus.GOING)
                .order_by("person_id")
                .values_list("person_id", flat=True)
            )
            seats, index = [], 0
            for table in tables:
                for person_id in going[index : index + table.capacity]:
                    seats.append(Seat(run=run, person_id=person_id, table=table))
                index += table.capacity
            Seat.objects.bulk_create(seats)
            meetup_round.published_run = run
            meetup_round.published_at = timezone.now()
            meetup_round.status = RoundStatus.PUBLISHED
            meetup_round.save(update_fields=["published_run", "published_at", "status"])
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
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--preload",
            "--timeout",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn did not start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 30 s")


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
    hard_deadline = time.monotonic() + args.seconds + 300
    round_id, cookies, table_size = prepare(args.clients)
    port = free_port()
    server = start_server(port, args.workers)
    try:
        if args.floor:
            path, marker, page = "/profile/data/", b"Take your data with you", "lightest page"
        else:
            path, marker, page = f"/rounds/{round_id}/", b"Your table:", '"my table" page'
            page += f" (/rounds/<id>/, {table_size} people a table)"
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
            return 1
        for thread in threads:
            thread.join(timeout=max(1.0, hard_deadline - time.monotonic()))
        if not latencies:
            print("bench_dashboard: no successful request", file=sys.stderr)
            return 1
        count = len(latencies)
        p50, p95, p99 = (percentile(latencies, q) * 1000 for q in (0.50, 0.95, 0.99))
        print(
            f"{page} under gunicorn ({args.workers} sync workers) with PostgreSQL, {len(cookies)} concurrent clients, "
            f"{args.seconds:g} s measured after {args.warmup} warm-up requests each, on "
            f"{os.cpu_count()} CPU cores"
        )
        print(f"  requests     {count} ok, {sum(errors)} failed")
        print(f"  throughput   {count / args.seconds:.1f} requests/s")
        print(
            f"  latency      p50 {p50:.1f} ms   p95 {p95:.1f} ms   p99 {p99:.1f} ms   "
            f"mean {statistics.fmean(latencies) * 1000:.1f} ms   max {max(latencies) * 1000:.1f} ms"
        )
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"  machine      load average {load} (1, 5, 15 min) at the end of the run")
        verdict = "met" if p95 <= TARGET_P95_MS else "NOT met"
        print(f"  target       p95 <= {TARGET_P95_MS:.0f} ms: {verdict}")
        return 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
