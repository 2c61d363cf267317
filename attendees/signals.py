"""Cache invalidation on writes that send signals (see ``config.caches``), and the signal that
lets the apps above erase what they hold about a person who deletes their account."""

from django.contrib.auth import get_user_model, user_logged_in
from django.contrib.auth.models import update_last_login
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from attendees.models import Attendance, Block, Encounter, Person
from conferences.models import Conference, DrinkTable, MeetupRound, Topic
from config import caches

# What "my table" and the network page are read from.
TABLE_SOURCES = (
    Person,
    Attendance,
    Encounter,
    Block,
    DrinkTable,
    MeetupRound,
    Conference,
    Topic,
)
# Sent inside the transaction of ``account_delete`` (argument ``person``), before the person's
# own data is erased: apps above attendees drop what they keep about them (matching: seats in
# rounds not yet held).
person_erasing = Signal()

# The user fields that decide whether someone may organize.
ORGANIZER_FIELDS = frozenset({"is_superuser", "is_active"})
# Person fields no table or network page reads: saving only these keeps the cached pages.
# The first sign-in links an account to every attendee, hundreds a minute after a publish;
# were that to throw away every cached table, nobody's table would stay cached.
PERSON_FIELDS_OFF_THE_PAGES = frozenset({"user", "language"})


def tables_changed(sender, action: str = "post", update_fields=None, **kwargs) -> None:
    if not action.startswith("post"):  # m2m_changed also sends pre_add, pre_remove, pre_clear
        return
    if sender is Person and update_fields and set(update_fields) <= PERSON_FIELDS_OFF_THE_PAGES:
        return
    caches.invalidate(caches.TABLES)


def _organizers_changed(sender, action: str = "post", **kwargs) -> None:
    if action.startswith("post"):
        caches.invalidate(caches.ORGANIZERS)


def _user_saved(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    if created and not instance.is_superuser:
        # A new account organizes nothing yet (that takes a conference's organizers list,
        # whose change bumps the counter) and has no cached answer to throw away.
        return
    if update_fields is None or ORGANIZER_FIELDS & set(update_fields):
        caches.invalidate(caches.ORGANIZERS)


def _last_login(sender, user, **kwargs) -> None:
    """Django's ``update_last_login``, less the write when the sign-in made the account a moment
    ago with ``last_login`` already set (``attendees.services``): one commit fewer per first
    sign-in, the busiest moment of an evening."""
    if getattr(user, "made_by_this_sign_in", False):
        return
    update_last_login(sender, user, **kwargs)


def connect() -> None:
    # django.contrib.auth connected its own under this uid; ours replaces it.
    user_logged_in.disconnect(dispatch_uid="update_last_login")
    user_logged_in.connect(_last_login, dispatch_uid="update_last_login")
    for model in TABLE_SOURCES:
        uid = f"attendees-caches-{model._meta.label_lower}"
        post_save.connect(tables_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(tables_changed, sender=model, dispatch_uid=uid)
    m2m_changed.connect(
        tables_changed, sender=Person.topics.through, dispatch_uid="attendees-caches-topics"
    )
    m2m_changed.connect(
        _organizers_changed,
        sender=Conference.organizers.through,
        dispatch_uid="attendees-caches-organizers",
    )
    user = get_user_model()
    post_save.connect(_user_saved, sender=user, dispatch_uid="attendees-caches-user")
    post_delete.connect(_organizers_changed, sender=user, dispatch_uid="attendees-caches-user")
