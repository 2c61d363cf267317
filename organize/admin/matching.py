from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html

from matching.models import MatchingRun, Seat
from matching.services.runs import run_cancel
from organize.admin.conferences import OrganizerScopedAdmin, apply_to_each


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

    # Runs go with their round (deleting a round or conference still works); deleting one on
    # its own could pull a published plan away, so neither the page nor the bulk action exists.
    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied("Runs are deleted with their round.")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

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
        apply_to_each(
            request,
            queryset,
            lambda run: run_cancel(run_id=run.pk, by=request.user),
            label=lambda run: f"Run #{run.pk}",
            done="Cancelled",
            noun="run",
        )


@admin.register(Seat)
class SeatAdmin(OrganizerScopedAdmin):
    conference_path = "run__round__conference"
    list_display = ["person", "table", "run"]
    list_filter = ["run__round__conference", "run__round"]
    search_fields = ["person__full_name", "table__label"]
    list_select_related = ["person", "table", "run"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        # Seats change through the plan page, which checks the hard constraints.
        return super().has_change_permission(request, obj) and obj is None

    def has_delete_permission(self, request, obj=None):
        # A seat is part of a plan (a held round's is history): it goes with its run.
        return False
