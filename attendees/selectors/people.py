"""Who a person is to the app: their profile behind a user, their registrations, who is a
newcomer at a conference, and how strongly two people are tied.
"""

from collections.abc import Iterable
from datetime import date

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
from conferences.models import Conference


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


def tie_weights(*, person_ids: QuerySet | list[int], as_of: date) -> dict[tuple[int, int], float]:
    """Ties between the given people, from their encounters up to ``as_of``."""
    encounters = Encounter.objects.filter(
        person_a_id__in=person_ids, person_b_id__in=person_ids, occurred_on__lte=as_of
    ).values_list("person_a_id", "person_b_id", "kind", "occurred_on")
    return tie_weights_from(encounters.iterator(chunk_size=5000), as_of=as_of)


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
