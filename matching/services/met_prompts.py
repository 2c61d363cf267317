"""After the evening: ask each seated attendee, once, who they met (issue 14.7).

Marking a round held sends the task after the commit (``met_prompts_enqueue``); the task sends
batches under the round's row lock and records each person asked (``MetPrompt``), so a second
delivery sends nothing again; a crash before the commit may send a batch twice (at-least-once,
like the table notices). If the task queue was down, ``met_prompts_sweep_pending`` (Celery
beat) sends the task again while the answers can still be changed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext

from attendees.models import Person
from conferences.calendar import round_page_url
from conferences.enums import RoundStatus
from conferences.models import MeetupRound
from config.db import locked
from config.i18n import language_of
from config.queue import Dispatch, task_send_on_commit
from matching.models import MetPrompt, Seat
from matching.services.encounters import MET_EDITABLE_FOR, met_editable, met_editable_until

logger = logging.getLogger(__name__)

PROMPT_BATCH_SIZE = 50


@dataclass(frozen=True)
class PromptBatch:
    sent: int
    remaining: int


def met_prompts_pending(meetup_round: MeetupRound) -> list[int]:
    """Ids of the people seated in the held round's plan who were not asked yet; nobody once
    the answers can no longer change (a round marked held weeks later asks nobody)."""
    if meetup_round.published_run_id is None or not met_editable(round=meetup_round):
        return []
    asked = set(MetPrompt.objects.filter(round=meetup_round).values_list("person_id", flat=True))
    seated = Seat.objects.filter(run_id=meetup_round.published_run_id).values_list(
        "person_id", flat=True
    )
    return sorted(set(seated) - asked)


def met_prompts_send_batch(*, round_id: int, batch_size: int | None = None) -> PromptBatch:
    """Ask the next batch of seated attendees who they met, and record that they were asked.

    People without an address (deleted accounts) are recorded without an e-mail.
    """
    with transaction.atomic():
        meetup_round = (
            locked(MeetupRound.objects.filter(pk=round_id)).select_related("conference").first()
        )
        if meetup_round is None:
            return PromptBatch(sent=0, remaining=0)
        pending = met_prompts_pending(meetup_round)
        batch = pending[: batch_size or PROMPT_BATCH_SIZE]
        if not batch:
            return PromptBatch(sent=0, remaining=0)
        people = Person.objects.in_bulk(batch)
        messages = [
            met_prompt_message(round=meetup_round, person=person)
            for person in (people.get(person_id) for person_id in batch)
            if person is not None and person.email and person.deleted_at is None
        ]
        if messages:
            with get_connection() as mail:
                mail.send_messages(messages)
        now = timezone.now()
        MetPrompt.objects.bulk_create(
            [
                MetPrompt(round=meetup_round, person_id=person_id, sent_at=now)
                for person_id in batch
            ],
            ignore_conflicts=True,
        )
    return PromptBatch(sent=len(messages), remaining=len(pending) - len(batch))


def met_prompt_message(*, round: MeetupRound, person: Person) -> EmailMessage:
    """The e-mail: who did you meet, with the link to the round's page, in the recipient's
    language."""
    conference = round.conference
    until = timezone.localtime(met_editable_until(round=round), conference.tzinfo)
    with translation.override(language_of(person)):
        words = {"round": round.name, "conference": conference.name}
        lines = [
            gettext("Hello %(name)s,") % {"name": person.first_name},
            "",
            gettext("Thank you for coming to %(round)s at %(conference)s.") % words,
            gettext(
                "Who did you meet? Tick them on your page; next time, the people you met count "
                "as friends when we set the tables:"
            ),
            "",
            round_page_url(round_id=round.pk),
            "",
            gettext("You can change your answers for %(days)s days, until %(until)s.")
            % {
                "days": MET_EDITABLE_FOR.days,
                "until": dateformat.format(until, gettext("j F Y")),
            },
        ]
        subject = gettext("Who did you meet at %(round)s?") % words
    return EmailMessage(
        subject=subject,
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
    )


def met_prompts_enqueue(round_id: int) -> Dispatch:
    """Send the prompts task after the commit; if the queue is down, the sweep sends it later."""
    from matching import tasks

    return task_send_on_commit(tasks.send_met_prompts, kwargs={"round_id": round_id})


def met_prompts_sweep_pending() -> int:
    """Send the prompts task again for every held round that still owes prompts while its
    answers can still change (Celery beat). Returns how many rounds it sent again."""
    rounds = MeetupRound.objects.filter(
        status=RoundStatus.HELD, ends_at__gt=timezone.now() - MET_EDITABLE_FOR
    ).select_related("conference")
    sent = 0
    for meetup_round in rounds:
        if met_prompts_pending(meetup_round):
            dispatch = met_prompts_enqueue(meetup_round.pk)
            sent += not dispatch.failed
            logger.info(
                "round %s: 'who did you meet' e-mails still owed, sent again", meetup_round.pk
            )
    return sent
