"""Who may manage what: organizers manage the conferences they organize, superusers all.

The organizer scope of every door. A service that acts on an id looks the object up here with
the acting user, so a table, round or conference that is not theirs answers ``NotFound``, the
same as one that does not exist, whichever door asked. ``user=None`` is the system (tasks, the
demo, management commands): it sees everything.
"""

from django.db.models import QuerySet

from conferences.models import Conference, DrinkTable, ImportBatch, ImportPreset, MeetupRound
from config import caches
from config.exceptions import NotFound


def organized_conferences(*, user) -> QuerySet[Conference]:
    if user is None:
        return Conference.objects.all()
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


def is_organizer_cached(*, user) -> bool:
    """``is_organizer`` through the shared cache (``config.caches.ORGANIZERS``): for the page
    header and where signing in leads, not for access, which pages check uncached."""
    if user is None or not user.is_authenticated:
        return False
    return caches.cached(caches.ORGANIZERS, _organizer_key(user), lambda: is_organizer(user=user))


def organizes_nothing_yet(*, user) -> None:
    """Tell ``is_organizer_cached`` that ``user``, an account made just now, organizes nothing:
    the pages right after an attendee's first sign-in need not ask the database."""
    caches.remember(caches.ORGANIZERS, _organizer_key(user), False)


def _organizer_key(user) -> str:
    return f"is-organizer:{user.pk}"


def can_manage(*, user, conference: Conference) -> bool:
    if user is None:
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or conference.organizers.filter(pk=user.pk).exists()


def conference_for_organizer(*, user, slug: str) -> Conference:
    """The conference ``slug`` if ``user`` organizes it; ``NotFound`` otherwise (same answer)."""
    conference = organized_conferences(user=user).filter(slug=slug).first()
    if conference is None:
        raise NotFound("There is no conference of yours at this address.")
    return conference


def conference_by_id_for_organizer(*, user, pk: int) -> Conference:
    """Conference ``pk`` if ``user`` organizes it; ``NotFound`` otherwise (same answer)."""
    conference = organized_conferences(user=user).filter(pk=pk).first()
    if conference is None:
        raise NotFound("There is no conference of yours with this id.")
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


def tables_for_organizer(*, user) -> QuerySet[DrinkTable]:
    return DrinkTable.objects.filter(conference__in=organized_conferences(user=user))


def table_for_organizer(*, user, pk: int) -> DrinkTable:
    """Table ``pk`` if ``user`` organizes its conference; ``NotFound`` otherwise."""
    table = tables_for_organizer(user=user).select_related("conference").filter(pk=pk).first()
    if table is None:
        raise NotFound("There is no table of yours with this id.")
    return table


def rounds_for_organizer(*, user) -> QuerySet[MeetupRound]:
    return MeetupRound.objects.filter(conference__in=organized_conferences(user=user))


def import_batch_for_organizer(
    *, user, pk: int, kind: str | None = None, conference_id: int | None = None
) -> ImportBatch:
    """An import of one of the user's conferences (its file left unread); ``NotFound`` else.
    ``kind`` and ``conference_id`` narrow it: another kind or conference is not found either."""
    batches = ImportBatch.objects.defer("content").select_related("conference")
    if kind is not None:
        batches = batches.filter(kind=kind)
    if conference_id is not None:
        batches = batches.filter(conference_id=conference_id)
    batch = batches.filter(pk=pk, conference__in=organized_conferences(user=user)).first()
    if batch is None:
        raise NotFound("There is no import of yours with this id.")
    return batch


def import_presets_for_organizer(*, user, conference_id: int) -> QuerySet[ImportPreset]:
    """The saved column mappings of one of the user's conferences (none for another's)."""
    return ImportPreset.objects.filter(
        conference_id=conference_id, conference__in=organized_conferences(user=user)
    )


def import_preset_for_organizer(*, user, pk: int, conference_id: int) -> ImportPreset:
    """Saved mapping ``pk`` of conference ``conference_id`` if the user organizes it;
    ``NotFound`` otherwise (the same answer for another conference's preset)."""
    preset = import_presets_for_organizer(user=user, conference_id=conference_id).filter(pk=pk)
    found = preset.select_related("conference").first()
    if found is None:
        raise NotFound("There is no saved column mapping of this conference with this id.")
    return found
