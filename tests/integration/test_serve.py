"""`make serve`, started and checked: the production recipe on PostgreSQL and Redis.

The recipe runs as an operator runs it (``make serve`` with the production settings), against
a database of its own on the PostgreSQL server of DATABASE_URL and a private ``redis-server``
on a free port (tests/integration/servers.py), never the shared Redis. The test plays the TLS
proxy: it speaks HTTP to gunicorn and sends ``X-Forwarded-Proto: https``, as a proxy that ends
TLS does, so HTTPS redirects, HSTS and secure cookies stay on. It signs in with a password,
matches a round through the API and the worker, restarts Redis while a run is in flight,
checks that supervisor started the worker again and that the next run succeeds, then stops
the recipe with Ctrl-C (SIGINT to make's process group) and checks every process is gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import dj_database_url
import psycopg2
import pytest
from psycopg2 import sql

from matching.demo.data import DEMO_PASSWORD
from tests.celery_broker import free_port

from .servers import PrivateRedis, missing, port_open
from .worker import BASE_DIR, wait_for

ARTIFACTS = BASE_DIR / "test-artifacts"
SUPERVISOR_CONFIG = BASE_DIR / "deploy" / "supervisord.conf"
PROGRAMS = ("beat", "web", "worker")


# -- the services: a database of our own, a private Redis -------------------------------------


def _admin_connection(params: dict):
    connection = psycopg2.connect(
        dbname="postgres",
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
    )
    connection.autocommit = True
    return connection


@pytest.fixture
def serve_database():
    """A fresh database next to DATABASE_URL's, dropped at the end (as make serve finds a new
    deployment's: empty, to be migrated)."""
    url = os.environ["DATABASE_URL"]
    if not url.startswith(("postgres://", "postgresql://")):
        missing(f"make serve runs on PostgreSQL, and DATABASE_URL is {url.split(':')[0]}")
    params = dj_database_url.parse(url)
    name = f"{params['NAME']}_serve_{os.getpid()}"[:63]
    connection = _admin_connection(params)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        auth = params["USER"] or ""
        if params["PASSWORD"]:
            auth += f":{params['PASSWORD']}"
        host = f"{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
        yield f"postgres://{auth}{'@' if auth else ''}{host}/{name}"
    finally:
        with contextlib.suppress(Exception), connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        connection.close()


@pytest.fixture
def private_redis():
    redis = PrivateRedis()
    try:
        yield redis.start()
    finally:
        redis.close()


# -- the recipe ---------------------------------------------------------------------------------


def process_tree(pid: int) -> set[int]:
    """``pid`` and all its descendants now."""
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            todo += [int(child) for child in children]
    return found


def carries(pid: int, marker: bytes) -> bool:
    """Process ``pid`` is alive (not a zombie) and its environment holds ``marker``."""
    try:
        return marker in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:  # gone, or a zombie
        return False


class Recipe:
    """``make serve`` in a subprocess, in its own session as if typed into a terminal."""

    def __init__(self, *, env: dict[str, str], var: Path):
        self.env = env
        self.var = var
        self.port = free_port()
        self.log_path = var / "make-serve.log"
        self.process: subprocess.Popen | None = None
        # Everything the recipe starts inherits its own DRINKTABLES_VAR: a pid seen in its
        # process tree that no longer carries it has exited (even if the number was reused).
        self.marker = f"DRINKTABLES_VAR={var}".encode()
        self.seen: set[int] = set()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Recipe:
        make = shutil.which("make")
        if make is None:
            missing("make is not installed")
        self.var.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                make,
                "--no-print-directory",
                # The environment is the one running these tests: never reinstall it here.
                "-o",
                ".venv/.runtime-installed",
                "serve",
                f"PY={sys.executable}",
                "HOST=127.0.0.1",
                f"PORT={self.port}",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        return self

    def processes(self) -> list[int]:
        """The recipe's live processes: make, supervisord, the programs and their children
        (supervisor puts each program in a process group of its own, so no signal to make's
        group reaches them)."""
        if self.running():
            self.seen |= process_tree(self.process.pid)
        return sorted(pid for pid in self.seen if carries(pid, self.marker))

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def started(self) -> bool:
        """Still running (failing at once, with the logs, when make serve gave up)."""
        if not self.running():
            raise AssertionError(f"make serve exited ({self.process.returncode}):\n{self.logs()}")
        return True

    def status(self) -> dict[str, tuple[str, int | None]]:
        """``supervisorctl status``: program -> (state, pid)."""
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "supervisor.supervisorctl",
                "-c",
                str(SUPERVISOR_CONFIG),
                "status",
            ],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        programs = {}
        for line in result.stdout.splitlines():
            match = re.match(r"(\S+)\s+(\S+)(?:\s+pid (\d+))?", line)
            if match and match[1] in PROGRAMS:
                programs[match[1]] = (match[2], int(match[3]) if match[3] else None)
        return programs

    def all_running(self) -> dict[str, int] | None:
        self.started()
        status = self.status()
        if sorted(status) == list(PROGRAMS) and all(s == "RUNNING" for s, _ in status.values()):
            return {name: pid for name, (_, pid) in status.items()}
        return None

    def stop(self, timeout_s: float = 120) -> int:
        """Ctrl-C: SIGINT to make's process group, as a terminal sends it."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=timeout_s)

    def log(self, name: str) -> str:
        path = self.log_path if name == "make" else self.var / "log" / f"{name}.log"
        with contextlib.suppress(FileNotFoundError):
            return path.read_text(errors="replace")
        return ""

    def logs(self, tail: int = 4000) -> str:
        return "\n".join(
            f"--- {name} ---\n{self.log(name)[-tail:]}"
            for name in ("make", "supervisord", "web", "worker", "beat")
        )

    def close(self) -> None:
        """Whatever happened, nothing of the recipe outlives the test."""
        self.processes()  # the whole tree, while make still holds it together
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=90)
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


# -- a client behind the TLS proxy ----------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class ProxiedClient:
    """A browser (cookies, CSRF) whose requests reach gunicorn through a TLS proxy: plain HTTP
    with ``X-Forwarded-Proto: https``, the header config.production trusts from its proxy."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.origin = "https://" + urllib.parse.urlsplit(base_url).netloc
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(
        self,
        method: str,
        path: str,
        *,
        data: dict | None = None,
        json_body: dict | None = None,
        proxied: bool = True,
    ) -> tuple[int, dict, str]:
        headers = {"Referer": self.origin + path, "Cookie": self._cookie_header()}
        if proxied:
            headers["X-Forwarded-Proto"] = "https"
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        request = urllib.request.Request(
            self.base_url + path, data=body, method=method, headers=headers
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                status, response_headers, text = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, response_headers, text = error.code, error.headers, error.read()
        for cookie in response_headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, dict(response_headers), text.decode(errors="replace")

    def _cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def api(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        status, _, text = self.request(method, path, json_body=body)
        try:
            return status, json.loads(text)
        except ValueError:
            return status, {"text": text[:2000]}

    def sign_in(self, username: str, password: str) -> None:
        status, _, page = self.request("GET", "/login/staff/")
        assert status == 200, page[:2000]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:2000]
        status, headers, page = self.request(
            "POST",
            "/login/staff/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token[1]},
        )
        assert status == 302, f"{status}: {page[:2000]}"
        assert "sessionid" in self.cookies, headers


def answers(client: ProxiedClient) -> bool:
    try:
        status, _, _ = client.request("GET", "/login/")
    except OSError:
        return False
    return status == 200


def run_finished(client: ProxiedClient, run_id: int) -> dict | None:
    status, run = client.api("GET", f"/api/v1/runs/{run_id}/")
    assert status == 200, run
    return run if run["status"] not in ("queued", "running") else None


def start_run(client: ProxiedClient, round_id: int, *, time_limit_s: float, seed: int) -> dict:
    status, run = client.api(
        "POST", f"/api/v1/rounds/{round_id}/runs/", {"time_limit_s": time_limit_s, "seed": seed}
    )
    assert status == 202, (status, run)
    assert run["warning"] is None, run["warning"]
    return run


# -- the test -----------------------------------------------------------------------------------


def test_make_serve_runs_matches_survives_a_redis_restart_and_stops(serve_database, private_redis):
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="drinktables-serve-")).resolve()
    var = scratch / "var"
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DJANGO_SETTINGS_MODULE",
            "REDIS_URL",
            "DRINKTABLES_REQUIRE_SERVICES",
            # Under `make test`: the recipe is started as if typed, not as a sub-make.
            "MAKEFLAGS",
            "MFLAGS",
            "MAKELEVEL",
        }
    }
    env.update(
        DATABASE_URL=serve_database,
        CELERY_BROKER_URL=private_redis.url,
        CACHE_URL=private_redis.url.rsplit("/", 1)[0] + "/1",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_STATIC_ROOT=str(scratch / "static"),
        DRINKTABLES_VAR=str(var),
        WEB_CONCURRENCY="2",
        WORKER_CONCURRENCY="2",
        LOG_LEVEL="INFO",
    )
    recipe = Recipe(env=env, var=var)
    try:
        recipe.start()
        client = ProxiedClient(recipe.base_url)
        wait_for(
            lambda: recipe.started() and answers(client),
            timeout_s=150,
            interval_s=0.5,
            message=recipe.logs,
        )
        pids = wait_for(recipe.all_running, timeout_s=60, interval_s=0.5, message=recipe.logs)
        print(f"make serve answered {time.monotonic() - started:.1f} s after it started: {pids}")

        # The production settings hold: plain HTTP is sent to HTTPS, and HTTPS pages carry HSTS.
        status, headers, _ = client.request("GET", "/login/", proxied=False)
        assert (status, headers["Location"]) == (301, f"https://127.0.0.1:{recipe.port}/login/")
        status, headers, _ = client.request("GET", "/login/")
        assert status == 200 and headers["Strict-Transport-Security"].startswith("max-age=")
        css = re.search(r'href="(/static/[^"]+\.css)"', client.request("GET", "/login/")[2])
        assert css and client.request("GET", css[1])[0] == 200  # collected, served by whitenoise

        # An organizer: the demo's, loaded as an operator would, with the production settings.
        subprocess.run(
            [sys.executable, "manage.py", "load_demo", "--site-url", client.origin + "/"],
            cwd=BASE_DIR,
            env={**env, "DJANGO_SETTINGS_MODULE": "config.production"},
            check=True,
            capture_output=True,
            timeout=180,
        )
        client.sign_in("organizer", DEMO_PASSWORD)
        status, conferences = client.api("GET", "/api/v1/conferences/?page_size=50")
        assert status == 200, conferences
        open_rounds = []
        for conference in conferences["results"]:
            status, rounds = client.api(
                "GET", f"/api/v1/conferences/{conference['slug']}/rounds/?page_size=50"
            )
            assert status == 200, rounds
            open_rounds += [
                r for r in rounds["results"] if r["status"] == "open" and r["going_count"]
            ]
        assert open_rounds, conferences
        round_id = open_rounds[0]["id"]

        # 1. A matching through the worker.
        run = start_run(client, round_id, time_limit_s=2, seed=1)
        done = wait_for(lambda: run_finished(client, run["id"]), timeout_s=90, message=recipe.logs)
        assert done["status"] == "succeeded", done
        assert done["metrics"]["seated"] > 0 and done["metrics"]["unseated"] == 0, done["metrics"]

        # 2. Redis restarted (empty: no persistence) while a run works.
        run = start_run(client, round_id, time_limit_s=8, seed=2)
        wait_for(
            lambda: client.api("GET", f"/api/v1/runs/{run['id']}/")[1]["status"] == "running",
            timeout_s=60,
            interval_s=0.1,
            message=recipe.logs,
        )
        worker_before = recipe.all_running()["worker"]
        private_redis.restart()
        restarted = time.monotonic()
        done = wait_for(lambda: run_finished(client, run["id"]), timeout_s=120, message=recipe.logs)
        assert done["status"] == "succeeded", done

        # Kombu 5.7 cannot give the unacknowledged message back to the new Redis: the worker
        # exits once its task is done, and supervisor starts it again.
        def worker_replaced() -> int | None:
            running = recipe.all_running()
            return running and running["worker"] != worker_before and running["worker"]

        worker_after = wait_for(worker_replaced, timeout_s=90, interval_s=0.5, message=recipe.logs)
        assert worker_before not in recipe.processes()
        print(
            f"redis restarted mid-run: run succeeded; worker {worker_before} exited and "
            f"supervisor started {worker_after}, {time.monotonic() - restarted:.1f} s after the "
            "restart"
        )

        # 3. The next run goes through the restarted worker.
        run = start_run(client, round_id, time_limit_s=2, seed=3)
        done = wait_for(lambda: run_finished(client, run["id"]), timeout_s=90, message=recipe.logs)
        assert done["status"] == "succeeded", done

        # Beat sends its sweeps through the restarted Redis to the restarted worker.
        log_size = len(recipe.log("worker"))
        wait_for(
            lambda: re.search(
                r"Task matching\.sweep_stale_runs\[[^]]+\] succeeded",
                recipe.log("worker")[log_size:],
            ),
            timeout_s=90,
            interval_s=1,
            message=recipe.logs,
        )

        # Ctrl-C: supervisor stops web, beat and the worker; make exits; nothing is left.
        running = recipe.processes()
        # make, supervisord, the worker and its 2 pool processes, beat, gunicorn and 2 workers
        assert len(running) >= 9, running
        recipe.stop()
        wait_for(
            lambda: not recipe.processes(),
            timeout_s=30,
            message=lambda: f"still running: {recipe.processes()} of {running}",
        )
        assert not port_open(recipe.port)
        stopped = re.findall(r"stopped: (\w+) \((.*)\)", recipe.log("supervisord"))
        assert sorted(name for name, _ in stopped) == list(PROGRAMS), recipe.log("supervisord")
        print(f"make serve stopped cleanly; the whole test took {time.monotonic() - started:.0f} s")
    except BaseException:
        print(recipe.logs())
        raise
    finally:
        recipe.close()
        ARTIFACTS.mkdir(exist_ok=True)
        with contextlib.suppress(OSError):
            (ARTIFACTS / f"serve-{os.getpid()}.log").write_text(recipe.logs(tail=50_000))
        shutil.rmtree(scratch, ignore_errors=True)
