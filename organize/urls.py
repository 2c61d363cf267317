"""Organizer pages, all under /organize/ in the "organize" namespace."""

from django.urls import path

from conferences.enums import ImportKind
from organize.views import conferences, live, plans

app_name = "organize"

urlpatterns = [
    path("", conferences.organize_index, name="index"),
    path("rounds/<int:pk>/plan/", plans.round_plan, name="round_plan"),
    path("rounds/<int:pk>/plan/status/", plans.round_plan_status, name="round_plan_status"),
    path("rounds/<int:pk>/plan/problem.json", plans.round_problem_export, name="round_problem"),
    path("rounds/<int:pk>/plan/plan.json", plans.round_plan_export, name="round_plan_export"),
    path("rounds/<int:pk>/runs/", plans.round_run, name="round_run"),
    path("rounds/<int:pk>/moves/", plans.round_seat_move, name="round_seat_move"),
    path("rounds/<int:pk>/open/", plans.round_open, name="round_open"),
    path("rounds/<int:pk>/draft/", plans.round_draft, name="round_draft"),
    path("rounds/<int:pk>/publish/", plans.round_publish, name="round_publish"),
    path("rounds/<int:pk>/unpublish/", plans.round_unpublish, name="round_unpublish"),
    path("rounds/<int:pk>/held/", plans.round_held, name="round_held"),
    path("rounds/<int:pk>/cancel/", plans.round_cancel, name="round_cancel"),
    path("runs/<int:pk>/cancel/", plans.run_cancel, name="run_cancel"),
    path("rounds/<int:pk>/door/", live.door, name="door"),
    path("rounds/<int:pk>/door/check-in/", live.door_check_in, name="door_check_in"),
    path("rounds/<int:pk>/door/walk-in/", live.door_walk_in, name="door_walk_in"),
    path("rounds/<int:pk>/waiting/place/", live.waiting_place, name="waiting_place"),
    path("rounds/<int:pk>/auto-seat/", live.round_auto_seat, name="round_auto_seat"),
    path("rounds/<int:pk>/alerts/move/", live.alert_move, name="alert_move"),
    path(
        "imports/registrations-template.csv",
        conferences.import_template,
        {"kind": ImportKind.REGISTRATIONS},
        name="registrations_template",
    ),
    path(
        "imports/encounters-template.csv",
        conferences.import_template,
        {"kind": ImportKind.ENCOUNTERS},
        name="encounters_template",
    ),
    path(
        "conferences/<slug:slug>/import/registrations/",
        conferences.import_upload,
        {"kind": ImportKind.REGISTRATIONS},
        name="import_registrations",
    ),
    path(
        "conferences/<slug:slug>/import/encounters/",
        conferences.import_upload,
        {"kind": ImportKind.ENCOUNTERS},
        name="import_encounters",
    ),
    path(
        "conferences/<slug:slug>/imports/<int:pk>/",
        conferences.import_preview,
        name="import_preview",
    ),
    path(
        "conferences/<slug:slug>/imports/<int:pk>/confirm/",
        conferences.import_confirm,
        name="import_confirm",
    ),
    path(
        "conferences/<slug:slug>/imports/<int:pk>/mapping/",
        conferences.import_mapping,
        name="import_mapping",
    ),
    path(
        "conferences/<slug:slug>/imports/<int:pk>/mapping/save/",
        conferences.import_preset_save,
        name="import_preset_save",
    ),
    path(
        "conferences/<slug:slug>/imports/<int:pk>/mapping/use/",
        conferences.import_preset_apply,
        name="import_preset_apply",
    ),
    path(
        "conferences/<slug:slug>/import/mappings/<int:preset_pk>/delete/",
        conferences.import_preset_delete,
        name="import_preset_delete",
    ),
    path("conferences/<slug:slug>/insights/", conferences.insights, name="insights"),
    path(
        "conferences/<slug:slug>/insights/what-if/",
        conferences.insights_whatif,
        name="insights_whatif",
    ),
    path(
        "conferences/<slug:slug>/insights/what-if/status/",
        conferences.insights_whatif_status,
        name="insights_whatif_status",
    ),
    path("rounds/<int:pk>/plan.csv", conferences.round_plan_csv, name="plan_csv"),
    path("rounds/<int:pk>/cards/", conferences.round_cards, name="table_cards"),
    path("rounds/<int:pk>/check-in/", conferences.round_check_in, name="check_in"),
    path("rounds/<int:pk>/check-in.csv", conferences.round_check_in_csv, name="check_in_csv"),
]
