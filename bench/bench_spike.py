"""Benchmark: the spike after publishing. New attendees arrive at a fixed rate, each opening
their sign-in link, then their round page and their calendar file.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/drinktables_bench \
    BENCH_BROKER_URL=redis://127.0.0.1:6379/7 \
        .venv/bin/python bench/bench_spike.py [--rate 150] [--seconds 60] [--workers 3 --threads 4]

An open model: arrival n starts at start + n / rate whatever the answers so far, so a slow
server meets more people at once, as after the e-mails of a publish go out. Every arrival is a
different person behind the same IP address, with a cookie jar of their own:

1. ``GET /login/link/<token>/`` (the page that asks for a click, so mail scanners cannot sign in);
2. ``POST`` it with the CSRF token: signed in (the first sign-in makes the person's account),
   302 to the home page;
3. ``GET /rounds/<id>/``: their table and tablemates;
4. ``GET /rounds/<id>/table.ics``: the calendar file.

Before the measured window, and outside it: the database is migrated, a published round of
``rate x seconds`` attendees (tables of 8) is built once and reused, the accounts a previous run
made are removed so every sign-in is a first one again, and one fresh link per person is
stored (only its hash, as the sending task does). The static files are collected, and gunicorn
serves the app with the production settings (``config.production``, DEBUG off, behind a TLS
proxy as far as it knows: the clients send ``X-Forwarded-Proto: https``), PostgreSQL and the
Redis cache and sessions, all on this machine, as ``deploy/serve.py`` starts it. A short warm-up
with other people comes first. The load comes from ``--generators`` processes, each an asyncio
loop with one pooled aiohttp client; each arrival's lateness against its schedule is recorded,
so a generator that cannot keep up shows.

``BENCH_GUNICORN_EXTRA`` adds gunicorn options, e.g. ``--config profile.py`` with hooks that
profile each worker (``post_fork``/``worker_exit``) to see where a request's time goes.

Before the rates, the same generators measure this machine's ceiling at that moment: how many
times a second the server answers the project's simplest page (``/login/sent/``: the middleware
and a template, no query) in a closed loop. No page can be served faster, and an arrival is four
requests that each do more, so the figure says which rates this machine could serve at all; it
also makes runs on days when the machine is faster or slower comparable.

Results: p50/p95/p99 per step, errors (any other status, a missing marker, a timeout of 10 s,
a socket error), the achieved arrival rate; written to bench/results/spike.md. Nothing is
asserted about time.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from services import (
    ensure_database,
    free_port,
    gunicorn_start,
    results_write,
    service_label,
    service_urls,
)

ROOT = Path(__file__).resolve().parent.parent
SLUG = "spike-after-publishing"
TARGET_P95_MS = 150.0
STEPS = ("link page", "sign in", "round page", "calendar file")
REQUEST_TIMEOUT_S = 10.0
WARMUP_PEOPLE = 60
FLOOR_PATH = "/login/sent/"  # a template and the middleware: no query, no cache
FLOOR_SECONDS = 8.0
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=150.0, help="arrivals a second (150)")
    parser.add_argument(
        "--rates",
        default="",
        help="several rates measured in turn, e.g. 150,20 (each --seconds long)",
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="arrivals for (60)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument(
        "--worker-class", default="gthread", choices=["sync", "gthread"], help="(gthread)"
    )
    parser.add_argument("--generators", type=int, default=2, help="load generator processes (2)")
    parser.add_argument(
        "--no-save", action="store_true", help="print only; do not write bench/results/"
    )
    # Internal: run as one load generator process.
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# Before the window -----------------------------------------------------------------------------


def prepare(people: int) -> tuple[int, list[str]]:
    """The published round (built once) and one fresh sign-in link per person, first sign-ins
    all; returns the round's id and the links' secrets, in arrival order."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from attendees.enums import RSVPStatus
    from attendees.models import Attendance, LoginLink, Person, RoundRSVP, hash_secret
    from conferences.enums import RoundStatus
    from conferences.models import Conference, DrinkTable, MeetupRound, Series
    from config import caches
    from tests.matching.scenario import publish_simple_plan

    call_command("migrate", verbosity=0, interactive=False)
    conference = Conference.objects.filter(slug=SLUG).first()
    if conference is None or conference.attendances.count() < people:
        started = time.perf_counter()
        with transaction.atomic():
            if conference is not None:
                Person.objects.filter(email__endswith=f"@{SLUG}.example").delete()
                conference.delete()
            series, _ = Series.objects.get_or_create(slug=SLUG, defaults={"name": "Spike"})
            today = timezone.localdate()
            conference = Conference.objects.create(
                series=series,
                name="The spike after publishing",
                slug=SLUG,
                starts_on=today,
                ends_on=today + dt.timedelta(days=2),
                time_zone="Europe/Paris",
            )
            crowd = Person.objects.bulk_create(
                [
                    Person(full_name=f"Arrival{n} Spike", email=f"arrival{n}@{SLUG}.example")
                    for n in range(people + WARMUP_PEOPLE)
                ],
                batch_size=2000,
            )
            Attendance.objects.bulk_create(
                [Attendance(person=person, conference=conference) for person in crowd],
                batch_size=2000,
            )
            tables = DrinkTable.objects.bulk_create(
                [
                    DrinkTable(conference=conference, label=f"S{n + 1:04d}", capacity=8)
                    for n in range(-(-len(crowd) // 8))
                ]
            )
            starts_at = timezone.now() + dt.timedelta(hours=5)
            meetup_round = MeetupRound.objects.create(
                conference=conference,
                name="Drinks after the keynote",
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(hours=2),
                location="The river terrace",
                status=RoundStatus.OPEN,
            )
            RoundRSVP.objects.bulk_create(
                [
                    RoundRSVP(person=person, round=meetup_round, status=RSVPStatus.GOING)
                    for person in crowd
                ],
                batch_size=2000,
            )
            publish_simple_plan(meetup_round, crowd, tables)
        print(
            f"built the round of {len(crowd)} people in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    meetup_round = MeetupRound.objects.get(conference=conference)
    crowd_ids = list(
        Person.objects.filter(attendances__conference=conference)
        .order_by("pk")
        .values_list("pk", "email")
    )
    # Every sign-in a first one: the accounts an earlier run made go, their people stay.
    get_user_model().objects.filter(person__pk__in=[pk for pk, _ in crowd_ids]).delete()
    LoginLink.objects.filter(email__endswith=f"@{SLUG}.example").delete()
    now = timezone.now()
    tokens = [secrets.token_urlsafe(32) for _ in crowd_ids]
    LoginLink.objects.bulk_create(
        [
            LoginLink(
                email=email,
                token_hash=hash_secret(token),
                sent_at=now,
                expires_at=now + dt.timedelta(hours=1),
            )
            for (_, email), token in zip(crowd_ids, tokens, strict=True)
        ],
        batch_size=2000,
    )
    caches.invalidate(caches.TABLES)  # bulk writes send no signal
    return meetup_round.pk, tokens


def collect_static(static_root: str, env: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**env, "DJANGO_STATIC_ROOT": static_root},
        check=True,
    )


def start_server(port: int, args, env: dict) -> subprocess.Popen:
    options = ["--workers", str(args.workers), "--worker-class", args.worker_class]
    options += os.environ.get("BENCH_GUNICORN_EXTRA", "").split()
    options += ["--timeout", "60", "--backlog", "2048"]
    if args.worker_class == "gthread":
        options += ["--threads", str(args.threads)]
    return gunicorn_start(port, env=env, options=options)


# The load generator ----------------------------------------------------------------------------


async def visit(session, base: str, round_id: int, token: str) -> dict:
    """One arrival's four steps; returns each step's time in ms, or the first error."""
    import aiohttp

    proxy = {"X-Forwarded-Proto": "https", "Host": base.split("://")[1]}
    times: dict[str, float] = {}
    link = f"/login/link/{token}/"
    cookies: dict[str, str] = {}

    async def step(name, method, path, *, expect, marker, data=None, extra=None):
        headers = {**proxy, **(extra or {})}
        if cookies:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in cookies.items())
        started = time.perf_counter()
        try:
            async with session.request(
                method, base + path, data=data, headers=headers, allow_redirects=False
            ) as response:
                body = await response.read()
                for key, morsel in response.cookies.items():
                    cookies[key] = morsel.value
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise StepFailed(name, type(error).__name__) from None
        times[name] = (time.perf_counter() - started) * 1000
        if response.status != expect or marker not in body:
            raise StepFailed(name, f"HTTP {response.status}")
        return body

    try:
        page = await step("link page", "GET", link, expect=200, marker=b"csrfmiddlewaretoken")
        csrf = CSRF_FIELD.search(page)
        await step(
            "sign in",
            "POST",
            link,
            expect=302,
            marker=b"",
            data={"csrfmiddlewaretoken": csrf[1].decode() if csrf else ""},
            extra={
                "Origin": "https://" + proxy["Host"],
                "Referer": "https://" + proxy["Host"] + link,
            },
        )
        if "sessionid" not in cookies:
            raise StepFailed("sign in", "no session")
        await step("round page", "GET", f"/rounds/{round_id}/", expect=200, marker=b"Your table:")
        await step(
            "calendar file",
            "GET",
            f"/rounds/{round_id}/table.ics",
            expect=200,
            marker=b"BEGIN:VCALENDAR",
        )
    except StepFailed as failed:
        return {"times": times, "error": [failed.step, failed.reason]}
    return {"times": times, "error": None}


class StepFailed(Exception):
    def __init__(self, step: str, reason: str):
        super().__init__(f"{step}: {reason}")
        self.step, self.reason = step, reason


async def generate(job: dict) -> dict:
    """Start each of this process's arrivals on schedule; wait for all; their results."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=job["connections"], force_close=False)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    results, lateness = [], []
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        tasks = []
        for index, token in job["arrivals"]:
            due = job["start"] + index / job["rate"]
            delay = due - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            lateness.append((time.time() - due) * 1000)
            tasks.append(asyncio.create_task(visit(session, job["base"], job["round"], token)))
        last_started = time.time()
        results = await asyncio.gather(*tasks)
    return {"results": results, "lateness": lateness, "last_started": last_started}


async def floor(job: dict) -> dict:
    """As many requests for ``job["path"]`` as the server answers, ``job["concurrency"]`` at a
    time, for ``job["seconds"]``: a closed loop; returns how many were answered with 200."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=job["concurrency"], force_close=False)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    headers = {"X-Forwarded-Proto": "https", "Host": job["base"].split("://")[1]}
    answered = failed = 0
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        deadline = time.monotonic() + job["seconds"]

        async def loop():
            nonlocal answered, failed
            while time.monotonic() < deadline:
                try:
                    async with session.get(job["base"] + job["path"], headers=headers) as answer:
                        await answer.read()
                        if answer.status == 200:
                            answered += 1
                        else:
                            failed += 1
                except (TimeoutError, aiohttp.ClientError, OSError):
                    failed += 1

        await asyncio.gather(*(loop() for _ in range(job["concurrency"])))
    return {"answered": answered, "failed": failed, "seconds": job["seconds"]}


def run_generator(path: str) -> int:
    job = json.loads(Path(path).read_text())
    outcome = asyncio.run(floor(job) if job.get("floor") else generate(job))
    used = os.times()
    outcome["cpu_s"] = used.user + used.system
    Path(job["out"]).write_text(json.dumps(outcome))
    return 0


def measure_floor(generators: int, base: str, seconds: float, workdir: Path) -> float:
    """Requests a second the server answers of the project's simplest page, from the same
    generators: the most this machine can serve of any page, at this moment."""
    jobs = [
        {"floor": True, "base": base, "path": FLOOR_PATH, "concurrency": 16, "seconds": seconds}
        for _ in range(generators)
    ]
    outcomes = run_generators(jobs, workdir, "floor", timeout=seconds + 60)
    return sum(outcome["answered"] for outcome in outcomes) / seconds


def run_generators(jobs: list[dict], workdir: Path, name: str, *, timeout: float) -> list[dict]:
    """One generator process per job, all at once; their outcomes, in the jobs' order."""
    processes = []
    for number, job in enumerate(jobs):
        job = {**job, "out": str(workdir / f"{name}-out-{number}.json")}
        job_path = workdir / f"{name}-job-{number}.json"
        job_path.write_text(json.dumps(job))
        processes.append(
            subprocess.Popen([sys.executable, __file__, "--generate", str(job_path)], cwd=ROOT)
        )
    outcomes = []
    for number, process in enumerate(processes):
        process.wait(timeout=timeout)
        outcomes.append(json.loads((workdir / f"{name}-out-{number}.json").read_text()))
    return outcomes


def launch(
    generators: int,
    base: str,
    round_id: int,
    tokens: list[str],
    rate: float,
    start: float,
    workdir: Path,
) -> list[dict]:
    """Run the generator processes over ``tokens`` (arrival i goes to process i % n)."""
    jobs = [
        {
            "base": base,
            "round": round_id,
            "rate": rate,
            "start": start,
            "connections": 400,
            "arrivals": [
                (index, token) for index, token in enumerate(tokens) if index % generators == number
            ],
        }
        for number in range(generators)
    ]
    return run_generators(jobs, workdir, "arrivals", timeout=len(tokens) / rate + 300)


# Where the machine's time goes -----------------------------------------------------------------

SERVICES = ("gunicorn", "PostgreSQL", "Redis")


def cpu_snapshot(server_pid: int) -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each live process of the services (Linux ``/proc``): the
    gunicorn server's process group, PostgreSQL's processes, Redis."""
    ticks = os.sysconf("SC_CLK_TCK")
    snapshot = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()  # state, ppid, pgrp, ..., utime, stime
        if int(fields[2]) == server_pid:
            service = "gunicorn"
        elif name.startswith("postgres"):
            service = "PostgreSQL"
        elif name.startswith("redis-server"):
            service = "Redis"
        else:
            continue
        snapshot[int(entry.name)] = (service, (int(fields[11]) + int(fields[12])) / ticks)
    return snapshot


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds each service used between two snapshots."""
    used = dict.fromkeys(SERVICES, 0.0)
    for pid, (service, seconds) in after.items():
        used[service] += seconds - before.get(pid, (service, 0.0))[1]
    return used


# The figures -----------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summarize(outcomes: list[dict], args, start: float) -> tuple[list[str], dict]:
    results = [result for outcome in outcomes for result in outcome["results"]]
    lateness = [late for outcome in outcomes for late in outcome["lateness"]]
    last_started = max(outcome["last_started"] for outcome in outcomes)
    arrivals = len(results)
    achieved = arrivals / max(1e-9, last_started - start) if arrivals > 1 else 0.0
    errors: dict[str, int] = {}
    for result in results:
        if result["error"]:
            key = f"{result['error'][0]}: {result['error'][1]}"
            errors[key] = errors.get(key, 0) + 1
    lines = [
        "| step | requests | p50 | p95 | p99 | max |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    figures = {}
    everything = []
    for name in STEPS:
        times = [result["times"][name] for result in results if name in result["times"]]
        everything += times
        if not times:
            lines.append(f"| {name} | 0 | | | | |")
            continue
        p50, p95, p99 = (percentile(times, q) for q in (0.5, 0.95, 0.99))
        figures[name] = (p50, p95, p99)
        lines.append(
            f"| {name} | {len(times)} | {p50:.0f} ms | **{p95:.0f} ms** | {p99:.0f} ms | "
            f"{max(times):.0f} ms |"
        )
    if everything:
        p50, p95, p99 = (percentile(everything, q) for q in (0.5, 0.95, 0.99))
        figures["all"] = (p50, p95, p99)
        lines.append(
            f"| every request | {len(everything)} | {p50:.0f} ms | **{p95:.0f} ms** | "
            f"{p99:.0f} ms | {max(everything):.0f} ms |"
        )
    failed = sum(errors.values())
    summary = {
        "arrivals": arrivals,
        "achieved": achieved,
        "failed": failed,
        "errors": errors,
        "late_p99": percentile(lateness, 0.99) if lateness else 0.0,
        "late_max": max(lateness) if lateness else 0.0,
        "figures": figures,
    }
    return lines, summary


def main() -> int:
    args = parse_args()
    if args.generate:
        return run_generator(args.generate)
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        print("bench_spike: needs aiohttp (requirements-dev.txt)", file=sys.stderr)
        return 1
    database, broker = service_urls()
    ensure_database(database)
    rates = [float(rate) for rate in args.rates.split(",")] if args.rates else [args.rate]
    sizes = [int(rate * args.seconds) for rate in rates]
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "CELERY_BROKER_URL": broker,
        "CACHE_URL": broker,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    round_id, tokens = prepare(sum(sizes))
    warmup, rest = tokens[:WARMUP_PEOPLE], tokens[WARMUP_PEOPLE:]
    production = {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    }
    server_shape = (
        f"{args.workers} gthread workers x {args.threads} threads"
        if args.worker_class == "gthread"
        else f"{args.workers} sync workers"
    )
    lines = [
        f"New attendees arriving at a fixed rate for {args.seconds:g} s (an open model: each "
        "arrival on schedule whatever the answers), each a different person behind the same IP "
        "address: the sign-in link's page, the sign-in (a first one: it makes the account), "
        "the round page, the calendar file. A published round of "
        f"{len(tokens)} attendees at tables of 8. gunicorn with the production settings, "
        f"{server_shape}, PostgreSQL, Redis (cache and sessions), all on this machine; load "
        f"from {args.generators} processes, each an asyncio loop with a pooled aiohttp client. "
        "Each rate gets people who have not signed in yet; a request is an error past "
        f"{REQUEST_TIMEOUT_S:g} s.",
    ]
    with tempfile.TemporaryDirectory(prefix="bench-spike-") as workdir:
        static_root = str(Path(workdir) / "static")
        production["DJANGO_STATIC_ROOT"] = static_root
        collect_static(static_root, production)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(port, args, production)
        try:
            # Warm-up: other people, a few a second, so each worker has its templates and its
            # database connection; not measured.
            launch(1, base, round_id, warmup, 20.0, time.time() + 0.5, Path(workdir))
            floor_rps = measure_floor(args.generators, base, FLOOR_SECONDS, Path(workdir))
            lines += ["", floor_line(floor_rps, rates)]
            print(lines[-1], flush=True)
            for rate, size in zip(rates, sizes, strict=True):
                measured, rest = rest[:size], rest[size:]
                time.sleep(5)  # the previous rate's stragglers are answered
                start = time.time() + 2.0
                print(
                    f"{len(measured)} arrivals at {rate:g} a second from {args.generators} "
                    "generator processes",
                    flush=True,
                )
                cpu_before = cpu_snapshot(server.pid)
                outcomes = launch(
                    args.generators, base, round_id, measured, rate, start, Path(workdir)
                )
                used = cpu_used(cpu_before, cpu_snapshot(server.pid))
                used["load generators"] = sum(outcome["cpu_s"] for outcome in outcomes)
                lines += ["", *rate_lines(rate, args, outcomes, start), cpu_line(used, outcomes)]
                print("\n".join(lines[-13:]), flush=True)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    if not args.no_save:
        results_write(
            "spike",
            title="The spike after publishing",
            lines=lines,
            services=f"PostgreSQL at {service_label(database)} and Redis at "
            f"{service_label(broker)}",
        )
    return 0


def cpu_line(used: dict[str, float], outcomes: list[dict]) -> str:
    """CPU time per arrival by service, and what the rate asks of the machine's cores."""
    arrivals = sum(len(outcome["results"]) for outcome in outcomes) or 1
    per_arrival = {service: seconds * 1000 / arrivals for service, seconds in used.items()}
    total = sum(per_arrival.values())
    parts = ", ".join(f"{service} {ms:.1f} ms" for service, ms in per_arrival.items())
    return (
        f"- CPU time per arrival (from the start of the arrivals until the last answer): {parts}; "
        f"{total:.1f} ms in all, so {1000 / total:.0f} arrivals a second would keep one core busy "
        f"and this machine has {os.cpu_count()}."
    )


def floor_line(floor_rps: float, rates: list[float]) -> str:
    """How much of the machine the asked rates need, at the least: what the project's simplest
    page costs, times the requests of an arrival."""
    asks = ", ".join(
        f"{rate:g} arrivals a second ask for {rate * len(STEPS):g} requests a second, "
        f"{100 * rate * len(STEPS) / floor_rps:.0f}% of that"
        for rate in rates
    )
    return (
        f"- This machine, in this run: the project's simplest page (`{FLOOR_PATH}`, a template "
        f"and the middleware, no query) is answered {floor_rps:.0f} times a second from the "
        f"same generators, {FLOOR_SECONDS:g} s in a closed loop, the most any page can get. An "
        f"arrival is {len(STEPS)} requests, each doing more than that page: {asks}."
    )


def rate_lines(rate: float, args, outcomes: list[dict], start: float) -> list[str]:
    table, summary = summarize(outcomes, args, start)
    p95_all = summary["figures"].get("all", (0, float("inf"), 0))[1]
    met = p95_all <= TARGET_P95_MS and summary["failed"] == 0
    return [
        f"### {rate:g} arrivals a second",
        "",
        *table,
        "",
        f"- Arrivals: {summary['arrivals']}, achieved rate {summary['achieved']:.1f} a second "
        f"(asked {rate:g}); the generators started arrivals at most "
        f"{summary['late_max']:.0f} ms late (p99 {summary['late_p99']:.0f} ms).",
        f"- Errors: {summary['failed']}"
        + (
            " ("
            + ", ".join(f"{key}: {count}" for key, count in sorted(summary["errors"].items()))
            + ")"
            if summary["errors"]
            else ""
        )
        + ".",
        f"- Target: p95 <= {TARGET_P95_MS:.0f} ms on every request and 0 errors: "
        + ("**met**." if met else f"**not met** (p95 {p95_all:.0f} ms)."),
    ]


if __name__ == "__main__":
    sys.exit(main())
