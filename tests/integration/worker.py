"""A real ``celery -A config worker`` in a subprocess, for integration tests and benchmarks.

The worker runs the project's settings with the environment given (at least DATABASE_URL
pointing at the database the test or benchmark uses, and CELERY_BROKER_URL). Its output goes
to a log file that failing tests print. The worker and its pool children run in their own
process group, so ``stop`` and ``kill`` never reach anything else.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.db import connections

T = TypeVar("T")

BASE_DIR = Path(settings.BASE_DIR)


def database_url(alias: str = "default") -> str:
    """A DATABASE_URL for the database Django is using now (e.g. pytest-django's test one)."""
    params = connections[alias].settings_dict
    user = params.get("USER") or ""
    password = params.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{params['NAME']}"


class CeleryWorker:
    """Start, inspect, kill and stop one worker process (prefork pool)."""

    def __init__(
        self,
        *,
        env: dict[str, str],
        log_path: Path,
        concurrency: int = 2,
        queues: list[str] | None = None,
        ready_timeout_s: float = 60.0,
    ):
        self.env = env
        self.queues = queues
        self.log_path = log_path
        self.concurrency = concurrency
        self.ready_timeout_s = ready_timeout_s
        self.name = f"drinktables-test-{uuid.uuid4().hex[:8]}@%h"
        self.process: subprocess.Popen | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> CeleryWorker:
        from config import celery_app

        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        environment = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        environment.pop("DRINKTABLES_REQUIRE_SERVICES", None)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "--without-gossip",
                "--without-mingle",
                "-n",
                self.name,
                *(["-Q", ",".join(self.queues)] if self.queues else []),
            ],
            cwd=BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill it without touching ours
        )
        log.close()
        hostname = self.name.replace("%h", os.uname().nodename)
        deadline = time.monotonic() + self.ready_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The Celery worker exited at start:\n{self.log_tail()}")
            replies = celery_app.control.ping(destination=[hostname], timeout=0.5)
            if replies and len(self.children()) >= self.concurrency:
                return self
        self.stop()
        raise RuntimeError(f"The Celery worker did not become ready:\n{self.log_tail()}")

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout_s: float = 15.0) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL for the whole group if it takes too long."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait(timeout=10)
        self._signal_group(signal.SIGKILL)  # pool children left behind, if any
        self.process = None

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once (a crashed machine)."""
        self._signal_group(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)
            self.process = None

    def kill_children(self) -> list[int]:
        """SIGKILL the pool processes (an out-of-memory kill): the worker itself survives."""
        killed = []
        for pid in self.children():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
            killed.append(pid)
        return killed

    def _signal_group(self, sig: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    # -- inspection ---------------------------------------------------------------------------

    def children(self) -> list[int]:
        if not self.alive:
            return []
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            return []

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log().splitlines()[-lines:])


def wait_for(
    condition: Callable[[], T],
    *,
    timeout_s: float,
    interval_s: float = 0.2,
    message: str | Callable[[], str] = "",
) -> T:
    """Poll ``condition`` until it returns something truthy; fail with ``message`` after."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"Timed out after {timeout_s} s. {text}")
        time.sleep(interval_s)
