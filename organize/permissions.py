"""Access to organizer pages: only organizers of the conference (or superusers), others 404."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from conferences.scoping import is_organizer


def organizer_required(view):
    """Signed in, and organizer of at least one conference (or superuser)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_organizer(user=request.user):
            raise PermissionDenied("Only organizers can open this page.")
        return view(request, *args, **kwargs)

    return wrapper
