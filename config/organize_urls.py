"""Organizer pages, all under /organize/ in the "organize" namespace."""

from django.urls import include, path

from conferences import views as conference_views

app_name = "organize"

urlpatterns = [
    path("", conference_views.organize_index, name="index"),
    path("", include("matching.organize_urls")),
    path("", include("conferences.organize_urls")),
]
