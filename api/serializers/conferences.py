"""API serializers of the conferences app: conferences, their tables and rounds."""

from rest_framework import serializers

from api.serializers.base import ConferenceDateTimeField, StrictSerializer
from attendees.enums import AttendanceRole
from attendees.models import Attendance, Person
from conferences.enums import RoundStatus
from conferences.models import (
    Conference,
    DrinkTable,
    MeetupRound,
    Series,
    Topic,
    validate_time_zone,
)
from conferences.times import conference_zone
from matching.services.lifecycle import EDITABLE_ROUND_STATUSES

# The statuses an organizer sets on a round directly (named in the schema's ENUM_NAME_OVERRIDES).
EDITABLE_STATUS_CHOICES = [(s.value, s.label) for s in RoundStatus if s in EDITABLE_ROUND_STATUSES]


class SeriesSerializer(serializers.ModelSerializer):
    class Meta:
        model = Series
        fields = ["slug", "name"]
        read_only_fields = fields


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "name"]
        read_only_fields = fields


class ConferenceSerializer(serializers.ModelSerializer):
    series = SeriesSerializer(read_only=True)
    is_organizer = serializers.BooleanField(
        read_only=True, help_text="I may manage this conference (tables, rounds, runs)."
    )
    is_attending = serializers.BooleanField(read_only=True, help_text="I am registered for it.")

    class Meta:
        model = Conference
        fields = [
            "slug",
            "name",
            "series",
            "city",
            "starts_on",
            "ends_on",
            "time_zone",
            "is_organizer",
            "is_attending",
        ]
        read_only_fields = fields


class ConferenceUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    city = serializers.CharField(max_length=120, allow_blank=True)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    time_zone = serializers.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="An IANA time zone such as Europe/Paris.",
    )


class TableSerializer(serializers.ModelSerializer):
    host_name = serializers.SerializerMethodField(
        help_text="The host's name, or null when the table has no host."
    )

    class Meta:
        model = DrinkTable
        fields = [
            "id",
            "label",
            "location",
            "capacity",
            "accessible",
            "active",
            "host",
            "host_name",
        ]
        read_only_fields = fields

    def get_host_name(self, table) -> str | None:
        return table.host.display_name if table.host_id else None


class TableWriteSerializer(StrictSerializer):
    label = serializers.CharField(max_length=40, help_text="Unique within the conference.")
    location = serializers.CharField(max_length=200, allow_blank=True, required=False)
    capacity = serializers.IntegerField(min_value=1, max_value=100, required=False)
    accessible = serializers.BooleanField(
        required=False, help_text="Reachable and usable in a wheelchair."
    )
    active = serializers.BooleanField(
        required=False, help_text="Inactive tables are left out of new runs."
    )
    host = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(),
        allow_null=True,
        required=False,
        help_text="Id of a person registered for the conference who sits here every round.",
        error_messages={
            "does_not_exist": "No person with id {pk_value} is registered for this conference."
        },
    )

    def __init__(self, *args, conference: Conference | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if conference is None:  # the schema generator describes the fields only
            return
        self.fields["host"].queryset = Person.objects.filter(
            attendances__conference=conference, deleted_at__isnull=True
        )


class RoundSerializer(serializers.ModelSerializer):
    conference = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tables = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text="Ids of the tables set up for the round; empty means every active table.",
    )
    going_count = serializers.IntegerField(read_only=True, help_text="RSVPs saying going.")
    starts_at = ConferenceDateTimeField(read_only=True)
    ends_at = ConferenceDateTimeField(read_only=True)
    published_at = ConferenceDateTimeField(read_only=True, allow_null=True, help_text=None)
    held_at = ConferenceDateTimeField(read_only=True, allow_null=True, help_text=None)
    time_zone = serializers.CharField(
        source="conference.time_zone",
        read_only=True,
        help_text="The conference's time zone (IANA name): times are given and read in it.",
    )

    class Meta:
        model = MeetupRound
        fields = [
            "id",
            "conference",
            "name",
            "starts_at",
            "ends_at",
            "time_zone",
            "location",
            "tables",
            "status",
            "published_run",
            "published_at",
            "held_at",
            "going_count",
        ]
        read_only_fields = fields


class RoundWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    starts_at = ConferenceDateTimeField()
    ends_at = ConferenceDateTimeField()
    location = serializers.CharField(max_length=200, allow_blank=True, required=False)
    tables = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=DrinkTable.objects.none(),
        required=False,
        help_text="Ids of this conference's tables set up for the round; "
        "empty means every active table.",
    )
    status = serializers.ChoiceField(
        choices=EDITABLE_STATUS_CHOICES,
        required=False,
        help_text="draft, or open for RSVPs. Matched, published and held follow from "
        "runs, publish and held; cancel with POST /rounds/{id}/cancel/.",
    )

    def __init__(self, *args, conference: Conference | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if conference is None:  # the schema generator describes the fields only
            return
        for name in ("starts_at", "ends_at"):
            self.fields[name].zone = conference_zone(conference)
        tables = self.fields["tables"].child_relation
        tables.queryset = DrinkTable.objects.filter(conference=conference)
        tables.error_messages["does_not_exist"] = "This conference has no table with id {pk_value}."

    def validate(self, attrs):
        starts_at = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        ends_at = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        if starts_at and ends_at and ends_at <= starts_at:
            raise serializers.ValidationError({"ends_at": ["The round must end after it starts."]})
        return attrs


# Registrations (attendances) and imports -------------------------------------------------------


class AttendancePersonSerializer(serializers.ModelSerializer):
    topics = serializers.SlugRelatedField(many=True, slug_field="slug", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "full_name", "email", "organization", "topics"]
        read_only_fields = fields


class AttendanceSerializer(serializers.ModelSerializer):
    person = AttendancePersonSerializer(read_only=True)
    newcomer = serializers.SerializerMethodField(
        help_text="A newcomer here: by history, or as the organizers set it (newcomer_override)."
    )

    class Meta:
        model = Attendance
        fields = [
            "id",
            "person",
            "role",
            "newcomer",
            "newcomer_override",
            "registered_at",
            "checked_in_at",
        ]
        read_only_fields = fields

    def get_newcomer(self, attendance) -> bool:
        return attendance.person_id in self.context["newcomer_ids"]


class AttendanceUpdateSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=AttendanceRole.choices)
    newcomer_override = serializers.BooleanField(
        allow_null=True, help_text="true or false to decide; null to decide from history."
    )
    checked_in = serializers.BooleanField(
        help_text="true: checked in now (an earlier check-in time is kept); false: not here."
    )


class RegistrationRowSerializer(StrictSerializer):
    """One registration."""

    email = serializers.EmailField(help_text="Identifies the person (case-insensitive).")
    full_name = serializers.CharField(max_length=200)
    organization = serializers.CharField(max_length=200, required=False, allow_null=True)
    role = serializers.ChoiceField(choices=AttendanceRole.choices, required=False, allow_null=True)
    topics = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        allow_null=True,
        help_text="Topic names or slugs; added to the person's topics, never removed.",
    )
    newcomer = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text="true/false to decide, null to decide from history (also yes, no, auto).",
    )


class EncounterRowSerializer(StrictSerializer):
    """One pair who met at an earlier edition."""

    email_a = serializers.EmailField()
    email_b = serializers.EmailField()
    conference = serializers.CharField(
        help_text="The slug of a conference you organize, or the year of an edition of this "
        "conference's series."
    )


MAX_ROWS = 5000
DRY_RUN_HELP = "Check the rows and answer what would change, without saving anything."


class AttendanceUpsertSerializer(StrictSerializer):
    attendances = serializers.ListField(
        child=serializers.DictField(),
        min_length=1,
        max_length=MAX_ROWS,
        help_text=f"Up to {MAX_ROWS} registrations, created or updated by e-mail.",
    )
    dry_run = serializers.BooleanField(default=False, help_text=DRY_RUN_HELP)


class AttendanceUpsertDocSerializer(AttendanceUpsertSerializer):
    attendances = RegistrationRowSerializer(
        many=True,
        min_length=1,
        max_length=MAX_ROWS,
        help_text=f"Up to {MAX_ROWS} registrations, created or updated by e-mail.",
    )

    class Meta:
        ref_name = "AttendanceUpsert"


class EncounterImportSerializer(StrictSerializer):
    encounters = serializers.ListField(
        child=serializers.DictField(),
        min_length=1,
        max_length=MAX_ROWS,
        help_text=f"Up to {MAX_ROWS} pairs who met at an earlier edition.",
    )
    dry_run = serializers.BooleanField(default=False, help_text=DRY_RUN_HELP)


class EncounterImportDocSerializer(EncounterImportSerializer):
    encounters = EncounterRowSerializer(
        many=True,
        min_length=1,
        max_length=MAX_ROWS,
        help_text=f"Up to {MAX_ROWS} pairs who met at an earlier edition.",
    )

    class Meta:
        ref_name = "EncounterImport"


class RowOutcomeSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Index of the row in the request, from 0.")
    label = serializers.CharField()
    action = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    changes = serializers.ListField(child=serializers.CharField())
    notes = serializers.ListField(child=serializers.CharField())


class UpsertResultSerializer(serializers.Serializer):
    applied = serializers.BooleanField(help_text="False for a dry run: nothing was saved.")
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    people_created = serializers.IntegerField(help_text="New people among the created.")
    rows = RowOutcomeSerializer(many=True, source="outcomes")
