"""API views of the matching app, for organizers: runs, the plan, publishing, the files.

Every round and run is looked up among the conferences the user organizes, so anybody
else's answers 404. Views parse, call ``matching.services`` or ``matching.selectors``, render.
"""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api.serializers.conferences import RoundSerializer
from api.serializers.matching import (
    HeldSerializer,
    PlanQuerySerializer,
    PlanSerializer,
    ProblemFileSerializer,
    PublishSerializer,
    RoundChangedSerializer,
    RoundDetailSerializer,
    RunRequestSerializer,
    RunSerializer,
    RunStartedSerializer,
    SeatMoveSerializer,
    SolutionFileSerializer,
    WalkInSeatedSerializer,
    WalkInSerializer,
)
from api.views.conferences import organizer_rounds
from conferences.enums import RoundStatus
from conferences.models import MeetupRound
from conferences.scoping import organized_conferences
from config.exceptions import ServiceError
from matching.models import MatchingRun
from matching.selectors.plans import plan_for, solution_export
from matching.services.lifecycle import round_transition
from matching.services.live import walk_in
from matching.services.problem import problem_export
from matching.services.runs import run_cancel, run_request
from matching.services.seating import seat_move

NO_PLAN = "There is no plan yet: run the matching first."


class SolutionV1Renderer(JSONRenderer):
    """``?format=v1`` on the plan: the plan as a format-v1 solution file."""

    format = "v1"


PLAN_OR_SOLUTION = PolymorphicProxySerializer(
    component_name="PlanOrSolutionFile",
    serializers=[PlanSerializer, SolutionFileSerializer],
    resource_type_field_name=None,
)


def _run_of(round: MeetupRound, run_id: int | None, *, field: str = "run") -> MatchingRun | None:
    if run_id is None:
        return None
    run = MatchingRun.objects.filter(round=round, pk=run_id).first()
    if run is None:
        raise ServiceError(f"This round has no run #{run_id}.", field=field)
    return run


@extend_schema(tags=["organizers"])
@extend_schema_view(
    retrieve=extend_schema(
        summary="A round of a conference I organize",
        description="With `actions`: the moves of its lifecycle you may take now.",
    )
)
class RoundViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = MeetupRound.objects.none()
    serializer_class = RoundDetailSerializer
    lookup_value_converter = "int"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MeetupRound.objects.none()
        return organizer_rounds().filter(
            conference__in=organized_conferences(user=self.request.user)
        )

    def _render(self, round_id: int) -> dict:
        return RoundSerializer(self.get_queryset().get(pk=round_id)).data

    def _render_changed(self, round_id: int, warning: str | None) -> dict:
        fresh = self.get_queryset().get(pk=round_id)
        return RoundChangedSerializer(fresh, context={"warning": warning}).data

    def _move(self, to: str, **options):
        """Move the round through the lifecycle (a stranger's round is a 404 first)."""
        round = self.get_object()
        return round_transition(round_id=round.pk, to=to, by=self.request.user, **options)

    @extend_schema(methods=["GET"], summary="The round's runs", responses=RunSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        summary="Start a matching run",
        description="Answers 202 with the queued run; follow it at GET /api/v1/runs/{id}/. "
        "While a run of the round is queued or running, answers 200 with that run instead "
        "(a queued run's task is sent again). If the task queue (Redis) cannot be reached, the "
        "run is saved and queued all the same and `warning` says so: it starts by itself once "
        "the queue is back.",
        request=RunRequestSerializer,
        responses={202: RunStartedSerializer, 200: RunStartedSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def runs(self, request, pk=None):
        round = self.get_object()
        if request.method == "GET":
            runs = MatchingRun.objects.filter(round=round).order_by("-created_at", "-pk")
            page = self.paginate_queryset(runs)
            return self.get_paginated_response(RunSerializer(page, many=True).data)
        serializer = RunRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        requested = run_request(round_id=round.pk, by=request.user, **serializer.validated_data)
        code = status.HTTP_202_ACCEPTED if requested.newly_requested else status.HTTP_200_OK
        run = requested.run
        run.refresh_from_db()  # an eager (in-process) run has finished by now
        return Response(
            RunStartedSerializer(run, context={"warning": requested.warning}).data, status=code
        )

    @extend_schema(
        summary="The round's plan",
        description="Every table with its people and why they are there, the unseated, and "
        "the metrics against the round's targets. The plan is the published one when there is "
        "one, else the latest succeeded run's (under review); `plan` says which. `?run=` shows "
        "another run's plan (`?review=true`: the newer plan under review). `?format=v1` answers "
        "the plan as a format-v1 solution file whose ids (p<person id>, t<table id>) match the "
        "problem file's; its headers `Drinktables-Plan-Run` and `Drinktables-Plan` (published "
        "or under_review) say which plan it is.",
        parameters=[PlanQuerySerializer],
        responses=PLAN_OR_SOLUTION,
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, SolutionV1Renderer])
    def plan(self, request, pk=None):
        round = self.get_object()
        query = PlanQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        run_id = query.validated_data.get("run")
        review = query.validated_data.get("review", False)
        if request.accepted_renderer.format == SolutionV1Renderer.format:
            if run_id is not None or review:
                field = "run" if run_id is not None else "review"
                raise ServiceError(
                    "format=v1 exports the round's current plan (the published one, else the "
                    f"one under review); leave out {field}.",
                    field=field,
                )
            exported = solution_export(round=round)
            response = Response(exported.data)
            response["Drinktables-Plan-Run"] = str(exported.plan.run.pk)
            response["Drinktables-Plan"] = exported.plan.kind
            return response
        plan = plan_for(round=round, run=_run_of(round, run_id), review=review)
        return Response(PlanSerializer(plan).data)

    @extend_schema(
        summary="Move a person to another table",
        description="In the plan under review (or `run`'s), before it is published. Refused, "
        "saying why, when the move would break a hard constraint. Answers the changed plan.",
        request=SeatMoveSerializer,
        responses=PlanSerializer,
    )
    @action(detail=True, methods=["post"], url_path="plan/move", url_name="plan-move")
    def move(self, request, pk=None):
        round = self.get_object()
        serializer = SeatMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moved = seat_move(
            by=request.user,
            round_id=round.pk,
            person_id=data["person"],
            table_id=data["table"],
            run_id=data.get("run"),
        )
        run = MatchingRun.objects.get(pk=moved.run_id)
        return Response(PlanSerializer(plan_for(round=round, run=run)).data)

    @extend_schema(
        summary="Seat a walk-in",
        description='At the door, after publishing: `{"person": id}` (registered for the '
        'conference) or `{"email": ..., "full_name": ...}` (registered first). They are '
        "going, checked in and seated at once at the best table with room (hard constraints "
        "kept, best by the matcher's goals), whatever the round's automatic seating says; "
        "they get an e-mail with their table. 201 with the table; 409 with the reason when no "
        "table fits (nothing changes) or the plan is not published.",
        request=WalkInSerializer,
        responses={201: WalkInSeatedSerializer},
    )
    @action(detail=True, methods=["post"], url_path="walk-ins", url_name="walk-ins")
    def walk_ins(self, request, pk=None):
        round = self.get_object()
        serializer = WalkInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        placed = walk_in(
            by=request.user,
            round_id=round.pk,
            person_id=data.get("person"),
            email=data.get("email", ""),
            full_name=data.get("full_name", ""),
        )
        return Response(WalkInSeatedSerializer(placed).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Publish the plan",
        description="Makes a run (by default the latest that succeeded) the round's plan and "
        "e-mails each seated attendee their table; on a re-publish only those whose table "
        "changed. Publishing the published plan again changes nothing but sends the e-mails "
        "still owed. When the task queue cannot be reached the plan is published all the same "
        "and `warning` says the e-mails follow.",
        request=PublishSerializer,
        responses=RoundChangedSerializer,
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        serializer = PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        options = {"run_id": serializer.validated_data.get("run")}
        published = self._move(RoundStatus.PUBLISHED, **options)
        return Response(self._render_changed(published.round.pk, published.warning))

    @extend_schema(
        summary="Unpublish the plan",
        description="Back to review; attendees keep what they were told until it is published "
        "again.",
        request=None,
        responses=RoundSerializer,
    )
    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        unpublished = self._move(RoundStatus.MATCHED)
        return Response(self._render(unpublished.round.pk))

    @extend_schema(
        summary="Mark the round held",
        description="After the evening: everyone who shared a table becomes a `seated` "
        "encounter. Doing it again creates nothing new.",
        request=None,
        responses=HeldSerializer,
    )
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        held = self._move(RoundStatus.HELD)
        return Response(
            {"round": self._render(held.round.pk), "encounters_created": held.encounters_created}
        )

    @extend_schema(
        summary="Cancel the round",
        description="Active runs stop; anyone already told a table hears it is cancelled "
        "(`warning` says when those e-mails wait for the task queue).",
        request=None,
        responses=RoundChangedSerializer,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        cancelled = self._move(RoundStatus.CANCELLED)
        return Response(self._render_changed(cancelled.round.pk, cancelled.warning))

    @extend_schema(
        summary="The round as a format-v1 problem file",
        description="What the matcher solves: solve it offline with `python -m matching solve`. "
        "Ids are p<person id> and t<table id>. Avoid pairs in which you are the one blocked "
        "are left out.",
        responses=ProblemFileSerializer,
    )
    @action(detail=True, methods=["get"])
    def problem(self, request, pk=None):
        round = self.get_object()
        return Response(problem_export(round=round, viewer=request.user))


@extend_schema(tags=["organizers"])
@extend_schema_view(
    retrieve=extend_schema(
        summary="A matching run", description="Status, progress, metrics and error."
    )
)
class RunViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = MatchingRun.objects.none()
    serializer_class = RunSerializer
    lookup_value_converter = "int"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MatchingRun.objects.none()
        return MatchingRun.objects.filter(
            round__conference__in=organized_conferences(user=self.request.user)
        )

    @extend_schema(
        summary="Cancel a run",
        description="A queued or running run stops within a second or two.",
        request=None,
        responses=RunSerializer,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        run = run_cancel(run_id=self.get_object().pk, by=request.user)
        return Response(RunSerializer(run).data)
