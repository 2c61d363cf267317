"""Who may manage what: organizers manage the conferences they organize, superusers all."""

from django.db.models import QuerySet

from conferences.models import Conference, MeetupRound
from config.exceptions import NotFound


def organized_conferences(*, user) -> QuerySet[Conference]:
    if not user.is_authenticated or not user.is_active:
        return Conference.objects.none()
    if user.is_superuser:
        return Conference.objects.all()
    return Conference.objects.filter(organizers=user)


def is_organizer(*, user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.organized_conferences.exists())
    )


def can_manage(*, user, conference: Conference) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or conference.organizers.filter(pk=user.pk).exists()


def conference_for_organizer(*, user, slug: str) -> Conference:
    """The conference ``slug`` if ``user`` organizes it; ``NotFound`` otherwise (same answer)."""
    conference = organized_conferences(user=user).filter(slug=slug).first()
    if conference is None:
        raise NotFound("There is no conference of yours at this address.")
    return conference


def round_for_organizer(*, user, pk: int) -> MeetupRound:
    """Round ``pk`` if ``user`` organizes its conference; ``NotFound`` otherwise (same answer)."""
    meetup_round = (
        MeetupRound.objects.select_related("conference", "conference__series")
        .filter(pk=pk, conference__in=organized_conferences(user=user))
        .first()
    )
    if meetup_round is None:
        raise NotFound("There is no round of yours at this address.")
    return meetup_round
