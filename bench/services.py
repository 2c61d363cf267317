"""The services the benchmarks use: where they are, and the database made ready.

    .venv/bin/python bench/services.py    # create the benchmark database if it is missing

``make bench`` runs this first and gives every script the same PostgreSQL database and Redis
(BENCH_DATABASE_URL, BENCH_BROKER_URL; the defaults below are the local services).
"""

import os

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


if __name__ == "__main__":
    ensure_database(service_urls()[0])
