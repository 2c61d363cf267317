"""REST API v1, mounted at /api/v1/ in the "api" namespace."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api.common import not_found
from api.views import attendees as attendees_api
from api.views import conferences as conferences_api
from api.views import matching as matching_api

app_name = "api"


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the vendored sidecar files, its init script a separate file (CSP)."""

    template_name = "api/docs.html"
    title = "Drink Tables API"


# Path converters (not regexes): ids are <int:pk>, so the schema types them as integers.
router = SimpleRouter(use_regex_path=False)
router.register("me/rounds", attendees_api.MyRoundViewSet, basename="my-round")
router.register("me/encounters", attendees_api.MyEncounterViewSet, basename="my-encounter")
router.register("me/blocks", attendees_api.MyBlockViewSet, basename="my-block")
router.register("me/sit-together", attendees_api.MySitTogetherViewSet, basename="my-sit-together")
router.register("topics", attendees_api.TopicViewSet, basename="topic")
router.register("tokens", attendees_api.ApiTokenViewSet, basename="token")
router.register("conferences", conferences_api.ConferenceViewSet, basename="conference")
CONFERENCE = "conferences/<slug:conference_slug>"
router.register(f"{CONFERENCE}/tables", conferences_api.TableViewSet, basename="table")
router.register(
    f"{CONFERENCE}/rounds", conferences_api.ConferenceRoundViewSet, basename="conference-round"
)
router.register(
    f"{CONFERENCE}/attendances", conferences_api.AttendanceViewSet, basename="attendance"
)
router.register("rounds", matching_api.RoundViewSet, basename="round")
router.register("runs", matching_api.RunViewSet, basename="run")

urlpatterns = [
    path("me/", attendees_api.MeView.as_view(), name="me"),
    path("me/email/", attendees_api.MyEmailView.as_view(), name="my-email"),
    path("me/export/", attendees_api.MyExportView.as_view(), name="my-export"),
    path("me/calendar/", attendees_api.MyCalendarView.as_view(), name="my-calendar"),
    path("me/network/", attendees_api.MyNetworkView.as_view(), name="my-network"),
    path("people/", attendees_api.PeopleSearchView.as_view(), name="people"),
    path(
        f"{CONFERENCE}/encounters/import/",
        conferences_api.EncounterImportView.as_view(),
        name="encounter-import",
    ),
    *router.urls,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^", not_found),  # everything else, newlines included (.* would stop at one)
]
