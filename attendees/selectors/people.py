"""Who a person is to the app: their profile behind a user, their registrations, who is a
newcomer at a conference, and how strongly two people are tied.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import (
    Exists,
    Min,
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
from conferences.scoping import organized_conferences
from config.exceptions import NotFound

# What an organizer sees -----------------------------------------------------------------------
#
# An organizer sees the people registered at the conferences they organize, and nobody else:
# every door (admin forms, autocomplete, organizer pages, API bodies, imports) picks people
# through these two, so a person id from elsewhere answers like an id that does not exist.


def people_for_organizer(*, user) -> QuerySet[Person]:
    """People registered at a conference ``user`` organizes (everyone for a superuser or the
    system, ``user=None``)."""
    if user is None or (user.is_authenticated and user.is_active and user.is_superuser):
        return Person.objects.all()
    return Person.objects.filter(
        pk__in=Attendance.objects.filter(conference__in=organized_conferences(user=user)).values(
            "person_id"
        )
    )


def person_for_organizer(*, user, pk) -> Person:
    """Person ``pk`` if registered at one of ``user``'s conferences; ``NotFound`` otherwise."""
    person = people_for_organizer(user=user).filter(pk=pk).first() if _is_id(pk) else None
    if person is None:
        raise NotFound("There is nobody with this id at your conferences.")
    return person


def attendances_for_organizer(*, user) -> QuerySet[Attendance]:
    return Attendance.objects.filter(conference__in=organized_conferences(user=user))


def _is_id(value) -> bool:
    return isinstance(value, int) or (
        isinstance(value, str) and value.isascii() and value.isdigit()
    )


def is_newcomer(*, override: bool | None, attended_before: bool, met_before: bool) -> bool:
    """The newcomer rule (docs/design.md §2), the one place it is decided.

    A person is a newcomer at a conference when they attended no earlier conference and had
    no encounter before it starts; an organizer's override on their attendance wins.
    ``newcomer_ids`` (one conference) and ``newcomers_by_edition`` (a series) gather the facts
    and ask here.
    """
    if override is not None:
        return override
    return not attended_before and not met_before


def newcomer_ids(*, conference: Conference, person_ids: Iterable[int] | None = None) -> set[int]:
    """The people attending ``conference`` who are newcomers there (``is_newcomer``).

    ``person_ids`` narrows the question to a few people (a table), in at most three small
    queries; without it everyone attending is read in three.
    """
    attendances = Attendance.objects.filter(conference=conference)
    if person_ids is not None:
        attendances = attendances.filter(person_id__in=list(person_ids))
    earlier = Attendance.objects.filter(
        person_id=OuterRef("person_id"), conference__starts_on__lt=conference.starts_on
    )
    rows = list(
        attendances.annotate(came_before=Exists(earlier)).values_list(
            "person_id", "newcomer_override", "came_before"
        )
    )
    # A few people: only those the encounters can still decide about are looked up there.
    # Everyone: a subquery of the conference's attendances keeps it to one query.
    if person_ids is not None:
        asked = [pk for pk, override, came_before in rows if override is None and not came_before]
    else:
        asked = attendances.values("person_id")
    met_before: set[int] = set()
    if person_ids is None or asked:
        for first, second in Encounter.objects.filter(
            Q(person_a_id__in=asked) | Q(person_b_id__in=asked),
            occurred_on__lt=conference.starts_on,
        ).values_list("person_a_id", "person_b_id"):
            met_before.add(first)
            met_before.add(second)
    return {
        person_id
        for person_id, override, came_before in rows
        if is_newcomer(
            override=override, attended_before=came_before, met_before=person_id in met_before
        )
    }


def newcomers_by_edition(
    editions: list[Conference],
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Who attended each of ``editions`` and who was a newcomer there (``is_newcomer``), by
    conference id, in four queries however many editions (the insights' series figures)."""
    attending: dict[int, set[int]] = defaultdict(set)
    overrides: dict[tuple[int, int], bool] = {}
    attendances = Attendance.objects.filter(conference__in=editions)
    for person_id, conference_id, override in attendances.values_list(
        "person_id", "conference_id", "newcomer_override"
    ):
        attending[conference_id].add(person_id)
        if override is not None:
            overrides[(conference_id, person_id)] = override
    people = attendances.values("person_id")
    first_attended: dict[int, date] = dict(
        Attendance.objects.filter(person_id__in=people)
        .values("person_id")
        .annotate(first=Min("conference__starts_on"))
        .values_list("person_id", "first")
    )
    first_met: dict[int, date] = {}
    for side in ("person_a_id", "person_b_id"):
        for person_id, day in (
            Encounter.objects.filter(**{f"{side}__in": people})
            .values(side)
            .annotate(first=Min("occurred_on"))
            .values_list(side, "first")
        ):
            first_met[person_id] = min(day, first_met.get(person_id, day))
    newcomers = {
        edition.pk: {
            person
            for person in attending[edition.pk]
            if is_newcomer(
                override=overrides.get((edition.pk, person)),
                attended_before=first_attended[person] < edition.starts_on,
                met_before=person in first_met and first_met[person] < edition.starts_on,
            )
        }
        for edition in editions
    }
    return attending, newcomers


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


def person_for_user(*, user, fresh: bool = False) -> Person | None:
    """The attendee behind a signed-in user, or None (anonymous, staff without a profile).

    A session's user comes with their profile from one query (``attendees.backends``), read as
    the request began; ``fresh`` reads it again (after a change made in the same request).
    """
    if user is None or not user.is_authenticated:
        return None
    if not fresh and get_user_model().person.related.is_cached(user):
        person = user.person if hasattr(user, "person") else None
        return person if person is not None and person.deleted_at is None else None
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
