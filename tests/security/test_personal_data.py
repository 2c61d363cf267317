"""No e-mail address, name or bio reaches a log record or a Celery task's arguments.

The main flows run over HTTP (sign-in link, profile, RSVP, block, the organizer's run, publish
with its notices, held, import, account deletion) with a handler on the root logger at DEBUG
and Celery's own signals recording every task: ``before_task_publish`` for a task sent to a
broker and ``task_prerun`` for one run in-process (eager), which never publishes.
"""

import datetime as dt
import logging
import re

import pytest
from celery import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from attendees.models import Block, Person
from conferences.enums import ImportStatus, RoundStatus
from conferences.models import ImportBatch, MeetupRound
from tests.factories import OrganizerFactory
from tests.matching.scenario import build_round

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# The test's own factories log what they build; they are not part of the system.
TEST_MACHINERY = ("factory", "faker")
LINK = re.compile(r"https?://\S+/login/link/(?P<token>[\w-]+)/")


class Records(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record):
        if record.name.startswith(TEST_MACHINERY):
            return
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.texts.append(f"{record.name}: {text}")


@pytest.fixture
def log_records():
    root = logging.getLogger()
    handler, level = Records(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler.texts
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def task_calls():
    calls: list[tuple[str, object]] = []

    def published(sender=None, body=None, headers=None, **_):
        args, kwargs, _embed = body
        calls.append((str(sender), (args, kwargs)))

    def ran(sender=None, args=None, kwargs=None, **_):
        calls.append((sender.name, (list(args or ()), dict(kwargs or {}))))

    signals.before_task_publish.connect(published, weak=False)
    signals.task_prerun.connect(ran, weak=False)
    yield calls
    signals.before_task_publish.disconnect(published)
    signals.task_prerun.disconnect(ran)


def primitives(value) -> list:
    if isinstance(value, dict):
        return [item for v in value.values() for item in primitives(v)] + list(value)
    if isinstance(value, list | tuple):
        return [item for v in value for item in primitives(v)]
    return [value]


def test_main_flows_log_and_enqueue_no_personal_data(
    client, mailoutbox, django_capture_on_commit_callbacks, log_records, task_calls, settings
):
    settings.MATCHING_DEFAULT_TIME_LIMIT_S = 0.5
    organizer = OrganizerFactory(username="olivia")
    scenario = build_round(organizer=organizer, returning=6, newcomers=2, tables=2, capacity=5)
    ann, bob = scenario.returning[0], scenario.returning[1]
    Person.objects.filter(pk=ann.pk).update(bio="Ann brews cider in Normandy.")
    run_with = django_capture_on_commit_callbacks

    # An attendee signs in by e-mail link, edits her profile, answers, blocks someone.
    with run_with(execute=True):
        client.post(reverse("dashboard:login"), {"email": ann.email}, REMOTE_ADDR="203.0.113.9")
    token = LINK.search(mailoutbox[-1].body)["token"]
    assert client.post(reverse("dashboard:login_link", args=[token])).status_code == 302
    profile = client.post(
        reverse("dashboard:profile"),
        {"full_name": "Ann Renamed", "bio": "Ann brews perry now.", "organization": "Cidre SA"},
    )
    assert profile.status_code == 302
    with run_with(execute=True):
        client.post(reverse("dashboard:rsvp", args=[scenario.round.pk]), {"status": "going"})
        client.post(reverse("dashboard:blocks"), {"person": bob.pk})
    assert Block.objects.filter(blocker=ann, blocked=bob).exists()
    client.post(reverse("dashboard:login"), {"email": "nobody@example.org"})

    # The organizer runs the matching, publishes (notices go out), marks it held, imports.
    organizer_client = client_class()
    organizer_client.force_login(organizer)
    plan = reverse("organize:round_plan", args=[scenario.round.pk])
    with run_with(execute=True):
        organizer_client.post(
            reverse("organize:round_run", args=[scenario.round.pk]),
            {"seed": 3, "time_limit_s": 1, "portfolio": 1},
        )
    assert organizer_client.get(plan).status_code == 200
    with run_with(execute=True):
        organizer_client.post(reverse("organize:round_publish", args=[scenario.round.pk]))
    scenario.round.refresh_from_db()
    assert scenario.round.status == RoundStatus.PUBLISHED
    now = timezone.now()  # the evening comes
    MeetupRound.objects.filter(pk=scenario.round.pk).update(
        starts_at=now - dt.timedelta(hours=1), ends_at=now
    )
    with run_with(execute=True):
        organizer_client.post(reverse("organize:round_held", args=[scenario.round.pk]))
    upload = SimpleUploadedFile(
        "people.csv", b"email,full_name\nnew.person@example.org,Nora Newperson\n"
    )
    with run_with(execute=True):
        organizer_client.post(
            reverse("organize:import_registrations", args=[scenario.conference.slug]),
            {"file": upload},
        )
        batch = ImportBatch.objects.latest("pk")
        organizer_client.post(
            reverse("organize:import_confirm", args=[scenario.conference.slug, batch.pk]),
            {"created": 1, "updated": 0, "unchanged": 0},
        )

    # The attendee leaves.
    with run_with(execute=True):
        client.post(reverse("dashboard:delete"), {"confirm": "DELETE"})

    scenario.round.refresh_from_db()
    assert scenario.round.status == RoundStatus.HELD
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.APPLIED
    assert Person.objects.get(pk=ann.pk).deleted_at is not None
    assert len(mailoutbox) > 2  # the link and the notices went out
    assert any("sign-in link" in text for text in log_records)  # the handler does hear
    people = list(Person.objects.all())
    personal = {p.email for p in people if p.email} | {p.full_name for p in people}
    personal |= {"Ann brews cider in Normandy.", "Ann brews perry now.", "Ann Renamed"}
    personal |= {"Nora Newperson", "new.person@example.org", ann.email, ann.full_name}
    personal |= {"Cidre SA"}
    personal.discard("")  # a deleted account keeps no name

    leaks = [text for text in log_records if EMAIL.search(text) or any(p in text for p in personal)]
    assert leaks == []

    task_names = {name for name, _ in task_calls}
    assert {"attendees.send_login_link", "matching.run_matching"} <= task_names, task_names
    for name, arguments in task_calls:
        for value in primitives(arguments):
            assert value is None or isinstance(value, bool | int | float | str), (name, value)
            if isinstance(value, str):
                assert not EMAIL.search(value), (name, value)
                assert not any(p in value for p in personal), (name, value)
                assert len(value) <= 200, (name, value)


def client_class():
    from django.test import Client

    return Client()
