"""Benchmark: the organizer's plan page of a 2,000-person round in a phone browser.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/drinktables_bench \
        .venv/bin/python bench/bench_plan_page.py [--people 2000] [--loads 9]

It migrates the database, builds a round with ``build_realistic_round(people=2000)`` from
tests/matching/scenario.py (once: a second run finds it by its label), has the real engine match
it in this process (no broker: the task runs eagerly) and leaves the plan under review, so the
page offers the move dialog. Then it serves the app with gunicorn (DEBUG off, whitenoise for the
static files, as in production) and opens the page in Debian's chromium through Playwright,
390 x 844 like a phone, signed in as the round's organizer: the plan page as it opens, a search
for one person (``?q=``), the move dialog opened for them (``?move=``), and the last page of
tables. Each case is loaded ``--loads`` times after one unmeasured load; the figure is the
median of the browser's own navigation timing (request start to the load event: server time,
transfer, parsing, styles, scripts and layout), with the page's height, its HTML size and its
number of DOM elements. The figures are printed and written to bench/results/plan_page.md;
nothing is asserted about time.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from services import (
    ensure_database,
    free_port,
    gunicorn_start,
    results_write,
    service_label,
    service_urls,
)

ROOT = Path(__file__).resolve().parent.parent
LABEL = "planpage"
TARGET_MS = 1000.0
PHONE = {"width": 390, "height": 844}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=2000, help="people in the round (2000)")
    parser.add_argument("--loads", type=int, default=9, help="measured loads per case (9)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--no-save", action="store_true", help="print only; do not write bench/results/"
    )
    return parser.parse_args()


def prepare(people: int) -> dict:
    """The round under review, its organizer's session cookie and a person to look for."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

    from django.core.management import call_command
    from django.test import Client

    from conferences.enums import RoundStatus
    from conferences.models import MeetupRound
    from matching.models import Seat
    from matching.selectors import plans
    from matching.services import runs
    from tests.factories import OrganizerFactory
    from tests.matching.scenario import build_realistic_round

    call_command("migrate", verbosity=0, interactive=False)
    label = f"{LABEL}{people}"
    organizer = OrganizerFactory(username=f"bench-{label}")
    # The round the scenario opened, not the earlier one it published.
    meetup_round = (
        MeetupRound.objects.filter(
            conference__slug=f"now-{label}", status__in=[RoundStatus.OPEN, RoundStatus.MATCHED]
        )
        .order_by("pk")
        .first()
    )
    if meetup_round is None:
        started = time.perf_counter()
        scenario = build_realistic_round(
            people=people, label=label, organizer=organizer, profiles=True
        )
        meetup_round = scenario.round
        print(f"built the round in {time.perf_counter() - started:.1f} s", flush=True)
    meetup_round.conference.organizers.add(organizer)
    if (
        meetup_round.published_run_id is None
        and not Seat.objects.filter(run__round=meetup_round).exists()
    ):
        started = time.perf_counter()
        runs.run_request(round_id=meetup_round.pk, by=organizer, seed=7, time_limit_s=10)
        print(f"matched the round in {time.perf_counter() - started:.1f} s", flush=True)
    plan = plans.plan_for(round=meetup_round)
    if plan.run is None:
        raise SystemExit("bench_plan_page: the round has no plan; see the run's error")
    middle = plan.tables[len(plan.tables) // 2]
    person = middle.seats[0]
    client = Client()
    client.force_login(organizer)
    return {
        "round": meetup_round.pk,
        "cookie": client.cookies["sessionid"].value,
        "person": (person.pk, person.name),
        "seated": plan.seated,
        "tables": len(plan.tables),
        "warning_tables": sum(1 for view in plan.tables if view.warning_count),
    }


def start_server(port: int, workers: int) -> subprocess.Popen:
    return gunicorn_start(port, options=["--workers", str(workers), "--preload", "--timeout", "60"])


NAVIGATION = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return {
    load: nav.loadEventEnd - nav.requestStart,
    server: nav.responseStart - nav.requestStart,
    html: nav.transferSize || nav.encodedBodySize,
    height: document.documentElement.scrollHeight,
    elements: document.getElementsByTagName("*").length,
  };
}"""


def measure(page, url: str, loads: int) -> dict:
    page.goto(url, wait_until="load")  # unmeasured: the worker's templates, the browser's cache
    figures = []
    for _ in range(loads):
        page.goto(url, wait_until="load")
        figures.append(page.evaluate(NAVIGATION))
    loads_ms = [figure["load"] for figure in figures]
    return {
        "median": statistics.median(loads_ms),
        "best": min(loads_ms),
        "worst": max(loads_ms),
        "server": statistics.median(figure["server"] for figure in figures),
        "height": figures[-1]["height"],
        "html": figures[-1]["html"],
        "elements": figures[-1]["elements"],
    }


def main() -> int:
    args = parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        print("bench_plan_page: skipped, no chromium (apt-get install chromium)", file=sys.stderr)
        return 0
    database, _broker = service_urls()
    ensure_database(database)
    os.environ["DATABASE_URL"] = database
    # The page needs no queue; without a broker the matching runs in this process.
    for name in ("CELERY_BROKER_URL", "REDIS_URL", "CACHE_URL"):
        os.environ.pop(name, None)
    setup = prepare(args.people)
    port = free_port()
    server = start_server(port, args.workers)
    base = f"http://127.0.0.1:{port}"
    plan = f"/organize/rounds/{setup['round']}/plan/"
    person_id, person_name = setup["person"]
    cases = [
        ("the plan page as it opens", plan),
        (f"search for one person (`?q={person_name}`)", f"{plan}?{urlencode({'q': person_name})}"),
        ("the move dialog opened for them (`?move=`)", f"{plan}?move={person_id}"),
        ("tables with warnings (`?warnings=1`)", f"{plan}?warnings=1"),
    ]
    results = []
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True)
            context = browser.new_context(
                base_url=base, viewport=PHONE, is_mobile=True, has_touch=True
            )
            context.add_cookies([{"name": "sessionid", "value": setup["cookie"], "url": base}])
            page = context.new_page()
            for name, url in cases:
                result = measure(page, url, args.loads)
                results.append((name, result))
                print(
                    f"{name}: median {result['median']:.0f} ms (best {result['best']:.0f}, "
                    f"worst {result['worst']:.0f}), server {result['server']:.0f} ms, height "
                    f"{result['height']} px, {result['html'] / 1024:.0f} KiB, "
                    f"{result['elements']} elements",
                    flush=True,
                )
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    lines = [
        f"The round: `build_realistic_round(people={args.people}, profiles=True)` from "
        f"tests/matching/scenario.py, matched by the engine (seed 7): {setup['seated']} seated "
        f"at {setup['tables']} tables, {setup['warning_tables']} of them with a warning; the "
        "plan under review, so the page offers moves. gunicorn with "
        f"{args.workers} sync workers (DEBUG off, whitenoise), PostgreSQL, Debian's chromium "
        f"through Playwright at {PHONE['width']} x {PHONE['height']} px, all on this machine. "
        f"Each case: one unmeasured load, then the median of {args.loads}. Load: the browser's "
        "navigation timing from the request to the load event; server: to the first byte.",
        "",
        "| case | load, median | best | worst | server | page height | HTML | elements |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, result in results:
        lines.append(
            f"| {name} | **{result['median']:.0f} ms** | {result['best']:.0f} ms | "
            f"{result['worst']:.0f} ms | {result['server']:.0f} ms | {result['height']} px | "
            f"{result['html'] / 1024:.0f} KiB | {result['elements']} |"
        )
    worst_median = max(result["median"] for _, result in results)
    verdict = "met" if worst_median <= TARGET_MS else "NOT met"
    lines += [
        "",
        f"Target: the page loads in under {TARGET_MS / 1000:g} s for a {args.people}-person "
        f"round on a phone: {verdict} (slowest median {worst_median:.0f} ms). Issue 14 reported "
        "the page before it was paged and collapsed, every table open, at about 49,000 px tall "
        "on a phone.",
    ]
    print(lines[-1])
    if not args.no_save:
        results_write(
            "plan_page",
            title="The plan page of a 2,000-person round on a phone",
            lines=lines,
            services=f"PostgreSQL at {service_label(database)}",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
