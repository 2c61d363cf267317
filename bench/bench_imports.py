"""Benchmark: import 50,000 registrations from CSV, then the same file again, then with changes,
then 10,000 of the same people as a pretix export.

    .venv/bin/python bench/bench_imports.py [--rows 50000]

Each import is a preview and a confirm, as an organizer does them, of a semicolon file with a
BOM as Excel saves it; the last one is pretix's "Order positions" export (48 columns, read
through the column mapping guessed from its header). It runs on SQLite (a temporary file) and, when DATABASE_URL is
PostgreSQL, on a throwaway ``test_<name>`` database next to DATABASE_URL's; each database in a
process of its own, created and dropped there. The figures are printed and written to
bench/results/imports.md; nothing is asserted.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from services import results_write, service_label

ROOT = Path(__file__).resolve().parent.parent
TOPICS = ["Open source", "Online learning", "Assessment", "STEM", "Makerspaces", "AI in education"]
CHANGED_EVERY = 10
PRETIX_SHARE = 5
STEPS = ("first import", "the same file again", "changed", "pretix")
RESULT_PREFIX = "RESULT "


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


PRETIX_HEADER = (
    "Event slug;Order code;Position ID;Status;Email;Phone number;Order date;Order time;Product;"
    "Variation;Price;Tax rate;Tax rule;Tax value;Attendee name;Attendee name: Given name;"
    "Attendee name: Family name;Attendee email;Company;Address;ZIP code;City;Country;State;"
    "Voucher;Pseudonymization ID;Seat ID;Seat name;Seat zone;Seat row;Seat number;"
    "Order comment;Follow-up date;Which topics interest you?;Company;Invoice address name;"
    "Invoice address name: Given name;Invoice address name: Family name;Address;ZIP code;City;"
    "Country;State;VAT ID;Sales channel;Order locale;E-mail address verified;Payment providers"
)


def pretix_file(rows: int, *, changed_every: int = 0) -> bytes:
    """The people of ``registration_file`` as pretix's "Order positions" export with
    semicolons (the columns of tests/attendees/samples/pretix_order_positions.csv)."""
    lines = [PRETIX_HEADER]
    for i in range(rows):
        moved = changed_every and i % changed_every == 0
        organization = f"{'New ' if moved else ''}School {i % 700}"
        product = "Speaker ticket" if i % 40 == 0 else "Regular ticket"
        email = f"Person.{i}@Example.org"
        values = [
            *("bench-2026", f"O{i:06d}", "1", "Paid", email, "", "2026-03-02", "10:14:07"),
            *(product, "", "250.00", "19.00", "VAT", "39.92", f"Person Number {i}", "Person"),
            *(f"Number {i}", email, organization, "", "", "", "US", "", "", f"P{i:07d}"),
            *([""] * 7),
            *("Open source", organization, f"Person Number {i}", "Person"),
            *(f"Number {i}", "1 Main St", "12345", "Springfield", "US", "", "", "web", "en"),
            *("Yes", "Stripe"),
        ]
        lines.append(";".join(values))
    return ("\r\n".join(lines) + "\r\n").encode()


class QueryCounter:
    """Counts statements without Django's debug cursor, whose SQL formatting costs seconds."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(rows: int) -> dict:
    """In this process, on DATABASE_URL's kind of database: the three imports, timed."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from attendees.imports import import_batch_confirm, import_batch_create, import_batch_preview
    from conferences.models import Conference, Series, Topic

    def timed(label: str, action):
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started, cpu = time.perf_counter(), time.process_time()
            result = action()
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"  {label:<36} {wall:6.2f} s wall {cpu:6.2f} s CPU {counter.count:5d} queries")
        return result, {"wall": wall, "cpu": cpu, "queries": counter.count}

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
        print(f"{rows} registrations on {connection.vendor}", flush=True)

        def import_file(label: str, data: bytes) -> dict:
            batch = import_batch_create(
                by=None,
                conference_id=conference.pk,
                kind="registrations",
                filename="b.csv",
                content=data,
            )
            preview, preview_t = timed(
                f"{label}: preview", lambda: import_batch_preview(by=None, batch_id=batch.pk)
            )
            assert not preview.issues, preview.issues[:3]
            done, confirm_t = timed(
                f"{label}: confirm (validate + write)",
                lambda: import_batch_confirm(
                    by=None,
                    batch_id=batch.pk,
                    expected=preview.counts(),
                    mapping_token=preview.mapping_token,
                ),
            )
            return {
                "wall": preview_t["wall"] + confirm_t["wall"],
                "cpu": preview_t["cpu"] + confirm_t["cpu"],
                "queries": preview_t["queries"] + confirm_t["queries"],
                "counts": done.counts(),
            }

        content = registration_file(rows)
        changed = registration_file(rows, changed_every=CHANGED_EVERY)
        return {
            "vendor": connection.vendor,
            "version": _server_version(connection),
            "megabytes": len(content) / 1e6,
            "pretix_megabytes": len(pretix_file(rows // PRETIX_SHARE)) / 1e6,
            "steps": {
                STEPS[0]: import_file(STEPS[0], content),
                STEPS[1]: import_file(STEPS[1], content),
                STEPS[2]: import_file(STEPS[2], changed),
                # A fifth of the people: 50,000 lines of 48 columns are over the upload limit.
                STEPS[3]: import_file(
                    STEPS[3], pretix_file(rows // PRETIX_SHARE, changed_every=CHANGED_EVERY)
                ),
            },
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        scratch.cleanup()


def _server_version(connection) -> str:
    if connection.vendor == "postgresql":
        major, minor = divmod(connection.pg_version, 10000)
        return f"PostgreSQL {major}.{minor}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def run_child(rows: int, database_url: str | None) -> dict:
    """``measure`` in a fresh process with DATABASE_URL set (PostgreSQL) or unset (SQLite)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    child = subprocess.run(
        [sys.executable, __file__, "--child", "--rows", str(rows)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        timeout=1800,
    )
    result = None
    for line in child.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            result = json.loads(line[len(RESULT_PREFIX) :])
        else:
            print(line, flush=True)
    if child.returncode != 0 or result is None:
        raise SystemExit(f"bench_imports: the {database_url or 'SQLite'} run failed")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument(
        "--no-save", action="store_true", help="print only; do not write bench/results/"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(RESULT_PREFIX + json.dumps(measure(args.rows)), flush=True)
        return 0

    postgres = os.environ.get("DATABASE_URL", "")
    if not postgres.startswith(("postgres://", "postgresql://")):
        postgres = ""
    runs = [run_child(args.rows, None)]
    if postgres:
        runs.append(run_child(args.rows, postgres))

    changed_rows = -(-args.rows // CHANGED_EVERY)
    labels = {
        STEPS[0]: "first import: preview + confirm",
        STEPS[1]: "the same file again (all unchanged)",
        STEPS[2]: f"{changed_rows:,} of the people changed",
        STEPS[3]: f"{args.rows // PRETIX_SHARE:,} of them as a pretix export (48 columns, "
        f"{runs[0]['pretix_megabytes']:.1f} MB, mapped; all unchanged)",
    }
    lines = [
        f"Preview, then confirm, of a {args.rows:,}-row registration file "
        f"({runs[0]['megabytes']:.1f} MB, semicolons and a BOM as Excel saves it) in a throwaway "
        "database; wall time, with the CPU time of the importing process and the statements it "
        "sent in brackets (on PostgreSQL the server's own CPU is not in it).",
        "",
        "| "
        + " | ".join([f"{args.rows:,} registrations", *(run["version"] for run in runs)])
        + " |",
        "| --- |" + " --- |" * len(runs),
    ]
    for step in STEPS:
        cells = [
            f"{run['steps'][step]['wall']:.1f} s ({run['steps'][step]['cpu']:.1f} s CPU, "
            f"{run['steps'][step]['queries']} statements)"
            for run in runs
        ]
        lines.append(f"| {labels[step]} | " + " | ".join(cells) + " |")
    lines.append("")
    for run in runs:
        counts = [run["steps"][step]["counts"] for step in STEPS]
        lines.append(
            f"- {run['version']}: "
            + "; ".join(
                f"{step}: created {c['created']}, updated {c['updated']}, unchanged "
                f"{c['unchanged']}"
                for step, c in zip(STEPS, counts, strict=True)
            )
        )
    print("\n".join(lines))
    if not args.no_save:
        services = "SQLite (a temporary file)" + (
            f" and PostgreSQL next to {service_label(postgres)}" if postgres else ""
        )
        results_write("imports", title="Registration imports", lines=lines, services=services)
    return 0


if __name__ == "__main__":
    sys.exit(main())
