from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from conferences.admin import OrganizerScopedAdmin
from config.exceptions import ServiceError

from .models import MatchingRun, Seat
from .services import run_cancel


@admin.register(MatchingRun)
class MatchingRunAdmin(OrganizerScopedAdmin):
    conference_path = "round__conference"
    list_display = [
        "__str__",
        "round",
        "status",
        "progress",
        "attempts",
        "created_at",
        "finished_at",
        "plan_link",
    ]
    list_filter = ["status", "round__conference"]
    search_fields = ["round__name", "round__conference__name"]
    list_select_related = ["round__conference"]
    fields = [
        "round",
        "plan_link",
        "status",
        "requested_by",
        "seed",
        "time_limit_s",
        "portfolio",
        "progress",
        "attempts",
        "error",
        "metrics",
        "chosen_seed",
        "elapsed_s",
        "edited",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
    ]
    readonly_fields = fields
    actions = ["cancel_runs"]

    def has_add_permission(self, request, *args):
        # Runs are started through the round's "run matching" action, which enqueues them.
        return False

    def has_change_permission(self, request, obj=None):
        # A run is a record of what the solver did: read-only, but its actions stay available.
        return super().has_change_permission(request, obj) and obj is None

    @admin.display(description="plan")
    def plan_link(self, run):
        return format_html(
            '<a href="{}">Review the round\'s plan</a>',
            reverse("organize:round_plan", args=[run.round_id]),
        )

    @admin.action(description="Cancel the selected runs (queued or running)")
    def cancel_runs(self, request, queryset):
        cancelled = 0
        for run in queryset:
            try:
                run_cancel(run=run, by=request.user)
            except ServiceError as error:
                messages.error(request, f"Run #{run.pk}: {error.message}")
            else:
                cancelled += 1
        if cancelled:
            messages.success(request, f"Cancelled {cancelled} run{'s' if cancelled != 1 else ''}.")


@admin.register(Seat)
class SeatAdmin(OrganizerScopedAdmin):
    conference_path = "run__round__conference"
    list_display = ["person", "table", "run"]
    list_filter = ["run__round__conference", "run__round"]
    search_fields = ["person__full_name", "table__label"]
    list_select_related = ["person", "table", "run"]
    autocomplete_fields = ["person"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        # Seats change through the plan page, which checks the hard constraints.
        return super().has_change_permission(request, obj) and obj is None
