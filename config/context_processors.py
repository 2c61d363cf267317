from conferences.scoping import is_organizer


def site(request):
    """What every page needs to know about the signed-in user's role."""
    user = getattr(request, "user", None)
    return {"is_organizer": bool(user is not None and is_organizer(user=user))}
