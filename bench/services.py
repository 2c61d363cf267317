"""The services the benchmarks use: where they are, and the database made ready.

    .venv/bin/python bench/services.py    # create the benchmark database if it is missing

``make bench`` runs this first and gives every script the same PostgreSQL database and Redis
(BENCH_DATABASE_URL, BENCH_BROKER_URL; the defaults below are the local services).
"""

import os
import socket

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


if __name__ == "__main__":
    ensure_database(service_urls()[0])
