from django.contrib import admin

from conferences.admin import OrganizerScopedAdmin

from .models import MatchingRun, Seat


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
    ]
    list_filter = ["status", "round__conference"]
    search_fields = ["round__name", "round__conference__name"]
    list_select_related = ["round__conference"]
    readonly_fields = [
        "round",
        "status",
        "requested_by",
        "progress",
        "metrics",
        "error",
        "attempts",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "edited",
    ]

    def has_add_permission(self, request, *args):
        # Runs are started through the round's "run matching" action, which enqueues them.
        return False


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
