"""Shared reads about conferences and rounds."""

from django.db.models import Count, Prefetch, Q, QuerySet

from attendees.enums import RSVPStatus
from conferences.models import Conference, MeetupRound
from conferences.scoping import organized_conferences


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
