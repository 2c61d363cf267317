"""API serializers of the attendees app: what an attendee sends and sees."""

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.base import ConferenceDateTimeField, StrictSerializer
from api.serializers.conferences import TopicSerializer
from attendees.enums import EncounterKind, RSVPStatus
from attendees.models import ApiToken, Block, Encounter, Person
from attendees.selectors.search import SEARCH_MIN_LENGTH
from conferences.models import MeetupRound, Topic
from matching.services.encounters import met_editable_until


class ConferenceRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class PublicNameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at"]
        read_only_fields = fields


class ApiTokenCreateSerializer(StrictSerializer):
    name = serializers.CharField(
        max_length=100, help_text="What the token is for, e.g. the script that will use it."
    )


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(
        read_only=True,
        help_text="The secret: send it as `Authorization: Token <key>`. "
        "Shown only in this answer; store it now.",
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


# People ----------------------------------------------------------------------------------------


class PublicPersonSerializer(serializers.Serializer):
    """What anybody who may see a person sees: name, and organization unless they hide it."""

    id = serializers.IntegerField(source="pk", read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)
    organization = serializers.SerializerMethodField(
        help_text="Empty when the person hides it (or left)."
    )

    def get_organization(self, person: Person) -> str:
        return person.organization if person.show_organization and not person.deleted_at else ""


class PersonSearchResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="person_id")
    name = serializers.CharField()
    organization = serializers.CharField(help_text="Empty when the person hides it.")
    conferences = serializers.SerializerMethodField(help_text="Conferences you both attend.")

    @extend_schema_field(ConferenceRefSerializer(many=True))
    def get_conferences(self, result) -> list[dict]:
        slugs = self.context["conference_slugs"]
        return [{"slug": slugs[pk], "name": name} for pk, name in result.conferences]


class PersonSearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        min_length=SEARCH_MIN_LENGTH,
        max_length=100,
        help_text=f"Part of the name; at least {SEARCH_MIN_LENGTH} characters.",
    )
    conference = serializers.SlugField(
        required=False, help_text="Only attendees of this conference of yours (its slug)."
    )


# Me --------------------------------------------------------------------------------------------


LANGUAGE_CHOICES = [("", "the browser's"), *settings.LANGUAGES]
LANGUAGE_HELP = (
    "Pages, e-mails and calendar texts in this language (en, es, de, fr); "
    "empty: the browser's language."
)


class MeSerializer(serializers.ModelSerializer):
    topics = TopicSerializer(many=True, read_only=True)
    language = serializers.ChoiceField(
        choices=LANGUAGE_CHOICES, read_only=True, help_text=LANGUAGE_HELP
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "full_name",
            "email",
            "organization",
            "bio",
            "topics",
            "needs_accessible_seating",
            "opted_out",
            "show_organization",
            "language",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "email": {"help_text": "You sign in with it; change it with POST /api/v1/me/email/."},
            "needs_accessible_seating": {
                "help_text": Person.needs_accessible_seating.field.help_text
            },
        }


class EmailChangeSerializer(StrictSerializer):
    email = serializers.CharField(
        max_length=254, help_text="The address to sign in with from now on."
    )


class EmailChangeRequestedSerializer(serializers.Serializer):
    new_email = serializers.CharField(read_only=True)
    detail = serializers.CharField(read_only=True)


class MeUpdateSerializer(StrictSerializer):
    full_name = serializers.CharField(max_length=200, help_text="The name people see.")
    organization = serializers.CharField(max_length=200, allow_blank=True)
    bio = serializers.CharField(max_length=1000, allow_blank=True)
    topics = serializers.SlugRelatedField(
        many=True,
        slug_field="slug",
        queryset=Topic.objects.all(),
        help_text="Slugs from GET /api/v1/topics/; replaces your topics.",
    )
    needs_accessible_seating = serializers.BooleanField(
        help_text="Private: only used to seat you at an accessible table."
    )
    opted_out = serializers.BooleanField(help_text="Never seat me (I can still attend).")
    show_organization = serializers.BooleanField(help_text="Show my organization to tablemates.")
    language = serializers.ChoiceField(
        choices=LANGUAGE_CHOICES, allow_blank=True, help_text=LANGUAGE_HELP
    )


# Rounds ----------------------------------------------------------------------------------------


class TableRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    location = serializers.CharField()


class MyRoundSerializer(serializers.ModelSerializer):
    conference = ConferenceRefSerializer(read_only=True)
    rsvp = serializers.ChoiceField(
        source="my_rsvp",
        choices=RSVPStatus.choices,
        allow_null=True,
        read_only=True,
        help_text="My answer, or null before I answer.",
    )
    rsvp_open = serializers.BooleanField(
        read_only=True, help_text="Whether my answer can still change."
    )
    table = serializers.SerializerMethodField(
        help_text="My table once the plan is published, else null."
    )
    waiting = serializers.BooleanField(
        source="my_waiting",
        read_only=True,
        help_text="Going to a published round without a table yet: on its waiting list, "
        "seated (and e-mailed) as soon as a seat frees up.",
    )
    starts_at = ConferenceDateTimeField(read_only=True)
    ends_at = ConferenceDateTimeField(read_only=True)
    time_zone = serializers.CharField(
        source="conference.time_zone",
        read_only=True,
        help_text="The conference's time zone (IANA name).",
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
            "status",
            "rsvp",
            "rsvp_open",
            "table",
            "waiting",
        ]
        read_only_fields = fields

    @extend_schema_field(TableRefSerializer(allow_null=True))
    def get_table(self, round) -> dict | None:
        if round.my_table_id is None:
            return None
        return {
            "id": round.my_table_id,
            "label": round.my_table_label,
            "location": round.my_table_location or "",
        }


class RSVPSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=RSVPStatus.choices, help_text="going or not_going")


class TablemateSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="person_id")
    name = serializers.CharField()
    organization = serializers.CharField(help_text="Empty when they hide it.")
    topics = serializers.ListField(child=serializers.CharField())
    bio = serializers.CharField()
    newcomer = serializers.BooleanField(
        help_text="A newcomer at this conference: no earlier edition or encounter (or as the "
        "organizers set it)."
    )
    former = serializers.BooleanField(help_text="They deleted their account since.")
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text='Why they are at your table, in plain words ("you met at NECC 2008").',
    )


class MyTableSerializer(serializers.Serializer):
    round = serializers.IntegerField(source="round.pk")
    table = TableRefSerializer()
    tablemates = TablemateSerializer(many=True)


class MetRequestSerializer(StrictSerializer):
    people = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=500,
        help_text="Ids of the people you met at the round (tablemates or others who were there).",
    )


class MetSerializer(serializers.Serializer):
    people = PublicPersonSerializer(many=True, help_text="Everyone you met at the round.")


# Encounters and network ------------------------------------------------------------------------


class RoundRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EncounterSerializer(serializers.ModelSerializer):
    person = serializers.SerializerMethodField(help_text="The other person.")
    conference = ConferenceRefSerializer(read_only=True, allow_null=True)
    round = RoundRefSerializer(read_only=True, allow_null=True)
    undo_until = serializers.SerializerMethodField(
        help_text="For a `met` encounter: until when it can be taken back (DELETE); null for "
        "the others."
    )

    class Meta:
        model = Encounter
        fields = ["id", "kind", "person", "conference", "round", "occurred_on", "undo_until"]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_undo_until(self, encounter) -> str | None:
        if encounter.kind != EncounterKind.MET or encounter.round is None:
            return None
        return serializers.DateTimeField().to_representation(
            met_editable_until(round=encounter.round)
        )

    @extend_schema_field(PublicPersonSerializer)
    def get_person(self, encounter) -> dict:
        me = self.context["person"]
        other = encounter.person_b if encounter.person_a_id == me.pk else encounter.person_a
        return PublicPersonSerializer(other).data


class ContactSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="person_id")
    name = serializers.CharField()
    organization = serializers.CharField()
    first_met_on = serializers.DateField()
    places = serializers.ListField(child=serializers.CharField())
    encounters = serializers.IntegerField()


class EditionSerializer(serializers.Serializer):
    name = serializers.CharField()
    year = serializers.IntegerField()
    contacts = serializers.SerializerMethodField(help_text="Ids of the contacts met there.")
    new = serializers.IntegerField(help_text="Of those, met there for the first time.")

    def get_contacts(self, group) -> list[int]:
        return [contact.person_id for contact in group.contacts]


class GrowthSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    new = serializers.IntegerField()
    total = serializers.IntegerField()


class NetworkSerializer(serializers.Serializer):
    contacts = ContactSerializer(many=True)
    editions = EditionSerializer(many=True, help_text="Newest first.")
    growth = GrowthSerializer(many=True, help_text="Every year from the first to the last.")


# Private wishes --------------------------------------------------------------------------------


class BlockSerializer(serializers.ModelSerializer):
    person = PublicPersonSerializer(source="blocked", read_only=True)

    class Meta:
        model = Block
        fields = ["id", "person", "created_at"]
        read_only_fields = fields


class PersonChoiceSerializer(StrictSerializer):
    person = serializers.IntegerField(
        min_value=1, help_text="Id of an attendee of one of your conferences."
    )


class SitTogetherSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.SerializerMethodField()
    conference = serializers.SerializerMethodField()
    mutual = serializers.BooleanField(help_text="They asked to sit with you too: it counts.")
    created_at = serializers.DateTimeField()

    @extend_schema_field(PublicNameSerializer)
    def get_person(self, request) -> dict:
        return {"id": request.other_id, "name": request.other_name}

    @extend_schema_field(ConferenceRefSerializer)
    def get_conference(self, request) -> dict:
        slug = self.context["conference_slugs"][request.conference_id]
        return {"slug": slug, "name": request.conference_name}


class SitTogetherCreateSerializer(PersonChoiceSerializer):
    conference = serializers.SlugField(help_text="Slug of one of your conferences not yet over.")


# Export (describes what attendees.selectors.person_export returns) -----------------------------


class _ExportProfile(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    organization = serializers.CharField()
    show_organization = serializers.BooleanField()
    bio = serializers.CharField()
    topics = serializers.ListField(child=serializers.CharField())
    needs_accessible_seating = serializers.BooleanField()
    opted_out = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class _ExportToken(serializers.Serializer):
    name = serializers.CharField()
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)


class _ExportAccount(serializers.Serializer):
    username = serializers.CharField(allow_null=True)
    date_joined = serializers.DateTimeField(allow_null=True)
    last_login = serializers.DateTimeField(allow_null=True)
    api_tokens = _ExportToken(many=True)


class _ExportLink(serializers.Serializer):
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    used_at = serializers.DateTimeField(allow_null=True)
    requested_ip = serializers.CharField(allow_null=True)


class _ExportAttendance(serializers.Serializer):
    conference = serializers.CharField()
    series = serializers.CharField()
    starts_on = serializers.DateField()
    role = serializers.CharField()
    registered_at = serializers.DateTimeField()
    checked_in_at = serializers.DateTimeField(allow_null=True)


class _ExportRSVP(serializers.Serializer):
    conference = serializers.CharField()
    round = serializers.CharField()
    starts_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=RSVPStatus.choices)
    updated_at = serializers.DateTimeField()


class _ExportSeat(serializers.Serializer):
    conference = serializers.CharField()
    round = serializers.CharField()
    table = serializers.CharField()
    location = serializers.CharField()


class _ExportEncounter(serializers.Serializer):
    with_ = serializers.CharField(label="with")
    kind = serializers.CharField()
    conference = serializers.CharField(allow_null=True)
    round = serializers.CharField(allow_null=True)
    occurred_on = serializers.DateField()

    def get_fields(self):
        fields = super().get_fields()
        fields["with"] = fields.pop("with_")
        return fields


class _ExportBlock(serializers.Serializer):
    blocked = serializers.CharField()
    created_at = serializers.DateTimeField()


class _ExportSitTogether(serializers.Serializer):
    with_ = serializers.CharField()
    conference = serializers.CharField()
    mutual = serializers.BooleanField()
    created_at = serializers.DateTimeField()

    def get_fields(self):
        fields = super().get_fields()
        fields["with"] = fields.pop("with_")
        return fields


class ExportSerializer(serializers.Serializer):
    """Everything stored about me (the same file as the dashboard's "export my data")."""

    format = serializers.CharField(help_text="drinktables.export.v1")
    exported_at = serializers.DateTimeField()
    profile = _ExportProfile()
    account = _ExportAccount()
    sign_in_links = _ExportLink(many=True)
    attendances = _ExportAttendance(many=True)
    rsvps = _ExportRSVP(many=True)
    seats = _ExportSeat(many=True)
    encounters = _ExportEncounter(many=True)
    blocks = _ExportBlock(many=True, help_text="The blocks I made.")
    sit_together_requests = _ExportSitTogether(many=True, help_text="The requests I made.")


# Stay in touch ---------------------------------------------------------------------------------


class ContactCardSerializer(serializers.Serializer):
    email = serializers.CharField(help_text="The e-mail I share (my sign-in address by default).")
    link = serializers.CharField(help_text="One web address I share; empty for none.")


class SharedContactSerializer(serializers.Serializer):
    person = serializers.SerializerMethodField()
    organization = serializers.CharField(help_text="Empty when they do not show it.")
    email = serializers.CharField()
    link = serializers.CharField(help_text="Empty when they share none.")

    @extend_schema_field(PublicNameSerializer)
    def get_person(self, contact) -> dict:
        return {"id": contact.person_id, "name": contact.name}


class ContactsSerializer(serializers.Serializer):
    card = ContactCardSerializer(help_text="What I share with the people I offer it to.")
    mutual = SharedContactSerializer(
        many=True, help_text="People who offered me their details and to whom I offered mine."
    )
    offered = serializers.SerializerMethodField(
        help_text="People I offered my details to who have not offered theirs (they see "
        "nothing until they do)."
    )

    @extend_schema_field(PublicNameSerializer(many=True))
    def get_offered(self, contacts) -> list[dict]:
        return [{"id": pk, "name": name} for pk, name in contacts.offered]


class ContactOfferCreateSerializer(StrictSerializer):
    person = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="Id of someone I sat with at a round that took place, or marked as met.",
    )
    email = serializers.CharField(
        required=False,
        max_length=254,
        help_text="Changes the e-mail I share (for every offer); my sign-in address by default.",
    )
    link = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Changes the one link I share (http or https; empty for none).",
    )


class ContactOfferSerializer(serializers.Serializer):
    person = serializers.SerializerMethodField()
    mutual = serializers.BooleanField(help_text="They offered theirs too: see `GET me/contacts/`.")
    card = ContactCardSerializer(help_text="What I share with them.")

    @extend_schema_field(PublicNameSerializer)
    def get_person(self, row) -> dict:
        return {"id": row.person_id, "name": row.name}


# Calendar subscription -------------------------------------------------------------------------


class CalendarFeedSerializer(serializers.Serializer):
    subscribed = serializers.SerializerMethodField(help_text="Whether I have a calendar link.")
    prefix = serializers.CharField(
        allow_null=True, help_text="The first characters of the link's secret, to recognise it."
    )
    created_at = serializers.DateTimeField(allow_null=True, required=False, default=None)
    last_used_at = serializers.DateTimeField(
        allow_null=True,
        required=False,
        default=None,
        help_text="When a calendar last read the feed (to the minute).",
    )

    def get_subscribed(self, feed) -> bool:
        return bool(getattr(feed, "pk", None))


class CalendarFeedCreatedSerializer(CalendarFeedSerializer):
    webcal = serializers.CharField(help_text="`webcal://…`: opens a calendar app. Shown once.")
    url = serializers.CharField(
        help_text="The same feed over HTTPS, for calendars that ask for a web address."
    )
