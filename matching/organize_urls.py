"""The organizer's round pages, included by config.organize_urls into the "organize" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("rounds/<int:pk>/plan/", views.round_plan, name="round_plan"),
    path("rounds/<int:pk>/plan/status/", views.round_plan_status, name="round_plan_status"),
    path("rounds/<int:pk>/plan/problem.json", views.round_problem_export, name="round_problem"),
    path("rounds/<int:pk>/plan/plan.json", views.round_plan_export, name="round_plan_export"),
    path("rounds/<int:pk>/runs/", views.round_run, name="round_run"),
    path("rounds/<int:pk>/moves/", views.round_seat_move, name="round_seat_move"),
    path("rounds/<int:pk>/publish/", views.round_publish, name="round_publish"),
    path("rounds/<int:pk>/unpublish/", views.round_unpublish, name="round_unpublish"),
    path("rounds/<int:pk>/held/", views.round_held, name="round_held"),
    path("rounds/<int:pk>/cancel/", views.round_cancel, name="round_cancel"),
    path("runs/<int:pk>/cancel/", views.run_cancel, name="run_cancel"),
]
