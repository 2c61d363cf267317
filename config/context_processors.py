from conferences.scoping import is_organizer_cached


def site(request):
    """What every page needs to know about the signed-in user's role.

    Only the header's link to the organizer pages depends on it, so it is cached; those pages
    check the user's rights themselves, uncached.
    """
    return {"is_organizer": is_organizer_cached(user=getattr(request, "user", None))}
