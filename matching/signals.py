"""The matching app's part of the attendee-page caches, and of erasing a deleted account."""

from django.db.models.signals import post_delete, post_save

from attendees.signals import person_erasing, tables_changed
from conferences.enums import RoundStatus
from matching.models import Seat


def _erase_seats(sender, *, person, **kwargs) -> None:
    """Seats in rounds already held stay (the organizers' figures); the others go."""
    Seat.objects.filter(person=person).exclude(run__round__status=RoundStatus.HELD).delete()


def connect() -> None:
    uid = "matching-caches-seat"
    post_save.connect(tables_changed, sender=Seat, dispatch_uid=uid)
    post_delete.connect(tables_changed, sender=Seat, dispatch_uid=uid)
    person_erasing.connect(_erase_seats, dispatch_uid="matching-erase-seats")
