"""Benchmark: import 50,000 registrations from CSV, then the same file again.

    .venv/bin/python bench/bench_imports.py [--rows 50000]

Runs in a throwaway database (a temporary SQLite file, or ``test_<name>`` next to the
PostgreSQL database of DATABASE_URL), created and dropped here. Prints the time of each step
and the queries it took; nothing is asserted.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

TOPICS = ["Open source", "Online learning", "Assessment", "STEM", "Makerspaces", "AI in education"]


def registration_file(rows: int, *, changed_every: int = 0) -> bytes:
    """A semicolon file with a BOM, as Excel saves it; every ``changed_every``-th row moves job."""
    lines = ["email;full_name;organization;role;topics;newcomer"]
    for i in range(rows):
        moved = changed_every and i % changed_every == 0
        organization = f"{'New ' if moved else ''}School {i % 700}"
        topics = "|".join(TOPICS[(i + k) % len(TOPICS)] for k in range(i % 3))
        role = "speaker" if i % 40 == 0 else ""
        lines.append(f"Person.{i}@Example.org;Person Number {i};{organization};{role};{topics};")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


class QueryCounter:
    """Counts statements without Django's debug cursor, whose SQL formatting costs seconds."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(label: str, action):
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started, cpu = time.perf_counter(), time.process_time()
        result = action()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"  {label:<36} {elapsed:6.2f} s wall {cpu:6.2f} s CPU {counter.count:5d} queries")
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()

    from attendees.imports import import_batch_confirm, import_batch_create, import_batch_preview
    from conferences.models import Conference, Series, Topic

    database = settings.DATABASES["default"]
    scratch = tempfile.TemporaryDirectory()
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(Path(scratch.name) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        series = Series.objects.create(name="Bench", slug="bench")
        conference = Conference.objects.create(
            series=series,
            name="Bench 2026",
            slug="bench-2026",
            starts_on="2026-06-28",
            ends_on="2026-07-01",
        )
        Topic.objects.bulk_create(
            Topic(name=name, slug=name.lower().replace(" ", "-")) for name in TOPICS
        )
        content = registration_file(args.rows)
        print(
            f"{args.rows} registrations, {len(content) / 1e6:.1f} MB, "
            f"{connection.vendor} ({connection.settings_dict['NAME']})"
        )

        def upload(data: bytes):
            return import_batch_create(
                conference=conference, kind="registrations", filename="b.csv", content=data, by=None
            )

        def import_file(label: str, data: bytes) -> float:
            batch = upload(data)
            preview, preview_s = timed(
                f"{label}: preview", lambda: import_batch_preview(batch=batch, by=None)
            )
            assert not preview.issues, preview.issues[:3]
            done, confirm_s = timed(
                f"{label}: confirm (validate + write)",
                lambda: import_batch_confirm(batch=batch, by=None, expected=preview.counts()),
            )
            counts = done.counts()
            print(
                f"  {'':<36} created {counts['created']}, updated {counts['updated']}, "
                f"unchanged {counts['unchanged']}; preview + confirm {preview_s + confirm_s:.2f} s wall"
            )
            return preview_s + confirm_s

        first = import_file("first import", content)
        again = import_file("same file again", content)
        changed = import_file("10% moved school", registration_file(args.rows, changed_every=10))
        print(
            f"preview + confirm of {args.rows} rows (wall): first import {first:.1f} s, "
            f"the same file again {again:.1f} s, with 10% updates {changed:.1f} s"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        scratch.cleanup()


if __name__ == "__main__":
    main()
