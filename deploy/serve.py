"""`make serve`: the production processes on this machine, under supervisor.

    DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://… DJANGO_SECRET_KEY=… make serve

Checks the environment (a missing variable is named, with what to set it to), applies the
migrations, collects the static files, runs Django's deployment checks, and then becomes
``supervisord -n -c deploy/supervisord.conf``, which runs gunicorn, a Celery worker and Celery
beat and starts again any of them that exits. Ctrl-C (or SIGTERM) stops them all: web first,
then beat, then the worker once its task is done. docs/operations.md has the details.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "supervisord.conf"

REQUIRED = {
    "DATABASE_URL": "the PostgreSQL database, e.g. postgres://drinktables@127.0.0.1:5432/drinktables",
    "CELERY_BROKER_URL": "the Redis task queue, e.g. redis://127.0.0.1:6379/0",
    "DJANGO_SECRET_KEY": (
        "a random string of at least 50 characters, e.g. from "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    ),
}


class SetupError(Exception):
    """What keeps the recipe from starting, in words that say what to do."""


def missing_settings(environ: dict[str, str]) -> list[str]:
    """The required variables that are unset or empty (REDIS_URL stands in for the broker)."""
    missing = []
    for name in REQUIRED:
        value = environ.get(name, "").strip()
        if not value and name == "CELERY_BROKER_URL":
            value = environ.get("REDIS_URL", "").strip()
        if not value:
            missing.append(name)
    return missing


def check_environment(environ: dict[str, str]) -> None:
    missing = missing_settings(environ)
    if missing:
        lines = [f"  {name}: {REQUIRED[name]}" for name in missing]
        raise SetupError(
            "the production settings need these environment variables:\n"
            + "\n".join(lines)
            + "\nSet them (docs/operations.md lists every setting) and run make serve again."
        )
    database = environ["DATABASE_URL"].strip()
    if not database.startswith(("postgres://", "postgresql://", "pgsql://")):
        raise SetupError(
            f"DATABASE_URL must be a PostgreSQL database (postgres://…), not {database.split(':')[0]}:"
            " several processes write to it at once. make run serves the SQLite default."
        )


def process_environment(args: argparse.Namespace, environ: dict[str, str]) -> dict[str, str]:
    """The environment supervisord and its programs get: ours plus what the config expands."""
    var = Path(environ.get("DRINKTABLES_VAR") or ROOT / "var").resolve()
    return {
        **environ,
        "DJANGO_SETTINGS_MODULE": environ.get("DJANGO_SETTINGS_MODULE") or "config.production",
        "PYTHONUNBUFFERED": "1",
        "DRINKTABLES_PYTHON": sys.executable,
        "DRINKTABLES_VAR": str(var),
        "DRINKTABLES_BIND": args.bind,
        "DRINKTABLES_WEB_WORKERS": str(args.web_workers),
        "DRINKTABLES_WORKER_CONCURRENCY": str(args.worker_concurrency),
    }


def prepare(environ: dict[str, str]) -> None:
    """Migrations, static files and the deployment checks, with the production settings."""
    os.environ.update(environ)
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:
        raise SetupError(str(error)) from None
    from django.core.management import call_command
    from django.db import OperationalError, connections

    try:
        connections["default"].ensure_connection()
    except OperationalError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise SetupError(
            f"the database at {_without_password(environ['DATABASE_URL'])} cannot be reached "
            f"({reason}). Check DATABASE_URL and that PostgreSQL is running."
        ) from None
    _warn_if_queue_unreachable(environ)
    print("make serve: applying migrations", flush=True)
    call_command("migrate", interactive=False, verbosity=1)
    print("make serve: collecting static files", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("check", deploy=True, fail_level="ERROR")
    connections.close_all()


def _without_password(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


def _warn_if_queue_unreachable(environ: dict[str, str]) -> None:
    """Start anyway (runs wait in the database until the queue answers), but say so."""
    from django.conf import settings
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1)
    except Exception as error:  # kombu raises the transport's own errors
        print(
            f"make serve: warning: the task queue at "
            f"{_without_password(settings.CELERY_BROKER_URL)} does not answer ({error}). "
            "Starting anyway: the worker keeps trying, and runs wait, saved, until it answers. "
            "Check CELERY_BROKER_URL if it should be up.",
            file=sys.stderr,
            flush=True,
        )


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--bind",
        default=os.environ.get("DRINKTABLES_BIND") or "127.0.0.1:8000",
        help="where gunicorn listens (127.0.0.1:8000; put a TLS proxy in front of it)",
    )
    parser.add_argument(
        "--web-workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY") or 2),
        help="gunicorn worker processes (WEB_CONCURRENCY, 2)",
    )
    parser.add_argument(
        "--worker-concurrency",
        type=int,
        default=int(os.environ.get("WORKER_CONCURRENCY") or os.cpu_count() or 1),
        help="Celery pool processes, one task each (WORKER_CONCURRENCY, the number of CPUs)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        check_environment(dict(os.environ))
        environ = process_environment(args, dict(os.environ))
        Path(environ["DRINKTABLES_VAR"], "log").mkdir(parents=True, exist_ok=True)
        sys.path.insert(0, str(ROOT))
        os.chdir(ROOT)
        prepare(environ)
    except SetupError as error:
        print(f"make serve: {error}", file=sys.stderr)
        return 2
    print(
        f"make serve: web on http://{args.bind}/ (behind your TLS proxy), a Celery worker with "
        f"{args.worker_concurrency} pool processes and Celery beat; logs in "
        f"{environ['DRINKTABLES_VAR']}/log/. Ctrl-C stops them all.",
        flush=True,
    )
    command = [sys.executable, "-m", "supervisor.supervisord", "-n", "-c", str(CONFIG)]
    os.execve(sys.executable, command, environ)
    return 0  # not reached: supervisord has taken over this process


if __name__ == "__main__":
    sys.exit(main())
