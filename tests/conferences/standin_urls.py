"""The project's URLs plus stand-ins for the attendee pages that templates/base.html links to.

Only used while the dashboard (issue 6, the ``attendees`` namespace) is not merged: see
conftest.py. Once it is, the real URLs answer and this file is unused.
"""

from django.http import HttpResponse
from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns


def _standin(request):
    return HttpResponse("stand-in for a dashboard page")


attendee_patterns = (
    [
        path("", _standin, name="home"),
        path("login/", _standin, name="login"),
        path("logout/", _standin, name="logout"),
        path("network/", _standin, name="network"),
        path("profile/", _standin, name="profile"),
    ],
    "attendees",
)

urlpatterns = [*project_urlpatterns, path("", include(attendee_patterns))]
