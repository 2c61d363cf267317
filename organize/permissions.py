"""Access to organizer pages: only organizers of the conference (or superusers), others 404."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from conferences.models import Conference, MeetupRound
from conferences.scoping import is_organizer, organized_conferences


def organizer_required(view):
    """Signed in, and organizer of at least one conference (or superuser)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_organizer(user=request.user):
            raise PermissionDenied("Only organizers can open this page.")
        return view(request, *args, **kwargs)

    return wrapper


def conference_for_organizer(*, user, slug: str) -> Conference:
    return get_object_or_404(organized_conferences(user=user), slug=slug)


def round_for_organizer(*, user, pk: int) -> MeetupRound:
    return get_object_or_404(
        MeetupRound.objects.select_related("conference", "conference__series"),
        pk=pk,
        conference__in=organized_conferences(user=user),
    )
