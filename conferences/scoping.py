"""Who may manage what: organizers manage the conferences they organize, superusers all."""

from django.db.models import QuerySet

from conferences.models import Conference


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
