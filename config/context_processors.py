from conferences.scoping import is_organizer
from config import caches


def site(request):
    """What every page needs to know about the signed-in user's role.

    Only the header's link to the organizer pages depends on it, so it is cached; those pages
    check the user's rights themselves, uncached.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_organizer": False}
    return {
        "is_organizer": caches.cached(
            caches.ORGANIZERS, f"is-organizer:{user.pk}", lambda: is_organizer(user=user)
        )
    }
