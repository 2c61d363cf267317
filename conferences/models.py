import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from conferences.enums import ImportKind, ImportSource, ImportStatus, RoundStatus


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            f"{value!r} is not a time zone; use an IANA name such as Europe/Paris."
        )


class Series(models.Model):
    """A conference series, e.g. "ISTE Live / NECC"; its editions are Conferences."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "series"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Conference(models.Model):
    """One edition of a series, with the users allowed to manage it."""

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="conferences")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    city = models.CharField(max_length=120, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    organizers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organized_conferences"
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="conference_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def year(self) -> int:
        return self.starts_on.year

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Topic(models.Model):
    """An interest tag people pick on their profile: "open source", "online learning", ..."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="topic_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class DrinkTable(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="tables")
    label = models.CharField(max_length=40)
    location = models.CharField(max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(default=8)
    accessible = models.BooleanField(
        default=False, help_text="Reachable and usable in a wheelchair."
    )
    active = models.BooleanField(default=True)
    host = models.ForeignKey(
        "attendees.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_tables",
        help_text="Sits at this table in every round they attend.",
    )

    class Meta:
        ordering = ["conference", "label"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "label"], name="table_label_unique"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=100), name="table_capacity_range"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class MeetupRound(models.Model):
    """One evening meetup of a conference, seated by a matching run."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    tables = models.ManyToManyField(
        DrinkTable,
        blank=True,
        related_name="rounds",
        help_text="Tables set up for this round; none chosen means every active table.",
    )
    # Written only by matching.services.lifecycle (a test keeps it so).
    status = models.CharField(max_length=12, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    # DO_NOTHING: the run is deleted with its round (the foreign key is checked at commit, so
    # deleting a round or a conference takes its published plan along); runs are never
    # deleted on their own.
    published_run = models.ForeignKey(
        "matching.MatchingRun",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    auto_seat_late = models.BooleanField(
        "seat late RSVPs automatically",
        default=True,
        help_text=(
            "After publishing, someone who says they are going (or walks in) is seated at once "
            "at the best table with room. Off: they join the waiting list for you to place."
        ),
    )
    # The SEQUENCE of every attendee's calendar event of this round (RFC 5545): it grows with
    # each change they are told of (a plan published, the time or place changed, a table
    # moved, the round cancelled), so a download, an e-mail and a feed agree on the revision.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="round_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RoundStatus.values), name="round_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[RoundStatus.PUBLISHED, RoundStatus.HELD])
                | Q(published_run__isnull=False),
                name="round_published_has_run",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conference.name}: {self.name}" if self.conference_id else self.name

    @property
    def local_date(self) -> datetime.date:
        """The round's day where the conference takes place: encounters at it are dated so."""
        return timezone.localtime(self.starts_at, self.conference.tzinfo).date()


class ImportBatch(models.Model):
    """One CSV file an organizer uploaded: previewed first, then imported all at once.

    The file stays here between the preview and the confirmation, so what is imported is what
    was uploaded (and validated again); it is emptied once imported. ``mapping`` holds the
    column mapping the organizer chose for a registration file (empty: guessed from its header;
    attendees.import_mapping); once imported, the mapping it was imported with.
    """

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="import_batches"
    )
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    filename = models.CharField(max_length=255, blank=True)
    content = models.BinaryField(blank=True, default=b"")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    mapping = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "CSV import"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ImportKind.values), name="import_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="import_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=ImportStatus.PREVIEWED) | Q(applied_at__isnull=False),
                name="import_applied_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import #{self.pk} ({self.get_status_display()})"


class ImportPreset(models.Model):
    """A named column mapping for registration files, saved for one conference and offered for
    its next files: which field each column gives (by the column's header) and which role each
    ticket or attendee type gets (attendees.import_mapping)."""

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="import_presets"
    )
    name = models.CharField(max_length=80)
    source = models.CharField(
        max_length=16, choices=ImportSource.choices, default=ImportSource.UNKNOWN
    )
    columns = models.JSONField(default=dict)
    roles = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "import mapping"
        constraints = [
            models.UniqueConstraint(
                "conference", Lower("name"), name="import_preset_name_unique_ci"
            ),
            models.CheckConstraint(
                condition=Q(source__in=ImportSource.values), name="import_preset_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name
