"""What the benchmarks share: the services they use, and how they write their figures.

    .venv/bin/python bench/services.py    # create the benchmark database if it is missing

``make bench`` runs this first and gives every script the same PostgreSQL database and Redis
(BENCH_DATABASE_URL, BENCH_BROKER_URL; the defaults below are the local services). Every
script writes its figures with ``results_write`` to bench/results/<name>.md, headed by the
date, the exact command, the commit, the services and how busy the machine was.
"""

import datetime as dt
import os
import platform
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# Taken when a benchmark imports this module, i.e. as it starts.
LOAD_AT_START = os.getloadavg()

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/drinktables_bench"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/7"


def service_urls() -> tuple[str, str]:
    database = os.environ.get("BENCH_DATABASE_URL") or ""
    if not database:
        current = os.environ.get("DATABASE_URL", "")
        database = current if current.startswith(("postgres://", "postgresql://")) else ""
    broker = os.environ.get("BENCH_BROKER_URL") or os.environ.get("CELERY_BROKER_URL") or ""
    return database or DEFAULT_DATABASE_URL, broker or DEFAULT_BROKER_URL


def ensure_database(url: str) -> None:
    """Create the benchmark's database when it does not exist yet (it never drops one)."""
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    params = dj_database_url.parse(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["NAME"])))
                print(f"created database {params['NAME']}")
    finally:
        connection.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seated_sessions(*, run_id: int, count: int, username_prefix: str) -> list[tuple]:
    """``count`` people seated by the run, spread over its tables, each signed in.

    Returns (person, session key) pairs; a person without a user gets one named
    ``<username_prefix>-<person id>``. Needs Django set up.
    """
    from django.contrib.auth import get_user_model
    from django.test import Client

    from matching.models import Seat

    seated = list(
        Seat.objects.filter(run_id=run_id)
        .select_related("person")
        .order_by("table__label", "person_id")
    )
    if len(seated) < count:
        raise SystemExit(f"only {len(seated)} people are seated; ask for fewer clients")
    User = get_user_model()
    step = max(1, len(seated) // count)  # spread the clients over the tables
    signed_in = []
    for seat in seated[::step][:count]:
        person = seat.person
        if person.user_id is None:
            person.user, _ = User.objects.get_or_create(
                username=f"{username_prefix}-{person.pk}", defaults={"email": person.email}
            )
            person.save(update_fields=["user"])
        client = Client()
        client.force_login(person.user)
        signed_in.append((person, client.cookies["sessionid"].value))
    return signed_in


def service_label(url: str) -> str:
    """A service URL without its user and password."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


def _commit() -> str:
    """The commit measured, and whether the code differed from it (results files aside)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", ".", ":!bench/results"],
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{commit or 'unknown'}{' with uncommitted changes' if changed else ''}"


def _load(values) -> str:
    return ", ".join(f"{value:.1f}" for value in values)


def results_write(name: str, *, title: str, lines: Sequence[str], services: str = "") -> Path:
    """Write bench/results/``name``.md: ``title``, a header saying when and how the figures were
    measured (date, the exact command, commit, ``services``, CPUs, load average at the start
    and at the end), then ``lines`` (Markdown). Returns the path."""
    command = shlex.join(["python", f"bench/{Path(sys.argv[0]).name}", *sys.argv[1:]])
    stamp = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    header = [
        f"# {title}",
        "",
        f"{stamp}, `{command}` at commit {_commit()}"
        + (f", with {services}" if services else "")
        + ".",
        f"Machine: {os.cpu_count()} CPU cores, Python {platform.python_version()}; load average "
        f"{_load(LOAD_AT_START)} at the start and {_load(os.getloadavg())} at the end (1, 5, "
        "15 min).",
        "",
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.md"
    path.write_text("\n".join([*header, *lines]).rstrip() + "\n", encoding="utf-8")
    print(f"saved to {path.relative_to(ROOT)}")
    return path


if __name__ == "__main__":
    ensure_database(service_urls()[0])


def gunicorn_start(
    port: int,
    *,
    env: dict[str, str] | None = None,
    options: Sequence[str] = (),
    log_path: Path | None = None,
    wait_s: float = 30,
) -> subprocess.Popen:
    """gunicorn serving the project on 127.0.0.1:``port`` (DEBUG off, warnings only), in its own
    process group; returns once it accepts connections. ``options`` are gunicorn's (workers,
    worker class, ...); without ``env`` it inherits this process's settings."""
    env = env or {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        *options,
    ]
    output = None
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        output = log_path.open("ab")
    try:
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,  # its own process group: stopping it reaches only it
        )
    finally:
        if output is not None:
            output.close()
    where = f"; see {log_path}" if log_path else ""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn did not start{where}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer within {wait_s:.0f} s{where}")
