"""Who a person is to the app: their profile behind a user, their registrations, who is a
newcomer at a conference, and how strongly two people are tied.
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from attendees.models import (
    Attendance,
    Encounter,
    LoginLink,
    Person,
    hash_secret,
)
from attendees.ties import tie_weights_from
from conferences.models import Conference, MeetupRound


def newcomer_ids(*, conference: Conference, person_ids: Iterable[int] | None = None) -> set[int]:
    """The people attending ``conference`` who are newcomers there.

    A newcomer has no attendance at an earlier conference and no encounter before this one
    starts. An organizer's override on the attendance wins over that rule. ``person_ids``
    narrows the question to a few people (a table), in at most three small queries.
    """
    if person_ids is not None:
        return _newcomers_among(conference=conference, person_ids=list(person_ids))
    attendances = Attendance.objects.filter(conference=conference)
    overrides: dict[int, bool | None] = dict(
        attendances.values_list("person_id", "newcomer_override")
    )
    attending = attendances.values("person_id")
    returning = set(
        Attendance.objects.filter(
            person_id__in=attending, conference__starts_on__lt=conference.starts_on
        ).values_list("person_id", flat=True)
    )
    earlier = Encounter.objects.filter(occurred_on__lt=conference.starts_on)
    for first, second in earlier.filter(
        Q(person_a_id__in=attending) | Q(person_b_id__in=attending)
    ).values_list("person_a_id", "person_b_id"):
        returning.add(first)
        returning.add(second)
    return {
        person_id
        for person_id, override in overrides.items()
        if override is True or (override is None and person_id not in returning)
    }


def _newcomers_among(*, conference: Conference, person_ids: list[int]) -> set[int]:
    """``newcomer_ids`` for a handful of people: each step only asks about those still open."""
    earlier = Attendance.objects.filter(
        person_id=OuterRef("person_id"), conference__starts_on__lt=conference.starts_on
    )
    rows = (
        Attendance.objects.filter(conference=conference, person_id__in=person_ids)
        .annotate(came_before=Exists(earlier))
        .values_list("person_id", "newcomer_override", "came_before")
    )
    newcomers, open_ids = set(), set()
    for person_id, override, came_before in rows:
        if override is True:
            newcomers.add(person_id)
        elif override is None and not came_before:
            open_ids.add(person_id)
    if open_ids:
        for first, second in Encounter.objects.filter(
            Q(person_a_id__in=open_ids) | Q(person_b_id__in=open_ids),
            occurred_on__lt=conference.starts_on,
        ).values_list("person_a_id", "person_b_id"):
            open_ids.discard(first)
            open_ids.discard(second)
    return newcomers | open_ids


def is_newcomer(*, person: Person, conference: Conference) -> bool:
    """The newcomer rule of ``newcomer_ids`` for one person, without reading everyone."""
    override = (
        Attendance.objects.filter(person=person, conference=conference)
        .values_list("newcomer_override", flat=True)
        .first()
    )
    if override is not None:
        return override
    if Attendance.objects.filter(
        person=person, conference__starts_on__lt=conference.starts_on
    ).exists():
        return False
    return not Encounter.objects.filter(
        Q(person_a=person) | Q(person_b=person), occurred_on__lt=conference.starts_on
    ).exists()


# Who knew whom before a round ------------------------------------------------------------------
#
# One rule, read by the matcher's problem, the organizer's plan, the attendee's table and the
# insights: an encounter counts before a round when it happened on or before the round's day
# (in the conference's time zone) and not at that round or at a round that starts later. So a
# round's own seated and met encounters never explain its seating, and its explanations are the
# same before and after it is marked held.


def counts_before_round(
    *, occurred_on: date, at: tuple[datetime, int] | None, round: MeetupRound
) -> bool:
    """Whether an encounter on ``occurred_on`` at round ``at`` (its start and pk, None when it
    was at no round) counts as known before ``round``."""
    if occurred_on > round.local_date:
        return False
    return at is None or at < (round.starts_at, round.pk)


def encounters_before_round(*, round: MeetupRound, person_ids: Iterable[int]) -> QuerySet:
    """The encounters between ``person_ids`` that count before ``round``
    (``counts_before_round``), in one query."""
    ids = list(person_ids)
    return (
        Encounter.objects.filter(
            person_a_id__in=ids, person_b_id__in=ids, occurred_on__lte=round.local_date
        )
        .exclude(round_id=round.pk)
        .exclude(round__starts_at__gt=round.starts_at)
        .exclude(round__starts_at=round.starts_at, round_id__gt=round.pk)
    )


def tie_weights_before_round(
    *, round: MeetupRound, person_ids: Iterable[int]
) -> dict[tuple[int, int], float]:
    """Ties between the given people before ``round``, weighed as of the round's day."""
    encounters = encounters_before_round(round=round, person_ids=person_ids).values_list(
        "person_a_id", "person_b_id", "kind", "occurred_on"
    )
    return tie_weights_from(encounters.iterator(chunk_size=5000), as_of=round.local_date)


# What an attendee sees -------------------------------------------------------------------------
#
# Everything below answers for one signed-in person and reads only what that person may see:
# their own rows, and their tablemates' public profile (name, organization if shown, topics,
# bio). Blocks made by others, unanswered sit-together requests to them and private settings
# (accessible seating, opting out) of anyone else are never read here.


def person_for_user(*, user) -> Person | None:
    """The attendee behind a signed-in user, or None (anonymous, staff without a profile)."""
    if user is None or not user.is_authenticated:
        return None
    return Person.objects.filter(user_id=user.pk, deleted_at__isnull=True).first()


def conferences_for(*, person: Person) -> QuerySet[Attendance]:
    """The person's registrations, newest conference first."""
    return (
        Attendance.objects.filter(person=person)
        .select_related("conference__series")
        .order_by("-conference__starts_on", "conference__name")
    )


def upcoming_conferences_for(*, person: Person) -> QuerySet[Conference]:
    """The person's conferences that have not ended: where a sit-together wish still counts."""
    return Conference.objects.filter(
        attendances__person=person, ends_on__gte=timezone.localdate()
    ).order_by("starts_on", "name")


def login_link_usable(*, token: str) -> bool:
    """Whether a sign-in link would still work (without using it up)."""
    return LoginLink.objects.filter(
        token_hash=hash_secret(token),
        sent_at__isnull=False,
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists()
