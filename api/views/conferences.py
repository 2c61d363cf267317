"""API views of the conferences app: my conferences; organizers' tables and rounds.

A conference is visible to its organizers and to the people registered for it; its tables and
rounds only to its organizers. Everything else answers 404.
"""

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from api.filters.conferences import AttendanceFilter, ConferenceFilter, RoundFilter, TableFilter
from api.serializers.conferences import (
    AttendanceSerializer,
    AttendanceUpdateSerializer,
    AttendanceUpsertDocSerializer,
    AttendanceUpsertSerializer,
    ConferenceSerializer,
    ConferenceUpdateSerializer,
    EncounterImportDocSerializer,
    EncounterImportSerializer,
    RoundSerializer,
    RoundWriteSerializer,
    TableSerializer,
    TableWriteSerializer,
    UpsertResultSerializer,
)
from attendees.models import Attendance
from attendees.registrations import attendances_upsert, encounters_import
from attendees.selectors.people import newcomer_ids
from attendees.selectors.rounds import rounds_with_counts
from attendees.services import attendance_update
from conferences.models import Conference, DrinkTable, MeetupRound
from conferences.scoping import conference_for_organizer, organized_conferences
from conferences.services import (
    conference_update,
    round_delete,
    table_create,
    table_delete,
)
from conferences.times import conference_zone
from matching.services.rounds import (
    round_create_with_status,
    round_update_with_status,
    table_update_with_notices,
)

CONFERENCE_SLUG = OpenApiParameter(
    "conference_slug",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The slug of a conference you organize.",
)
# PUT is left out on purpose: PATCH updates, and a missing field is never reset.
HTTP_METHODS = ["get", "post", "patch", "delete", "head", "options"]


def conferences_for(*, user):
    """Conferences the user organizes or is registered for, flagged which is which."""
    organized = organized_conferences(user=user).values("pk")
    attending = Attendance.objects.filter(
        person__user=user, person__deleted_at__isnull=True
    ).values("conference_id")
    return (
        Conference.objects.filter(Q(pk__in=organized) | Q(pk__in=attending))
        .select_related("series")
        .annotate(
            is_organizer=Exists(organized.filter(pk=OuterRef("pk"))),
            is_attending=Exists(attending.filter(conference_id=OuterRef("pk"))),
        )
        .order_by("-starts_on", "name")
    )


@extend_schema_view(
    list=extend_schema(summary="Conferences I attend or organize", description="Newest first."),
    retrieve=extend_schema(summary="A conference I attend or organize"),
)
class ConferenceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Conference.objects.none()
    serializer_class = ConferenceSerializer
    filterset_class = ConferenceFilter
    lookup_field = "slug"
    lookup_value_converter = "slug"
    http_method_names = HTTP_METHODS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Conference.objects.none()
        return conferences_for(user=self.request.user)

    @extend_schema(
        summary="Change a conference (organizers)",
        request=ConferenceUpdateSerializer,
        responses=ConferenceSerializer,
    )
    def partial_update(self, request, slug=None):
        conference = self.get_object()
        if not conference.is_organizer:
            raise exceptions.PermissionDenied("Only the conference's organizers can change it.")
        serializer = ConferenceUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        conference_update(
            by=request.user, conference_id=conference.pk, data=serializer.validated_data
        )
        return Response(self.get_serializer(self.get_object()).data)


# Views nested under /conferences/{slug}/ for the conference's organizers only. (A comment, not a
# docstring: drf-spectacular would show it as every operation's description.)
class OrganizerConferenceMixin:
    """Views under /conferences/<slug>/ of a conference the user organizes, else 404.

    The conference is looked up before the request body is: a 400 about the body first would
    answer differently for a conference that exists and one that does not.
    """

    @cached_property
    def conference(self) -> Conference:
        return conference_for_organizer(user=self.request.user, slug=self.kwargs["conference_slug"])

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not getattr(self, "swagger_fake_view", False):
            self.conference  # noqa: B018 -- raises Http404 for someone else's conference


@extend_schema(parameters=[CONFERENCE_SLUG], tags=["organizers"])
@extend_schema_view(
    list=extend_schema(summary="The conference's tables"),
    retrieve=extend_schema(summary="A table"),
    destroy=extend_schema(
        summary="Delete a table",
        description="Only a table nobody was ever seated at; otherwise set active to false.",
    ),
)
class TableViewSet(OrganizerConferenceMixin, viewsets.ModelViewSet):
    queryset = DrinkTable.objects.none()
    serializer_class = TableSerializer
    lookup_value_converter = "int"
    filterset_class = TableFilter
    http_method_names = HTTP_METHODS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DrinkTable.objects.none()
        return (
            DrinkTable.objects.filter(conference=self.conference)
            .select_related("host")
            .order_by("label", "pk")
        )

    def _write_serializer(self, *, partial: bool) -> TableWriteSerializer:
        serializer = TableWriteSerializer(
            data=self.request.data, partial=partial, conference=self.conference
        )
        serializer.is_valid(raise_exception=True)
        return serializer

    @extend_schema(
        summary="Add a table", request=TableWriteSerializer, responses={201: TableSerializer}
    )
    def create(self, request, conference_slug=None):
        data = self._write_serializer(partial=False).validated_data
        saved = table_create(by=request.user, conference_id=self.conference.pk, data=data)
        table = self.get_queryset().get(pk=saved.id)
        return Response(self.get_serializer(table).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a table", request=TableWriteSerializer, responses=TableSerializer
    )
    def partial_update(self, request, conference_slug=None, pk=None):
        table = self.get_object()
        data = self._write_serializer(partial=True).validated_data
        table_update_with_notices(by=request.user, table_id=table.pk, data=data)
        return Response(self.get_serializer(self.get_queryset().get(pk=table.pk)).data)

    def perform_destroy(self, instance):
        table_delete(by=self.request.user, table_id=instance.pk)


def organizer_rounds():
    """Rounds with their RSVP count and table ids, for the organizer's lists."""
    return (
        rounds_with_counts()
        .select_related("conference")
        .prefetch_related(Prefetch("tables", queryset=DrinkTable.objects.only("id").order_by("pk")))
    )


@extend_schema(parameters=[CONFERENCE_SLUG], tags=["organizers"])
@extend_schema_view(
    list=extend_schema(summary="The conference's rounds", description="Earliest first."),
    retrieve=extend_schema(summary="A round"),
    destroy=extend_schema(
        summary="Delete a round",
        description="Only a round that was never published; otherwise cancel it.",
    ),
)
class ConferenceRoundViewSet(OrganizerConferenceMixin, viewsets.ModelViewSet):
    queryset = MeetupRound.objects.none()
    serializer_class = RoundSerializer
    filterset_class = RoundFilter
    lookup_value_converter = "int"
    http_method_names = HTTP_METHODS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MeetupRound.objects.none()
        return organizer_rounds().filter(conference=self.conference)

    def filter_queryset(self, queryset):
        # starts_after / starts_before without an offset are the conference's local time.
        with timezone.override(conference_zone(self.conference)):
            return super().filter_queryset(queryset)

    def _write_serializer(self, *, partial: bool) -> RoundWriteSerializer:
        serializer = RoundWriteSerializer(
            data=self.request.data, partial=partial, conference=self.conference
        )
        serializer.is_valid(raise_exception=True)
        return serializer

    def _render(self, round_id: int, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=round_id)).data, status=code)

    @extend_schema(
        summary="Add a round", request=RoundWriteSerializer, responses={201: RoundSerializer}
    )
    def create(self, request, conference_slug=None):
        data = self._write_serializer(partial=False).validated_data
        saved = round_create_with_status(
            by=request.user, conference_id=self.conference.pk, data=data
        )
        return self._render(saved.id, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a round",
        description="Times, place, tables; status between draft and open.",
        request=RoundWriteSerializer,
        responses=RoundSerializer,
    )
    def partial_update(self, request, conference_slug=None, pk=None):
        round = self.get_object()
        serializer = self._write_serializer(partial=True)
        round_update_with_status(by=request.user, round_id=round.pk, data=serializer.validated_data)
        return self._render(round.pk)

    def perform_destroy(self, instance):
        round_delete(by=self.request.user, round_id=instance.pk)


@extend_schema(parameters=[CONFERENCE_SLUG], tags=["organizers"])
@extend_schema_view(
    list=extend_schema(summary="The conference's registrations", description="By name."),
    retrieve=extend_schema(summary="A registration"),
)
class AttendanceViewSet(
    OrganizerConferenceMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Attendance.objects.none()
    serializer_class = AttendanceSerializer
    filterset_class = AttendanceFilter
    lookup_value_converter = "int"
    http_method_names = HTTP_METHODS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Attendance.objects.none()
        return (
            Attendance.objects.filter(conference=self.conference)
            .select_related("person")
            .prefetch_related("person__topics")
            .order_by("person__full_name", "pk")
        )

    def _serializer(self, attendances, **kwargs):
        items = attendances if kwargs.get("many") else [attendances]
        newcomers = newcomer_ids(
            conference=self.conference, person_ids=[a.person_id for a in items]
        )
        return AttendanceSerializer(attendances, context={"newcomer_ids": newcomers}, **kwargs)

    def list(self, request, conference_slug=None):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._serializer(page, many=True).data)

    def retrieve(self, request, conference_slug=None, pk=None):
        return Response(self._serializer(self.get_object()).data)

    @extend_schema(
        summary="Change a registration, or check someone in",
        request=AttendanceUpdateSerializer,
        responses=AttendanceSerializer,
    )
    def partial_update(self, request, conference_slug=None, pk=None):
        attendance = self.get_object()
        serializer = AttendanceUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        attendance_update(
            by=request.user, attendance_id=attendance.pk, data=serializer.validated_data
        )
        return Response(self._serializer(self.get_object()).data)

    @extend_schema(
        summary="Register people in bulk (upsert by e-mail)",
        description="Creates or updates one registration per e-mail address; the same rows "
        "twice change nothing. All or nothing: when a row has an error, nothing is saved and "
        "`errors` names each row and field (`attendances[3].email`). People who signed in "
        "keep their own name, organization and topics.",
        request=AttendanceUpsertDocSerializer,
        # An upsert answers 200 whether it created, changed or kept rows (create's default,
        # 201, would be documented otherwise).
        responses={200: UpsertResultSerializer},
    )
    def create(self, request, conference_slug=None):
        serializer = AttendanceUpsertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = attendances_upsert(
            conference=self.conference,
            rows=serializer.validated_data["attendances"],
            by=request.user,
            dry_run=serializer.validated_data["dry_run"],
        )
        return _upsert_response(result, rows="attendances")


@extend_schema(
    parameters=[CONFERENCE_SLUG],
    tags=["organizers"],
    summary="Import past encounters",
    description="Who met whom at earlier editions, as `imported` encounters that count as "
    "ties for the matching. Both people must be registered at one of your conferences. All "
    "or nothing, like registrations; a pair already known at that edition is unchanged.",
    request=EncounterImportDocSerializer,
    responses=UpsertResultSerializer,
)
class EncounterImportView(OrganizerConferenceMixin, APIView):
    def post(self, request, conference_slug=None):
        serializer = EncounterImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = encounters_import(
            conference=self.conference,
            rows=serializer.validated_data["encounters"],
            by=request.user,
            dry_run=serializer.validated_data["dry_run"],
        )
        return _upsert_response(result, rows="encounters")


def _upsert_response(result, *, rows: str) -> Response:
    """The result of an all-or-nothing import, or every row error in the one error shape."""
    if result.errors:
        errors: dict[str, list[str]] = {}
        for error in result.errors:
            name = f"{rows}[{error.row}]" + (f".{error.field}" if error.field else "")
            errors.setdefault(name, []).append(error.message)
        bad_rows = len({error.row for error in result.errors})
        detail = (
            f"Nothing was saved: {bad_rows} row{'s have' if bad_rows > 1 else ' has'} errors. "
            "Fix them and send all the rows again."
        )
        return Response({"detail": detail, "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    return Response(UpsertResultSerializer(result).data)
