"""The project's URLs, plus stand-ins for the attendee pages base.html links to.

The attendee dashboard (its own branch) defines the ``attendees`` namespace; until it is merged,
pages extending base.html need these names to render. Once config.urls has them, this module
adds nothing and the real pages are used.
"""

from django.http import HttpResponse
from django.urls import include, path

from config import urls as project_urls


def _stand_in(request, *args, **kwargs):
    return HttpResponse("An attendee page (stand-in for tests).")


def _has_attendee_urls() -> bool:
    return any(
        getattr(pattern, "namespace", None) == "attendees" for pattern in project_urls.urlpatterns
    )


_attendee_stand_ins = (
    [
        path("", _stand_in, name="home"),
        path("login/", _stand_in, name="login"),
        path("logout/", _stand_in, name="logout"),
        path("network/", _stand_in, name="network"),
        path("profile/", _stand_in, name="profile"),
    ],
    "attendees",
)

urlpatterns = list(project_urls.urlpatterns)
if not _has_attendee_urls():
    urlpatterns.append(path("", include(_attendee_stand_ins)))
