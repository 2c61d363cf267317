import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext, gettext_noop

from attendees.enums import AttendanceRole, EncounterKind, RSVPStatus
from conferences.models import Conference, MeetupRound, Topic

# How every page, e-mail and export names someone who deleted their account (in the reader's
# language: ``display_name_of`` translates it).
FORMER_ATTENDEE = gettext_noop("A former attendee")


def display_name_of(*, full_name: str, deleted_at) -> str:
    """A person's name as shown to others, from plain values (rows read without the model)."""
    return gettext(FORMER_ATTENDEE) if deleted_at else full_name


def first_name_of(*, full_name: str, deleted_at) -> str:
    return gettext(FORMER_ATTENDEE) if deleted_at else full_name.split(" ", 1)[0]


class Person(models.Model):
    """One human across every edition of every conference.

    Deleting an account keeps the row, stripped of everything personal, so the encounters
    others had with them survive as "a former attendee".
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    full_name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, blank=True)
    organization = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True, max_length=1000)
    topics = models.ManyToManyField(Topic, blank=True, related_name="people")
    needs_accessible_seating = models.BooleanField(
        default=False, help_text="Private: only used to seat this person at an accessible table."
    )
    opted_out = models.BooleanField(
        default=False, help_text="Never seated by the matcher (they can still attend)."
    )
    show_organization = models.BooleanField(
        default=True, help_text="Show the organization to tablemates."
    )
    language = models.CharField(
        max_length=8,
        blank=True,
        default="",
        choices=settings.LANGUAGES,
        help_text="Pages, e-mails and calendar texts in this language; blank: the browser's.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="person_email_unique_ci"
            ),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=False) | ~Q(email=""),
                name="person_email_required",
            ),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=False) | ~Q(full_name=""),
                name="person_name_required",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return display_name_of(full_name=self.full_name, deleted_at=self.deleted_at)

    @property
    def first_name(self) -> str:
        return first_name_of(full_name=self.full_name, deleted_at=self.deleted_at)


class Attendance(models.Model):
    """A person registered for a conference.

    A person is a newcomer at a conference when they have no attendance at an earlier edition
    and no encounter before it (see ``attendees.selectors.newcomer_ids``); ``newcomer_override``
    lets organizers decide otherwise.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendances")
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="attendances")
    role = models.CharField(
        max_length=12, choices=AttendanceRole.choices, default=AttendanceRole.ATTENDEE
    )
    newcomer_override = models.BooleanField(
        null=True,
        blank=True,
        help_text="Leave empty to decide from history; yes/no to override.",
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["conference", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "conference"], name="attendance_unique"),
            models.CheckConstraint(
                condition=Q(role__in=AttendanceRole.values), name="attendance_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.conference}"


class RoundRSVP(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="rsvps")
    round = models.ForeignKey(MeetupRound, on_delete=models.CASCADE, related_name="rsvps")
    status = models.CharField(max_length=10, choices=RSVPStatus.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "RSVP"
        constraints = [
            models.UniqueConstraint(fields=["person", "round"], name="rsvp_unique"),
            models.CheckConstraint(
                condition=Q(status__in=RSVPStatus.values), name="rsvp_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_status_display()} to {self.round.name}"


class Encounter(models.Model):
    """Two people who sat together, met, or were imported as having met.

    The pair is unordered: stored with ``person_a_id < person_b_id``.
    """

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=EncounterKind.choices)
    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, null=True, blank=True, related_name="encounters"
    )
    round = models.ForeignKey(
        MeetupRound, on_delete=models.CASCADE, null=True, blank=True, related_name="encounters"
    )
    occurred_on = models.DateField(help_text="When they met; drives how much the tie weighs.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "pk"]
        indexes = [models.Index(fields=["person_b", "person_a"], name="encounter_b_a")]
        constraints = [
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="encounter_pair_ordered"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EncounterKind.values), name="encounter_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[EncounterKind.SEATED, EncounterKind.MET])
                | Q(round__isnull=False),
                name="encounter_round_required",
            ),
            models.UniqueConstraint(
                fields=["person_a", "person_b", "round", "kind"],
                condition=Q(round__isnull=False),
                name="encounter_unique_per_round",
            ),
            models.UniqueConstraint(
                fields=["person_a", "person_b", "conference", "kind"],
                condition=Q(round__isnull=True, conference__isnull=False),
                name="encounter_unique_per_conference",
            ),
            models.UniqueConstraint(
                fields=["person_a", "person_b", "occurred_on", "kind"],
                condition=Q(round__isnull=True, conference__isnull=True),
                name="encounter_unique_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_a} & {self.person_b} ({self.get_kind_display()})"

    @staticmethod
    def ordered(first_id: int, second_id: int) -> tuple[int, int]:
        return (first_id, second_id) if first_id < second_id else (second_id, first_id)


class Block(models.Model):
    """A private "never seat me with this person". Never shown to the blocked person."""

    blocker = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"block #{self.pk}"


class SitTogether(models.Model):
    """One person's wish to sit with another at a conference; only mutual wishes are seated."""

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="sit_together_requests"
    )
    requester = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="sit_together_requests"
    )
    requested = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "sit-together request"
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "requester", "requested"], name="sit_together_unique"
            ),
            models.CheckConstraint(
                condition=~Q(requester=F("requested")), name="sit_together_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester} would like to sit with {self.requested}"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class LoginLink(models.Model):
    """A one-time sign-in link sent by e-mail. Only the hash of its secret is stored."""

    email = models.EmailField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    requested_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the e-mail went out; the secret is made by the sending task.",
    )
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["email", "created_at"], name="loginlink_email_created"),
            models.Index(fields=["requested_ip", "created_at"], name="loginlink_ip_created"),
        ]

    def __str__(self) -> str:
        return f"sign-in link #{self.pk}"


class EmailChange(models.Model):
    """A person's request to sign in with another address, confirmed from that address.

    Only the hash of the link's secret is stored; the address changes when the link is used.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="email_changes")
    new_email = models.EmailField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "e-mail change"

    def __str__(self) -> str:
        return f"e-mail change #{self.pk}"


class ApiToken(models.Model):
    """A personal API token. The key is shown once; only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class CalendarFeed(models.Model):
    """A person's private calendar subscription (``webcal://…``): a feed of all their tables.

    The URL's secret is shown once, when the feed is made or reset; only its SHA-256 is stored,
    and the feed answers to a request whose secret hashes to ``token_hash``.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="calendar_feed")
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "calendar subscription"

    def __str__(self) -> str:
        return f"calendar subscription ({self.prefix}…)"
