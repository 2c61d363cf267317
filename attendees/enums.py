from django.db import models


class AttendanceRole(models.TextChoices):
    ATTENDEE = "attendee", "Attendee"
    SPEAKER = "speaker", "Speaker"
    EXHIBITOR = "exhibitor", "Exhibitor"
    VOLUNTEER = "volunteer", "Volunteer"
    ORGANIZER = "organizer", "Organizer"


class RSVPStatus(models.TextChoices):
    GOING = "going", "Going"
    NOT_GOING = "not_going", "Not going"


class EncounterKind(models.TextChoices):
    SEATED = "seated", "Sat at the same table"
    MET = "met", "Confirmed they met"
    IMPORTED = "imported", "Imported history"
