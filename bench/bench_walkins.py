"""Benchmark: walk-ins at the door of a published 2,000-person round, through the API.

    .venv/bin/python bench/bench_walkins.py [--people 2000] [--walk-ins 60]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/bench_walkins.py \
        [--broker redis://127.0.0.1:6379/<n>]

The round is tests.matching.scenario.build_realistic_round (communities of friends, history,
blocks, hosts, an earlier published round), published with the people going dealt over the
tables (tests.matching.scenario.publish_simple_plan). Then ``--walk-ins`` requests
``POST /api/v1/rounds/{id}/walk-ins/`` one after another, in-process with DRF's test client
as the round's organizer: every other one a person registered for the conference who never
answered the RSVP (``{"person": id}``), the others new people by e-mail and name. Each is
registered, checked in, seated at the best table with room and e-mailed their table (e-mail to
memory; the notices task runs in-process, as without a broker), all inside the request.

Server time per request (from the request to the answer, no network) is printed as median,
p95 and max, with how many were seated (201) and refused (409), and written to
bench/results/walkins.md (with ``--broker``: the notices task is queued to Redis, as in
production where a worker sends the e-mails; bench/results/walkins-queued.md). SQLite runs in a temporary file; PostgreSQL in DATABASE_URL's
database, where the benchmark's own series is deleted at the end. Nothing is asserted.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from services import results_write, service_label

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
TARGET_MS = 300.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=2000, help="people going (2000)")
    parser.add_argument("--walk-ins", type=int, default=60, help="walk-ins to seat (60)")
    parser.add_argument(
        "--broker",
        default="",
        help="a Redis URL: the notices task is queued there (as in production, where a worker "
        "sends the e-mails) instead of running inside the request; the queue is purged after",
    )
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args()
    if args.broker:
        os.environ["CELERY_BROKER_URL"] = args.broker
    else:
        os.environ.pop("CELERY_BROKER_URL", None)  # notices run in-process, inside the request
    database = os.environ.get("DATABASE_URL", "")
    postgres = database.startswith(("postgres://", "postgresql://"))
    if not postgres:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "walkins.sqlite3")

    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    label = f"walk{uuid.uuid4().hex[:6]}"
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            times, seated, refused = _measure(label, args.people, args.walk_ins)
    finally:
        if postgres:
            _clean_up(label)
        if args.broker:
            from config.celery import app as celery_app

            celery_app.control.purge()

    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    where = f"PostgreSQL at {service_label(database)}" if postgres else "SQLite (a temporary file)"
    notices = (
        f"the notices task queued to Redis at {service_label(args.broker)} (no worker: the "
        "e-mails are a worker's job in production)"
        if args.broker
        else "the notices task run inside the request (no broker: e-mail to memory)"
    )
    lines = [
        f"A published round of {args.people:,} people going "
        "(`tests.matching.scenario.build_realistic_round`, dealt over its tables), "
        f"{len(ms)} walk-ins one after another through `POST /api/v1/rounds/{{id}}/walk-ins/` "
        "(every other one registered without an RSVP, the others new by e-mail), each "
        f"registered, checked in and seated at the best table with room; {notices}. Server "
        "time per request, in-process (no network):",
        "",
        "| walk-ins | seated (201) | refused (409) | median | p95 | max | target |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {len(ms)} | {seated} | {refused} | {statistics.median(ms):.0f} ms | {p95:.0f} ms "
        f"| {ms[-1]:.0f} ms | < {TARGET_MS:.0f} ms |",
    ]
    print("\n".join(lines))
    if not args.no_save:
        name = "walkins-queued" if args.broker else "walkins"
        results_write(name, title="Walk-ins at the door", lines=lines, services=where)
    return 0


def _measure(label: str, people: int, walk_ins: int):
    from django.utils import timezone
    from rest_framework.test import APIClient

    from attendees.models import Attendance, Person
    from matching.models import Seat, SeatNotification
    from tests.factories import OrganizerFactory
    from tests.matching.scenario import build_realistic_round, publish_simple_plan

    organizer = OrganizerFactory(username=f"{label}-organizer")
    started = time.perf_counter()
    scenario = build_realistic_round(people=people, label=label, organizer=organizer)
    run = publish_simple_plan(scenario.round, scenario.going, scenario.tables)
    # Publishing told everyone their table: only the walk-ins are owed an e-mail now.
    told_at = timezone.now()
    SeatNotification.objects.bulk_create(
        [
            SeatNotification(
                round=scenario.round, person_id=person, table_id=table, sent_at=told_at
            )
            for person, table in Seat.objects.filter(run=run).values_list("person_id", "table_id")
        ],
        batch_size=2000,
    )
    registered = Person.objects.bulk_create(
        [
            Person(full_name=f"Registered{n} {label}", email=f"reg{n}.{label}@example.org")
            for n in range(walk_ins // 2 + 1)
        ]
    )
    Attendance.objects.bulk_create(
        [Attendance(person=person, conference=scenario.conference) for person in registered]
    )
    from django.db import connection

    if connection.vendor == "postgresql":  # statistics, as autovacuum keeps them on a live site
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"round of {people} people published in {time.perf_counter() - started:.1f} s")
    client = APIClient()
    client.force_authenticate(organizer)
    url = f"/api/v1/rounds/{scenario.round.pk}/walk-ins/"
    client.post(url, {"email": f"warm.{label}@example.org", "full_name": "Warm Up"}, format="json")
    times, seated, refused = [], 0, 0
    for n in range(walk_ins):
        if n % 2 == 0:
            body = {"person": registered[n // 2].pk}
        else:
            body = {"email": f"walkin{n}.{label}@example.org", "full_name": f"Walk In {n}"}
        began = time.perf_counter()
        response = client.post(url, body, format="json")
        times.append(time.perf_counter() - began)
        if response.status_code == 201:
            seated += 1
        elif response.status_code == 409:
            refused += 1
        else:
            raise SystemExit(f"walk-in {n}: {response.status_code} {response.content[:300]!r}")
    return times, seated, refused


def _clean_up(label: str) -> None:
    from django.contrib.auth import get_user_model

    from attendees.models import Person
    from conferences.models import Conference, MeetupRound, Series

    MeetupRound.objects.filter(conference__series__slug=f"series-{label}").update(
        status="cancelled", published_run=None
    )
    Conference.objects.filter(series__slug=f"series-{label}").delete()
    Series.objects.filter(slug=f"series-{label}").delete()
    Person.objects.filter(email__endswith=f".{label}@example.org").delete()
    get_user_model().objects.filter(username=f"{label}-organizer").delete()


if __name__ == "__main__":
    sys.exit(main())
