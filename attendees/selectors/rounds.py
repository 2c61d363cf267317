"""The rounds an attendee may see, with their RSVP."""

from django.db.models import (
    BooleanField,
    Case,
    Count,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from attendees.enums import RSVPStatus
from attendees.models import (
    Attendance,
    Person,
    RoundRSVP,
)
from conferences.enums import RSVP_OPEN_STATUSES, RoundStatus
from conferences.models import Conference, MeetupRound
from conferences.scoping import organized_conferences


def visible_rounds(*, person: Person) -> QuerySet[MeetupRound]:
    my_rsvp = RoundRSVP.objects.filter(round_id=OuterRef("pk"), person=person).values("status")
    return (
        MeetupRound.objects.filter(
            conference__in=Attendance.objects.filter(person=person).values("conference_id")
        )
        .exclude(status=RoundStatus.DRAFT)
        .select_related("conference__series")
        .annotate(
            my_rsvp=Subquery(my_rsvp[:1]),
            rsvp_open=Case(
                When(status__in=RSVP_OPEN_STATUSES, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )


def round_for(*, person: Person, round_id: int) -> MeetupRound | None:
    """One of the person's rounds (as ``rounds_for`` shows it, without the table), or None."""
    return visible_rounds(person=person).filter(pk=round_id).first()


def rounds_with_counts() -> QuerySet[MeetupRound]:
    return MeetupRound.objects.annotate(
        going_count=Count("rsvps", filter=Q(rsvps__status=RSVPStatus.GOING))
    ).order_by("starts_at", "pk")


def conferences_for_organizer(*, user) -> QuerySet[Conference]:
    """The organizer's conferences, newest first, with rounds and attendee counts."""
    return (
        organized_conferences(user=user)
        .select_related("series")
        .annotate(attendee_count=Count("attendances", distinct=True))
        .prefetch_related(Prefetch("rounds", queryset=rounds_with_counts()))
        .order_by("-starts_on", "name")
    )
