"""After the evening, with a real worker: marking a round held e-mails each seated attendee
exactly one "who did you meet" prompt (issue 14.7), however often the task is delivered.

Real PostgreSQL, Redis and a Celery worker process; e-mail goes to the SMTP sink.
"""

import datetime as dt

from django.utils import timezone

from conferences.enums import RoundStatus
from matching import tasks
from matching.models import MetPrompt
from matching.services import lifecycle
from tests.attendees.helpers import seat_round
from tests.factories import (
    ConferenceFactory,
    DrinkTableFactory,
    MeetupRoundFactory,
    OrganizerFactory,
    PersonFactory,
)

from .worker import wait_for

LOG_LINE = "'who did you meet' e-mails sent"


def test_marking_held_sends_each_seated_person_exactly_one_prompt(
    celery_worker, smtp_sink, settings
):
    conference = ConferenceFactory(name="Live Summit", time_zone="America/Chicago")
    organizer = OrganizerFactory(username="held-organizer", conferences=[conference])
    starts = timezone.now() - dt.timedelta(hours=3)
    meetup_round = MeetupRoundFactory(
        conference=conference,
        name="Riverside drinks",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status=RoundStatus.OPEN,
    )
    people = [PersonFactory(full_name=f"Guest {n} Live") for n in range(7)]
    tables = [DrinkTableFactory(conference=conference, label=f"L{n}") for n in (1, 2)]
    seat_round(meetup_round, {tables[0]: people[:4], tables[1]: people[4:]})
    before = celery_worker.log().count(LOG_LINE)

    done = lifecycle.round_mark_held(round_id=meetup_round.pk, by=organizer)

    assert done.emails_queued == len(people)
    assert done.warning is None
    wait_for(
        lambda: len(smtp_sink.messages) >= len(people),
        timeout_s=30,
        message=lambda: celery_worker.log_tail(),
    )
    # The same task delivered twice more, and the move repeated: nothing more goes out.
    tasks.send_met_prompts.delay(round_id=meetup_round.pk)
    tasks.send_met_prompts.delay(round_id=meetup_round.pk)
    again = lifecycle.round_mark_held(round_id=meetup_round.pk, by=organizer)
    assert again.emails_queued == 0
    wait_for(
        lambda: celery_worker.log().count(LOG_LINE) >= before + 3,
        timeout_s=30,
        message=lambda: celery_worker.log_tail(),
    )

    received = sorted(recipients[0] for recipients, _ in smtp_sink.messages)
    assert received == sorted(person.email for person in people)
    _, message = smtp_sink.messages[0]
    assert message["Subject"] == "Who did you meet at Riverside drinks?"
    # The worker reads SITE_URL from the same environment as this process.
    link = settings.SITE_URL.rstrip("/") + f"/rounds/{meetup_round.pk}/"
    assert link in message.get_content()
    assert MetPrompt.objects.filter(round=meetup_round).count() == len(people)
