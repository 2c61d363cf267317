"""API serializers of the matching app: runs, the plan, and the format-v1 files."""

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.base import StrictSerializer
from api.serializers.conferences import RoundSerializer
from conferences.enums import RoundStatus
from matching.enums import RoundAction
from matching.models import MatchingRun
from matching.services.lifecycle import allowed_actions
from matching.services.portfolio import MAX_PORTFOLIO, MAX_SEED

METRICS_HELP = (
    "The plan's metrics as docs/design.md §3 defines them (seated, unseated, violations per "
    "hard constraint, repeat_pairs, welcome_rate, anchor_rate, topic_rate, small_tables, "
    "newcomer_spread, circle_strength and circle_tables, ...); empty until the run succeeds."
)


class RunSerializer(serializers.ModelSerializer):
    metrics = serializers.DictField(read_only=True, help_text=METRICS_HELP)

    class Meta:
        model = MatchingRun
        fields = [
            "id",
            "round",
            "status",
            "progress",
            "error",
            "seed",
            "chosen_seed",
            "time_limit_s",
            "portfolio",
            "attempts",
            "edited",
            "metrics",
            "elapsed_s",
            "created_at",
            "started_at",
            "heartbeat_at",
            "finished_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "progress": {"help_text": "0 to 100."},
            "error": {"help_text": "Why the run failed or was cancelled, for the organizer."},
        }


class RunStartedSerializer(RunSerializer):
    warning = serializers.SerializerMethodField(
        help_text="Null when all is well. Set when the run is saved and queued but the task "
        "queue (Redis) could not be reached: the run starts by itself once the queue is back; "
        "POST again to send it at once."
    )

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "warning"]
        read_only_fields = fields

    def get_warning(self, run) -> str | None:
        return self.context.get("warning")


class RoundChangedSerializer(RoundSerializer):
    """The round after publishing or cancelling, with what the organizer should know."""

    warning = serializers.SerializerMethodField(
        help_text="Null when all is well. Set when the round changed but the e-mails to "
        "attendees could not be queued (the task queue, Redis, is not reachable): they go out "
        "by themselves once it is back."
    )

    class Meta(RoundSerializer.Meta):
        fields = [*RoundSerializer.Meta.fields, "warning"]
        read_only_fields = fields

    def get_warning(self, round) -> str | None:
        return self.context.get("warning")


class RoundActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=RoundAction.choices)
    to = serializers.ChoiceField(
        choices=RoundStatus.choices, help_text="The status the round moves to."
    )
    label = serializers.CharField(help_text="What a button says.")
    confirm = serializers.CharField(
        help_text="What to ask before doing it (e.g. how many people a publish e-mails)."
    )
    confirm_step = serializers.BooleanField(
        help_text="Whether to ask before doing it: the move e-mails people or cannot be undone "
        "(publish, cancel, held)."
    )
    emails = serializers.IntegerField(help_text="How many people the move e-mails.")


class RoundDetailSerializer(RoundSerializer):
    """A round, with the moves its status allows now (the plan page's buttons)."""

    actions = serializers.SerializerMethodField(
        help_text="The lifecycle moves you may take now: publish, unpublish, held and cancel "
        "have their own endpoints; open and draft are a PATCH of the round's status."
    )

    class Meta(RoundSerializer.Meta):
        fields = [*RoundSerializer.Meta.fields, "actions"]
        read_only_fields = fields

    @extend_schema_field(RoundActionSerializer(many=True))
    def get_actions(self, round) -> list[dict]:
        offers = allowed_actions(round=round, user=self.context["request"].user)
        return RoundActionSerializer(offers, many=True).data


class RunRequestSerializer(StrictSerializer):
    seed = serializers.IntegerField(
        min_value=0,
        max_value=MAX_SEED,
        required=False,
        help_text="Reproduce a plan with the same seed; a random one when left out.",
    )
    time_limit_s = serializers.FloatField(
        required=False,
        help_text=f"Seconds the solver may take (default {settings.MATCHING_DEFAULT_TIME_LIMIT_S:g}"
        f", at most {settings.MATCHING_MAX_TIME_LIMIT_S:g}).",
    )
    portfolio = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PORTFOLIO,
        required=False,
        help_text="Seeds tried at once over the available workers; the best plan is kept.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read the limit now, not at import: it is a setting.
        self.fields["time_limit_s"] = serializers.FloatField(
            min_value=0.1,
            max_value=settings.MATCHING_MAX_TIME_LIMIT_S,
            required=False,
            help_text=self.fields["time_limit_s"].help_text,
        )


class PlanPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name")


class PlanSeatPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class PlanSeatSerializer(serializers.Serializer):
    person = PlanSeatPersonSerializer(source="*")
    newcomer = serializers.BooleanField()
    host = serializers.BooleanField(help_text="Hosts the table: sits there every round.")
    friends = serializers.ListField(child=serializers.CharField(), help_text="Friends here.")
    shared_topics = serializers.ListField(child=serializers.CharField())
    together_with = serializers.ListField(
        child=serializers.CharField(), help_text="Mutual sit-together requests here."
    )
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="Why they sit here, for the organizer."
    )
    warnings = serializers.ListField(child=serializers.CharField())


class PlanTableSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="table.pk")
    label = serializers.CharField(source="table.label")
    location = serializers.CharField(source="table.location")
    capacity = serializers.IntegerField(source="table.capacity")
    accessible = serializers.BooleanField(source="table.accessible")
    free = serializers.IntegerField(help_text="Seats left.")
    newcomers = serializers.IntegerField(source="newcomer_count")
    circle = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="Two returning friends who welcome the newcomers, or null.",
    )
    seats = PlanSeatSerializer(many=True)


class MetricTargetSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()
    target = serializers.CharField()
    ok = serializers.BooleanField()
    help = serializers.CharField()


class PlanWhichSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[("published", "Published plan"), ("under_review", "Plan under review")],
        help_text="published: the round's published plan; under_review: not published.",
    )
    run = serializers.IntegerField(source="run.pk", help_text="The run whose plan it is.")
    published_at = serializers.DateTimeField(allow_null=True)
    newer_run = serializers.IntegerField(
        source="newer.pk",
        allow_null=True,
        default=None,
        help_text="A newer plan under review while this published one stands (?review=true).",
    )


class PlanSerializer(serializers.Serializer):
    round = serializers.IntegerField(source="round.pk")
    plan = PlanWhichSerializer(
        allow_null=True, help_text="Which plan this is (the same answer as every export's)."
    )
    run = RunSerializer(allow_null=True, help_text="The run whose plan this is; null: no plan.")
    is_published = serializers.BooleanField()
    seated = serializers.IntegerField()
    tables = PlanTableSerializer(many=True)
    unseated = PlanPersonSerializer(many=True, help_text="Going, but without a seat.")
    targets = MetricTargetSerializer(
        many=True, source="metrics", help_text="The run's metrics against the round's targets."
    )
    pending_notices = serializers.IntegerField(
        help_text="Attendees publishing this plan would notify (new or changed table)."
    )


class PlanQuerySerializer(serializers.Serializer):
    run = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Show this run's plan instead of the round's plan (a run of this round).",
    )
    review = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Show the plan under review: a newer succeeded run than the published one.",
    )


class SeatMoveSerializer(StrictSerializer):
    person = serializers.IntegerField(min_value=1, help_text="Id of a person going to the round.")
    table = serializers.IntegerField(min_value=1, help_text="Id of one of the round's tables.")
    run = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The plan to change; the plan under review by default.",
    )


class WalkInSerializer(StrictSerializer):
    """Someone registered for the conference (``person``), or someone new by e-mail and name."""

    person = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Id of a person registered for the round's conference.",
    )
    email = serializers.EmailField(
        required=False, max_length=254, help_text="A new walk-in's e-mail (with `full_name`)."
    )
    full_name = serializers.CharField(
        required=False, max_length=200, help_text="A new walk-in's full name (with `email`)."
    )

    def validate(self, data):
        if "person" in data and ("email" in data or "full_name" in data):
            raise serializers.ValidationError(
                {"person": ["Give either `person` or `email` and `full_name`, not both."]}
            )
        if "person" not in data and not (data.get("email") and data.get("full_name")):
            missing = [name for name in ("email", "full_name") if not data.get(name)]
            raise serializers.ValidationError(
                {
                    name: ["Required without `person`: give `email` and `full_name`."]
                    for name in missing
                }
            )
        return data


class WalkInSeatedSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id", help_text="The walk-in's person id.")
    name = serializers.CharField(source="person_name")
    table = serializers.SerializerMethodField(help_text="The table they sit at.")

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "label": {"type": "string"},
                "location": {"type": "string"},
            },
            "required": ["id", "label", "location"],
        }
    )
    def get_table(self, placement) -> dict:
        return {
            "id": placement.table_id,
            "label": placement.table_label,
            "location": placement.table_location,
        }


class PublishSerializer(StrictSerializer):
    run = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The run to publish (a succeeded run of this round); the latest by default.",
    )


class HeldSerializer(serializers.Serializer):
    round = RoundSerializer()
    encounters_created = serializers.IntegerField(
        help_text="New `seated` encounters; marking held again creates none."
    )


# Format v1 files (docs/design.md §4) --------------------------------------------------------


class _ProblemPerson(serializers.Serializer):
    id = serializers.CharField(help_text="p<person id>")
    newcomer = serializers.BooleanField()
    topics = serializers.ListField(child=serializers.CharField())
    accessible = serializers.BooleanField(help_text="Needs an accessible table.")
    attends = serializers.ListField(
        child=serializers.IntegerField(), allow_null=True, help_text="null: every round."
    )


class _ProblemTable(serializers.Serializer):
    id = serializers.CharField(help_text="t<table id>")
    capacity = serializers.IntegerField()
    accessible = serializers.BooleanField()
    rounds = serializers.ListField(
        child=serializers.IntegerField(), allow_null=True, help_text="null: every round."
    )


class _ProblemTie(serializers.Serializer):
    a = serializers.CharField()
    b = serializers.CharField()
    weight = serializers.FloatField()


class _ProblemPin(serializers.Serializer):
    person = serializers.CharField()
    table = serializers.CharField()
    round = serializers.IntegerField(required=False, help_text="Left out: every round.")


class ProblemFileSerializer(serializers.Serializer):
    """A format-v1 problem (drinktables.problem.v1) that `python -m matching solve` reads."""

    format = serializers.CharField(help_text="drinktables.problem.v1")
    rounds = serializers.IntegerField()
    seed = serializers.IntegerField()
    time_limit_s = serializers.FloatField(allow_null=True)
    people = _ProblemPerson(many=True)
    tables = _ProblemTable(many=True)
    ties = _ProblemTie(many=True)
    history = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Groups who already sat together at this conference.",
    )
    avoid = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Pairs never seated together (private requests).",
    )
    together = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Mutual sit-together pairs.",
    )
    pinned = _ProblemPin(many=True)
    options = serializers.DictField(help_text="Solver options, written out explicitly.")


class _SolutionRound(serializers.Serializer):
    round = serializers.IntegerField()
    tables = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='{"t<table id>": ["p<person id>", ...]}',
    )
    unseated = serializers.ListField(child=serializers.CharField())


class SolutionFileSerializer(serializers.Serializer):
    """The round's plan as a format-v1 solution (drinktables.solution.v1)."""

    format = serializers.CharField(help_text="drinktables.solution.v1")
    rounds = _SolutionRound(many=True)
    metrics = serializers.DictField(help_text=METRICS_HELP)
    elapsed_s = serializers.FloatField()
