"""Table notices sent by a real Celery worker (no request, no browser) are written in each
recipient's language, with the date in that language's words."""

import datetime as dt
from zoneinfo import ZoneInfo

from matching.enums import RunStatus
from matching.models import Seat
from matching.services import lifecycle, runs
from tests.factories import OrganizerFactory
from tests.matching.scenario import build_round

from .test_runs_live import finished
from .worker import wait_for

EVENING = dt.datetime(2030, 5, 2, 19, 0, tzinfo=ZoneInfo("Europe/Paris"))
SUBJECT = {
    "es": "Tu mesa en {name}: {table}",
    "de": "Ihr Tisch bei {name}: {table}",
    "fr": "Votre table à {name} : {table}",
    "": "Your table at {name}: {table}",
}
WHEN = {
    "es": "jueves 2 de mayo, 19:00–21:00 CEST (Europe/Paris)",
    "de": "Donnerstag, 2. Mai, 19:00–21:00 CEST (Europe/Paris)",
    "fr": "jeudi 2 mai, 19:00–21:00 CEST (Europe/Paris)",
    "": "Thursday 2 May, 19:00–21:00 CEST (Europe/Paris)",
}


def test_the_worker_writes_each_notice_in_its_recipients_language(celery_worker, smtp_sink):
    organizer = OrganizerFactory(username="olivia")
    scenario = build_round(organizer=organizer, label="lang", starts_at=EVENING)
    run = runs.run_request(round_id=scenario.round.pk, by=organizer, time_limit_s=2, seed=5).run
    run = finished(run, celery_worker)
    assert run.status == RunStatus.SUCCEEDED, run.error
    seats = list(Seat.objects.filter(run=run).select_related("person", "table")[:4])
    readers = dict(zip(SUBJECT, seats, strict=True))
    for language, seat in readers.items():
        seat.person.language = language
        seat.person.save(update_fields=["language"])

    lifecycle.round_publish(round_id=scenario.round.pk, by=organizer)
    wait_for(
        lambda: len(smtp_sink.messages) >= len(scenario.going),
        timeout_s=30,
        message=lambda: celery_worker.log_tail(),
    )

    received = {recipients[0]: message for recipients, message in smtp_sink.messages}
    for language, seat in readers.items():
        message = received[seat.person.email]
        expected = SUBJECT[language].format(name=scenario.round.name, table=seat.table.label)
        assert message["Subject"] == expected
        assert WHEN[language] in message.get_body(("plain",)).get_content()
