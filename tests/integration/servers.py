"""Private Redis and PostgreSQL servers that a fault test may stop, restart or kill.

The shared servers other people's tests use are never touched: each private server runs on a
free port, with its files in a temporary directory, in its own process group, and is always
stopped and removed (``close``) however the test ends. A missing binary skips the test, or fails
it under DRINKTABLES_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.celery_broker import free_port

from .worker import BASE_DIR, wait_for

REQUIRE_SERVICES = os.environ.get("DRINKTABLES_REQUIRE_SERVICES") == "1"
POSTGRES_ROOT = Path("/usr/lib/postgresql")


def missing(what: str) -> None:
    """Skip the test for lack of ``what``, or fail it when services are required."""
    if REQUIRE_SERVICES:
        pytest.fail(f"DRINKTABLES_REQUIRE_SERVICES=1 but {what}", pytrace=False)
    pytest.skip(what)


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _kill_group(process: subprocess.Popen | None, sig: int = signal.SIGKILL) -> None:
    if process is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)


def _terminate(process: subprocess.Popen) -> None:
    """SIGTERM to the process group, SIGKILL if it is still there after 15 s."""
    _kill_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.wait(timeout=10)


class PrivateRedis:
    """``redis-server`` without persistence on its own port: stopped, it forgets everything."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            missing("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="drinktables-redis-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> PrivateRedis:
        log = (self.dir / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
                "--daemonize",
                "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_for(
            self._answers,
            timeout_s=30,
            message=lambda: f"private redis on port {self.port} did not start: {self.log()}",
        )
        return self

    def _answers(self) -> bool:
        if not self.running:
            raise RuntimeError(f"redis-server exited: {self.log()}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Shut down (SIGTERM, then SIGKILL); clients see their connections closed."""
        if self.process is None:
            return
        _terminate(self.process)
        self.process = None
        wait_for(lambda: not port_open(self.port), timeout_s=15, message="redis port still open")

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        with contextlib.suppress(FileNotFoundError):
            return (self.dir / "redis.log").read_text(errors="replace")[-3000:]
        return ""

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()
        _kill_group(self.process)
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (``initdb`` in a temporary directory, trust auth).

    The server runs as the ``postgres`` OS user when the tests run as root (initdb refuses
    root), listens on 127.0.0.1 on its own port and keeps its socket in its own directory.
    """

    def __init__(self) -> None:
        versions = sorted(
            (p for p in POSTGRES_ROOT.glob("*/bin") if (p / "initdb").exists()),
            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        )
        if not versions:
            missing(f"no PostgreSQL server binaries under {POSTGRES_ROOT}/<version>/bin")
        self.bin = versions[-1]
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                missing("running as root needs a 'postgres' OS user to run a private cluster")
            self.run_as = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="drinktables-pg-"))
        self.data = self.dir / "data"
        if self.run_as:
            entry = pwd.getpwnam("postgres")
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self.initialised = False

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _pg(self, *args: str, timeout_s: float = 120) -> str:
        result = subprocess.run(
            [*self.run_as, *args],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            cwd=self.dir,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n"
                f"{result.stderr}\n{self.log()}"
            )
        return result.stdout

    def start(self) -> PrivatePostgres:
        if not self.initialised:
            self._pg(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
            )
            self.initialised = True
        self._pg(*self._ctl("start"))
        return self

    def _ctl(self, command: str) -> list[str]:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off"
        )
        return [
            str(self.bin / "pg_ctl"),
            command,
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-t",
            "90",
            *(["-m", "fast"] if command in ("stop", "restart") else []),
            # The server's output goes to its log, never to our pipe (which it would hold open).
            *(["-l", str(self.dir / "postgres.log")] if command != "stop" else []),
        ]

    def restart(self) -> None:
        """Stop (closing every client connection) and start again on the same port."""
        self._pg(*self._ctl("restart"))

    def stop(self) -> None:
        if self.initialised and (self.data / "postmaster.pid").exists():
            self._pg(*self._ctl("stop"))

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return (self.dir / "postgres.log").read_text(errors="replace")[-3000:]
        return ""

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()
        pid_file = self.data / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


def manage(*args: str, env: dict[str, str], timeout_s: float = 300) -> str:
    """``python manage.py …`` in a subprocess with ``env`` on top of ours; its stdout."""
    return _python("manage.py", *args, env=env, timeout_s=timeout_s)


def django_script(script: str, *, env: dict[str, str], timeout_s: float = 120) -> str:
    """Run ``script`` with Django set up, in a subprocess with ``env`` on top of ours."""
    prelude = "import django; django.setup()\n"
    return _python("-c", prelude + script, env=env, timeout_s=timeout_s)


def _python(*args: str, env: dict[str, str], timeout_s: float) -> str:
    environment = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    environment.pop("DRINKTABLES_REQUIRE_SERVICES", None)
    result = subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)[:200]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class AppServer:
    """The app under gunicorn (one sync worker, so one persistent database connection)."""

    def __init__(self, *, env: dict[str, str], log_path: Path):
        self.env = env
        self.port = free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        environment = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        environment.pop("DRINKTABLES_REQUIRE_SERVICES", None)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "120",
            ],
            cwd=BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

        def up() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/login/", timeout=5) as response:
                    return response.status == 200
            except (urllib.error.URLError, OSError):
                return False

        wait_for(up, timeout_s=90, interval_s=0.5, message=lambda: self.log())
        return self

    def log(self) -> str:
        with contextlib.suppress(FileNotFoundError):
            return self.log_path.read_text(errors="replace")[-6000:]
        return ""

    def close(self) -> None:
        if self.process is None:
            return
        _terminate(self.process)
        _kill_group(self.process)  # whatever it left in its group
        self.process = None


def elapsed(since: float) -> float:
    return round(time.monotonic() - since, 2)
