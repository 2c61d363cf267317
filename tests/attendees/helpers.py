"""Builders for rounds with a plan, shared by the attendee and browser tests.

They write the models directly (a MatchingRun with Seats, the round's published run and
status), so the dashboard can be tested without the matcher.
"""

import datetime as dt

from django.utils import timezone

from attendees.enums import RSVPStatus
from attendees.models import Attendance, Person, RoundRSVP
from conferences.enums import RoundStatus
from conferences.models import Conference, DrinkTable, MeetupRound
from matching.enums import RunStatus
from matching.models import MatchingRun, Seat


def register(conference: Conference, *people: Person) -> None:
    for person in people:
        Attendance.objects.get_or_create(person=person, conference=conference)


def seat_round(
    meetup_round: MeetupRound,
    tables: dict[DrinkTable, list[Person]],
    *,
    status: str = RoundStatus.PUBLISHED,
) -> MatchingRun:
    """Seat ``tables`` in a succeeded run, make it the round's plan and set ``status``.

    Everyone seated is registered for the conference and going to the round.
    """
    run = MatchingRun.objects.create(
        round=meetup_round, status=RunStatus.SUCCEEDED, time_limit_s=5, progress=100
    )
    for table, people in tables.items():
        register(meetup_round.conference, *people)
        for person in people:
            RoundRSVP.objects.update_or_create(
                person=person, round=meetup_round, defaults={"status": RSVPStatus.GOING}
            )
            Seat.objects.create(run=run, person=person, table=table)
    meetup_round.published_run = run
    meetup_round.status = status
    meetup_round.published_at = timezone.now()
    if status == RoundStatus.HELD:
        meetup_round.held_at = timezone.now()
    meetup_round.save()
    return run


def tonight(conference: Conference, **fields) -> MeetupRound:
    """A round starting within the hour at the conference."""
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(hours=1)
    fields.setdefault("name", "Opening night drinks")
    fields.setdefault("location", "Riverside terrace")
    fields.setdefault("status", RoundStatus.OPEN)
    return MeetupRound.objects.create(
        conference=conference, starts_at=starts, ends_at=starts + dt.timedelta(hours=2), **fields
    )


def sign_in(client, person: Person):
    """Give ``person`` a user (as the e-mail link would) and sign ``client`` in as them."""
    from django.contrib.auth import get_user_model

    if person.user_id is None:
        user = get_user_model().objects.create_user(username=person.email, email=person.email)
        person.user = user
        person.save(update_fields=["user"])
    client.force_login(person.user)
    return client
