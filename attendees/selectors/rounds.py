"""The rounds an attendee may see, with their RSVP."""

from django.db.models import (
    BooleanField,
    Case,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)

from attendees.models import (
    Attendance,
    Person,
    RoundRSVP,
)
from conferences.enums import RSVP_OPEN_STATUSES, RoundStatus
from conferences.models import MeetupRound


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
