"""Organizer pages of the conferences app, included into the "organize" namespace."""

from django.urls import path

from . import views
from .enums import ImportKind

urlpatterns = [
    path(
        "imports/registrations-template.csv",
        views.import_template,
        {"kind": ImportKind.REGISTRATIONS},
        name="registrations_template",
    ),
    path(
        "imports/encounters-template.csv",
        views.import_template,
        {"kind": ImportKind.ENCOUNTERS},
        name="encounters_template",
    ),
    path(
        "conferences/<slug:slug>/import/registrations/",
        views.import_upload,
        {"kind": ImportKind.REGISTRATIONS},
        name="import_registrations",
    ),
    path(
        "conferences/<slug:slug>/import/encounters/",
        views.import_upload,
        {"kind": ImportKind.ENCOUNTERS},
        name="import_encounters",
    ),
    path("conferences/<slug:slug>/imports/<int:pk>/", views.import_preview, name="import_preview"),
    path(
        "conferences/<slug:slug>/imports/<int:pk>/confirm/",
        views.import_confirm,
        name="import_confirm",
    ),
    path("conferences/<slug:slug>/insights/", views.insights, name="insights"),
    path("rounds/<int:pk>/plan.csv", views.round_plan_csv, name="plan_csv"),
    path("rounds/<int:pk>/cards/", views.round_cards, name="table_cards"),
    path("rounds/<int:pk>/check-in/", views.round_check_in, name="check_in"),
    path("rounds/<int:pk>/check-in.csv", views.round_check_in_csv, name="check_in_csv"),
]
