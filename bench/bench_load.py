"""Load test: gunicorn with PostgreSQL, a Redis cache and a Celery worker, 50 clients, wrk.

    .venv/bin/python bench/bench_load.py [--clients 50] [--seconds 60] [--rate 2]

A conference of 5,000 attendees (names, organizations, topics, a quarter of newcomers, three
earlier editions of encounters, tables with 10% spare seats) is seeded once into its own
series, in bulk, by the tests' builder (tests.matching.scenario.build_realistic_round); its
first round is matched by the real engine through a Celery worker and
published, and a second round stays open. Every client is a different seated attendee with its
own session cookie, CSRF token and API token; each mixes "my table" (/rounds/<id>/, ~50%), the
network page (~20%), RSVP writes to the open round (~15%, htmx POSTs that toggle going / not
going) and API reads (/api/v1/me/rounds/, ~15%), through wrk with a Lua script, one wrk thread
per client so each connection keeps its own identity.

Two load models, reported separately:

- closed loop: every client sends its next request as soon as the answer is in. This measures
  the saturation throughput; latency is then mostly time spent queueing for a worker.
- paced: every client waits a random think time (mean 1/--rate s) after each answer, like a
  person on a phone. It runs twice: alone, and with the open round matched 10 s in through
  the service (``run_request``, executed by the worker) while a probe times "my table" every
  0.25 s, so the page latency during the matching can be compared with the rest.

After the load it checks that every client's last confirmed RSVP is what the database holds and
that the matching run succeeded. Errors are any answer other than 2xx/3xx, socket errors and
timeouts, and answers without the content the page must have.

Services (loopback only): PostgreSQL at BENCH_DATABASE_URL (else DATABASE_URL if it is
PostgreSQL, else postgres://postgres@127.0.0.1:5432/drinktables_bench, created if missing) and
Redis at BENCH_BROKER_URL (else CELERY_BROKER_URL, else redis://127.0.0.1:6379/7), used as the
broker and the cache; the worker listens on a queue of its own. Figures go to stdout and to
bench/results/load.md. Everything is bounded: a hard deadline on the whole run, wrk's own
duration and timeout, and the server and worker killed by process group on the way out.
Asserts nothing about time.
"""

import argparse
import contextlib
import http.client
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from services import (
    RESULTS,
    ensure_database,
    free_port,
    gunicorn_start,
    results_write,
    seated_sessions,
    service_label,
    service_urls,
)

ROOT = Path(__file__).resolve().parent.parent
QUEUE = "drinktables-load"  # only this benchmark's worker listens here
LABEL = "load"  # the builder's label: its series is series-load
PEOPLE = 5000
TARGET_P95_MS = 150.0
HARD_DEADLINE_S = 20 * 60
WRK = shutil.which("wrk") or "/usr/bin/wrk"
MIX = (("page", 50), ("network", 20), ("rsvp", 15), ("api", 15))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument("--seconds", type=int, default=60, help="measured window per model (60)")
    parser.add_argument(
        "--rate", type=float, default=2.0, help="paced model: requests/s per client (2)"
    )
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn worker processes (3, chosen by measuring)"
    )
    parser.add_argument(
        "--worker-class", default="gthread", choices=["sync", "gthread"], help="(gthread)"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (4)")
    parser.add_argument(
        "--models",
        default="closed,paced,paced-match",
        help="load models to run, comma-separated: closed, paced, paced-match (all three)",
    )
    parser.add_argument(
        "--no-save",
        action="store_true",
        help=f"do not write {(RESULTS / 'load.md').relative_to(ROOT)}",
    )
    return parser.parse_args()


# Services --------------------------------------------------------------------------------------


def stop_group(process: subprocess.Popen | None, timeout_s: float = 15.0) -> None:
    """SIGTERM the process group, SIGKILL it if it lingers."""
    if process is None:
        return
    for sig, wait in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # anything left in the group


# Seeding ---------------------------------------------------------------------------------------


def seed_conference(people: int = PEOPLE):
    """The load conference, built once by the tests' builder (one transaction), found again
    afterwards. Returns it and a line saying what was seeded (None when it was found)."""
    from django.db import transaction

    from conferences.models import Conference
    from matching.demo.data import TOPICS
    from tests.matching.scenario import build_realistic_round

    existing = Conference.objects.filter(series__slug=f"series-{LABEL}").first()
    if existing is not None:
        return existing, None

    started = time.perf_counter()
    with transaction.atomic():
        scenario = build_realistic_round(
            people=people,
            label=LABEL,
            seed=8,
            tie_chance=0.3,
            profiles=True,
            topic_names=TOPICS,
            wishes=20,
            blocks=20,
            earlier_round=False,
            open_rounds=2,
        )
    from attendees.models import Encounter

    encounters = Encounter.objects.filter(conference__series__slug=f"series-{LABEL}").count()
    seeded = (
        f"seeded by `build_realistic_round` (tests/matching/scenario.py): {people} attendees "
        f"({len(scenario.returning)} returning and {len(scenario.newcomers)} newcomers going), "
        f"{encounters} encounters over three earlier editions, {len(scenario.tables)} tables of "
        f"{scenario.tables[0].capacity}, two open rounds, in {time.perf_counter() - started:.1f} s"
    )
    print(seeded, flush=True)
    return scenario.conference, seeded


def organizer_for(conference):
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="load-organizer", defaults={"email": "organizer@load.example.org"}
    )
    conference.organizers.add(user)
    return user


def match(meetup_round, organizer, worker, *, deadline_s: float = 300.0) -> dict:
    """Request a matching run through the service; wait for the worker to finish it."""
    from matching.services import runs
    from tests.integration.worker import wait_for

    started = time.perf_counter()
    run = runs.run_request(round_id=meetup_round.pk, by=organizer, seed=1).run

    def finished():
        run.refresh_from_db()
        return run.status not in ("queued", "running")

    wait_for(finished, timeout_s=deadline_s, interval_s=0.1, message=worker.log_tail)
    total = time.perf_counter() - started
    if run.status != "succeeded":
        raise SystemExit(f"run #{run.pk} {run.status}: {run.error}\n{worker.log_tail()}")
    return {"run": run, "seconds": total, "started": started}


def reset_open_round(meetup_round) -> None:
    """Put the closing round back to open with no runs, as before the last benchmark."""
    from conferences.enums import RoundStatus
    from conferences.models import MeetupRound
    from matching.models import MatchingRun

    MeetupRound.objects.filter(pk=meetup_round.pk).update(
        status=RoundStatus.OPEN, published_run=None, published_at=None
    )
    MatchingRun.objects.filter(round=meetup_round).delete()
    meetup_round.refresh_from_db()


# Clients ---------------------------------------------------------------------------------------


def sign_in(count: int, evening, closing) -> list[dict]:
    """``count`` seated attendees spread over the tables: session, CSRF and API token each."""
    from django.middleware.csrf import _get_new_csrf_string

    from attendees.enums import RSVPStatus
    from attendees.models import ApiToken, RoundRSVP
    from attendees.tokens import api_token_create

    clients = []
    for person, session in seated_sessions(
        run_id=evening.published_run_id, count=count, username_prefix="load"
    ):
        ApiToken.objects.filter(user=person.user, name="load bench").delete()
        _, key = api_token_create(user=person.user, name="load bench")
        RoundRSVP.objects.update_or_create(
            person=person, round=closing, defaults={"status": RSVPStatus.GOING}
        )
        clients.append(
            {
                "person_id": person.pk,
                "session": session,
                "csrf": _get_new_csrf_string(),
                "token": key,
            }
        )
    return clients


# Servers ---------------------------------------------------------------------------------------


def server_env(database_url: str, broker_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "CACHE_URL": broker_url,
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }


def start_gunicorn(args, port: int, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    options = ["--workers", str(args.workers), "--worker-class", args.worker_class, "--preload"]
    options += ["--timeout", "30", "--backlog", "512"]
    if args.worker_class == "gthread":
        options += ["--threads", str(args.threads)]
    return gunicorn_start(port, env=env, options=options, log_path=log_path, wait_s=60)


def start_worker(env: dict[str, str]):
    from tests.integration.worker import CeleryWorker

    worker = CeleryWorker(
        env={key: env[key] for key in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL")}
        | {"CELERY_TASK_DEFAULT_QUEUE": QUEUE, "LOG_LEVEL": "WARNING"},
        log_path=ROOT / "test-artifacts" / "bench-load-worker.log",
        concurrency=1,
        queues=[QUEUE],
    )
    return worker.start()


def purge_queue() -> None:
    from config import celery_app

    with celery_app.connection_for_write() as broker:
        broker.default_channel.queue_declare(QUEUE)
        broker.default_channel.queue_purge(QUEUE)


# wrk -------------------------------------------------------------------------------------------

LUA = r"""
-- One wrk thread per client: each has its own attendee's session, CSRF token and API token.
local creds_path, round_id, open_round_id, think_ms = "%(creds)s", %(round)d, %(open)d, %(think)d
local mix = {%(mix)s}
local clients, threads, counter = {}, {}, 0

function setup(thread)
  if #clients == 0 then
    for line in io.lines(creds_path) do
      local pid, session, csrf, token = line:match("^(%%d+) (%%S+) (%%S+) (%%S+)$")
      table.insert(clients, {pid = pid, session = session, csrf = csrf, token = token})
    end
  end
  counter = counter + 1
  local c = clients[counter]
  thread:set("pid", c.pid)
  thread:set("session", c.session)
  thread:set("csrf", c.csrf)
  thread:set("token", c.token)
  thread:set("seq", counter)
  table.insert(threads, thread)
end

local kinds = {"page", "network", "rsvp", "api"}
local markers = {page = "Your table:", network = "network", rsvp = "Saved.", api = '"results"'}

function init(args)
  math.randomseed(seq * 7919 + os.time())
  local cookie = "sessionid=" .. session .. "; csrftoken=" .. csrf
  page_headers = {["Cookie"] = cookie}
  rsvp_headers = {
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = csrf,
    ["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  api_headers = {["Authorization"] = "Token " .. token, ["Accept"] = "application/json"}
  for _, k in ipairs(kinds) do _G["n_" .. k] = 0; _G["bad_" .. k] = 0 end
  rsvp_next, rsvp_confirmed, rsvp_pending, kind = "not_going", "none", "none", nil
end

function request()
  local roll, acc = math.random(100), 0
  for _, entry in ipairs(mix) do
    acc = acc + entry[2]
    if roll <= acc then kind = entry[1]; break end
  end
  if kind == "page" then
    return wrk.format("GET", "/rounds/" .. round_id .. "/", page_headers)
  elseif kind == "network" then
    return wrk.format("GET", "/network/", page_headers)
  elseif kind == "rsvp" then
    rsvp_pending = rsvp_next
    rsvp_next = (rsvp_next == "going") and "not_going" or "going"
    return wrk.format("POST", "/rounds/" .. open_round_id .. "/rsvp/", rsvp_headers,
                      "status=" .. rsvp_pending)
  else
    return wrk.format("GET", "/api/v1/me/rounds/", api_headers)
  end
end

function response(status, headers, body)
  _G["n_" .. kind] = _G["n_" .. kind] + 1
  local ok = status >= 200 and status < 400 and body and body:find(markers[kind], 1, true)
  if not ok then _G["bad_" .. kind] = _G["bad_" .. kind] + 1 end
  if kind == "rsvp" then
    if ok then rsvp_confirmed = rsvp_pending end
    rsvp_pending = "none"
  end
end
%(delay)s
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT %%d %%d %%d %%d %%d %%d %%d %%.1f %%.1f %%.1f %%.1f %%.1f %%.1f\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean))
  for _, t in ipairs(threads) do
    local parts = {}
    for _, k in ipairs(kinds) do
      table.insert(parts, k .. "=" .. t:get("n_" .. k) .. "/" .. t:get("bad_" .. k))
    end
    io.write(string.format("CLIENT %%s %%s %%s %%s\n", t:get("pid"), t:get("rsvp_confirmed"),
      t:get("rsvp_pending"), table.concat(parts, " ")))
  end
end
"""

PACED_DELAY = r"""
function delay()
  return math.random(0, 2 * think_ms)  -- a think time of think_ms on average
end
"""


def write_lua(workdir: Path, *, round_id: int, open_round_id: int, think_ms: int) -> Path:
    script = workdir / ("paced.lua" if think_ms else "closed.lua")
    script.write_text(
        LUA
        % {
            "creds": workdir / "clients.txt",
            "round": round_id,
            "open": open_round_id,
            "think": think_ms,
            "mix": ", ".join(f'{{"{kind}", {share}}}' for kind, share in MIX),
            "delay": PACED_DELAY if think_ms else "",
        }
    )
    return script


def group_cpu_s(process: subprocess.Popen) -> float:
    """CPU seconds used so far by a process and its children (gunicorn and its workers)."""
    pids, total = [process.pid], 0.0
    with contextlib.suppress(OSError):
        pids += [
            int(p)
            for p in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        ]
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def run_wrk(port: int, script: Path, clients: int, seconds: int, server=None) -> dict:
    cpu_before = group_cpu_s(server) if server else 0.0
    command = [
        WRK,
        f"-t{clients}",
        f"-c{clients}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}",
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, cwd=script.parent
    )
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result = parse_wrk(done.stdout)
    cpu = group_cpu_s(server) - cpu_before if server else float("nan")
    result["cpu_ms"] = cpu * 1000 / max(1, result["requests"])
    return result


def parse_wrk(output: str) -> dict:
    result: dict = {"clients": {}, "by_kind": {kind: [0, 0] for kind, _ in MIX}}
    for line in output.splitlines():
        if line.startswith("RESULT "):
            values = line.split()[1:]
            requests, duration, *errors = (int(v) for v in values[:7])
            p50, p90, p95, p99, worst, mean = (float(v) / 1000 for v in values[7:])
            result.update(
                requests=requests,
                seconds=duration / 1e6,
                socket_errors=errors[0] + errors[1] + errors[2] + errors[4],
                status_errors=errors[3],
                p50=p50,
                p90=p90,
                p95=p95,
                p99=p99,
                max=worst,
                mean=mean,
            )
        elif line.startswith("CLIENT "):
            _, pid, confirmed, pending, *counts = line.split()
            result["clients"][int(pid)] = (confirmed, pending)
            for item in counts:
                kind, numbers = item.split("=")
                sent, bad = (int(n) for n in numbers.split("/"))
                result["by_kind"][kind][0] += sent
                result["by_kind"][kind][1] += bad
    if "requests" not in result:
        raise SystemExit(f"wrk printed no result:\n{output}")
    result["content_errors"] = sum(bad for _, bad in result["by_kind"].values())
    # Non-2xx/3xx answers are counted by wrk (status) and by the script (content): take the
    # script's count, which includes them, plus socket errors and timeouts.
    result["errors"] = (
        max(result["content_errors"], result["status_errors"]) + result["socket_errors"]
    )
    return result


# Matching while the load runs ------------------------------------------------------------------


class Probe(threading.Thread):
    """One more signed-in attendee asking for "my table" every 0.25 s, timing each answer."""

    def __init__(self, port: int, path: str, cookie: str, stop_at: float):
        super().__init__(daemon=True)
        self.port, self.path, self.cookie, self.stop_at = port, path, cookie, stop_at
        self.samples: list[tuple[float, float, bool]] = []  # (started, seconds, ok)

    def run(self) -> None:
        headers = {"Cookie": f"sessionid={self.cookie}", "Host": "127.0.0.1"}
        while time.perf_counter() < self.stop_at:
            started = time.perf_counter()
            ok = False
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                connection.request("GET", self.path, headers=headers)
                response = connection.getresponse()
                ok = response.status == 200 and b"Your table:" in response.read()
                connection.close()
            except OSError:
                pass
            self.samples.append((started, time.perf_counter() - started, ok))
            time.sleep(max(0.0, 0.25 - (time.perf_counter() - started)))


def match_during_load(closing, organizer, worker, outcome: dict, delay_s: float, budget_s: float):
    """Wait ``delay_s`` into the load, then match the open round; record what happened."""
    from django.db import connection

    time.sleep(delay_s)
    try:
        outcome.update(match(closing, organizer, worker, deadline_s=budget_s))
        outcome["finished"] = time.perf_counter()
    except BaseException as error:  # reported by the main thread
        outcome["error"] = error
    finally:
        connection.close()


def window_stats(samples, start: float, stop: float, inside: bool) -> tuple[int, float, float]:
    chosen = [s for t, s, ok in samples if ok and ((start <= t <= stop) == inside)]
    if not chosen:
        return 0, float("nan"), float("nan")
    return len(chosen), statistics.median(chosen) * 1000, percentile(chosen, 0.95) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# Main ------------------------------------------------------------------------------------------


def on_deadline(signum, frame):
    raise TimeoutError(f"bench_load: the hard deadline of {HARD_DEADLINE_S} s passed")


def main() -> int:
    args = parse_args()
    if not Path(WRK).exists():
        print("bench_load: skipped, wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 0
    database_url, broker_url = service_urls()
    os.environ.update(
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        CACHE_URL=broker_url,
        CELERY_TASK_DEFAULT_QUEUE=QUEUE,
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    signal.signal(signal.SIGALRM, on_deadline)
    signal.alarm(HARD_DEADLINE_S)
    ensure_database(database_url)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from conferences.models import MeetupRound
    from matching.services import lifecycle

    call_command("migrate", verbosity=0, interactive=False)
    conference, seeded = seed_conference()
    organizer = organizer_for(conference)
    evening, closing = MeetupRound.objects.filter(conference=conference).order_by("starts_at")
    env = server_env(database_url, broker_url)
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    purge_queue()
    worker = server = None
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    try:
        worker = start_worker(env)
        if seeded:
            say(f"- {seeded}")
        if evening.published_run_id is None:
            reset_open_round(evening)
            first = match(evening, organizer, worker)
            lifecycle.round_publish(
                round_id=evening.pk, by=organizer, run_id=first["run"].pk, notify=False
            )
            evening.refresh_from_db()
            say(
                f"evening round matched with no load: trigger to succeeded "
                f"{first['seconds']:.1f} s, published"
            )
        reset_open_round(closing)
        clients = sign_in(args.clients + 1, evening, closing)
        probe_client, clients = clients[-1], clients[:-1]
        (workdir / "clients.txt").write_text(
            "".join(f"{c['person_id']} {c['session']} {c['csrf']} {c['token']}\n" for c in clients)
        )
        port = free_port()
        server = start_gunicorn(args, port, env, ROOT / "test-artifacts" / "bench-load-server.log")
        closed_script = write_lua(
            workdir, round_id=evening.pk, open_round_id=closing.pk, think_ms=0
        )
        run_wrk(port, closed_script, args.clients, 5)  # warm every worker; not measured

        server_words = (
            f"gunicorn {args.workers} {args.worker_class} workers"
            + (f" x {args.threads} threads" if args.worker_class == "gthread" else "")
            + ", PostgreSQL, Redis cache, 1 Celery worker process"
        )
        say(
            f"{PEOPLE} attendees, {args.clients} clients (each its own attendee), mix "
            + ", ".join(f"{kind} {share}%" for kind, share in MIX)
            + f"; {server_words}; {os.cpu_count()} CPU cores, everything on this machine"
        )
        results = []
        models = [m.strip() for m in args.models.split(",") if m.strip()]
        matching: dict = {}
        probe = match_probe = None
        checks: list[dict] = []
        for model in models:
            if model == "closed":
                result = run_wrk(port, closed_script, args.clients, args.seconds, server)
                results.append(("closed loop", result))
            elif model in ("paced", "paced-match"):
                think_ms = int(1000 / args.rate)
                script = write_lua(
                    workdir, round_id=evening.pk, open_round_id=closing.pk, think_ms=think_ms
                )
                stop_at = time.perf_counter() + args.seconds
                probe = Probe(port, f"/rounds/{evening.pk}/", probe_client["session"], stop_at)
                probe.start()
                matcher = None
                if model == "paced-match":
                    match_probe = probe
                    matcher = threading.Thread(
                        target=match_during_load,
                        args=(closing, organizer, worker, matching, 10.0, args.seconds + 240),
                        daemon=True,
                    )
                    matcher.start()
                result = run_wrk(port, script, args.clients, args.seconds, server)
                name = f"paced, ~{args.rate:g} requests/s a client"
                if model == "paced-match":
                    name += ", matching 10 s in"
                results.append((name, result))
                probe.join(timeout=15)
                if matcher is not None:
                    matcher.join(timeout=args.seconds + 300)
            else:
                raise SystemExit(f"unknown load model {model!r}: closed, paced or paced-match")
            checks.append(verify_rsvps(results[-1], closing))

        say()
        say(
            "| model | clients | seconds | requests | req/s | p50 ms | p95 ms | p99 ms | errors "
            "| server CPU ms/req |"
        )
        say("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, r in results:
            say(
                f"| {name} | {args.clients} | {r['seconds']:.0f} | {r['requests']} | "
                f"{r['requests'] / r['seconds']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | "
                f"{r['p99']:.0f} | {r['errors']} | {r['cpu_ms']:.1f} |"
            )
        say()
        for name, r in results:
            kinds = ", ".join(
                f"{kind} {sent} ({bad} bad)" for kind, (sent, bad) in r["by_kind"].items()
            )
            say(
                f"- {name}: {kinds}; non-2xx/3xx {r['status_errors']}, socket errors and "
                f"timeouts {r['socket_errors']}; mean {r['mean']:.0f} ms, max {r['max']:.0f} ms"
            )
            verdict = "met" if r["p95"] <= TARGET_P95_MS and r["errors"] == 0 else "NOT met"
            say(f"  target zero errors and p95 <= {TARGET_P95_MS:.0f} ms: {verdict}")

        failures = sum(check["lost"] for check in checks)
        for check in checks:
            say(check["line"])
        if matching:
            if "error" in matching:
                say(f"- matching during the load FAILED: {matching['error']}")
                failures += 1
            else:
                run = matching["run"]
                m = run.metrics
                say(
                    f"- matching the open round ({m.get('seated')} seated, {m.get('unseated')} "
                    f"unseated) while the paced load ran: trigger to succeeded "
                    f"{matching['seconds']:.1f} s (solver {run.elapsed_s:.1f} s, time limit "
                    f"{run.time_limit_s:g} s); run #{run.pk} {run.status}"
                )
                inside = window_stats(
                    match_probe.samples, matching["started"], matching["finished"], inside=True
                )
                outside = window_stats(
                    match_probe.samples, matching["started"], matching["finished"], inside=False
                )
                say(
                    f'- probe, "my table" every 0.25 s during the paced load: while matching '
                    f"median {inside[1]:.0f} ms, p95 {inside[2]:.0f} ms ({inside[0]} requests); "
                    f"otherwise median {outside[1]:.0f} ms, p95 {outside[2]:.0f} ms "
                    f"({outside[0]} requests)"
                )
        say(
            "- server CPU ms/req: CPU time of gunicorn and its workers during the window over "
            "the requests wrk counted (PostgreSQL, Redis and wrk not included); it depends "
            "far less than latency on what else the machine runs"
        )
        if not args.no_save:
            results_write(
                "load",
                title="Load benchmark",
                lines=lines,
                services=f"{service_label(database_url)} and {service_label(broker_url)}",
            )
        return 1 if failures else 0
    finally:
        signal.alarm(0)
        stop_group(server)
        if worker is not None:
            worker.stop()
        with contextlib.suppress(Exception):
            purge_queue()
        shutil.rmtree(workdir, ignore_errors=True)


def verify_rsvps(named_result, closing) -> dict:
    """Each client's last confirmed RSVP (or the one in flight when wrk stopped) is stored."""
    from attendees.models import RoundRSVP

    name, result = named_result
    stored = dict(RoundRSVP.objects.filter(round=closing).values_list("person_id", "status"))
    clients = result["clients"]
    lost = [
        pid
        for pid, (confirmed, pending) in clients.items()
        if confirmed != "none" and stored.get(pid) not in (confirmed, pending)
    ]
    writes = result["by_kind"]["rsvp"][0] - result["by_kind"]["rsvp"][1]
    answered = sum(1 for confirmed, _ in clients.values() if confirmed != "none")
    line = (
        f"- {name}: {writes} RSVP writes confirmed; the last one of each of {answered} "
        f"clients is in the database: {answered - len(lost)}/{answered}"
        + (f" (LOST for people {lost[:10]})" if lost else "")
    )
    return {"line": line, "lost": len(lost)}


if __name__ == "__main__":
    sys.exit(main())
