"""Error pages: what went wrong and what to do, never a traceback.

Pages get an HTML page built on base.html (templates/400.html, 403.html, 404.html, 413.html,
500.html); paths under /api/ get the API's JSON error shape ({"detail": ..., "errors": {}}).
A body over DATA_UPLOAD_MAX_MEMORY_SIZE, or with more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields
or DATA_UPLOAD_MAX_NUMBER_FILES files, is refused with 413 and the limit in the message; Django
would answer a bare 400.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

API_PREFIX = "/api/"

MESSAGES = {
    400: "The request could not be understood. Go back, reload the page and try again.",
    403: "You may not do this. If you think you should, sign in with the right account.",
    404: "Not found. It does not exist or you may not see it.",
    500: "Something went wrong on our side. It has been noted; please try again in a minute.",
}


def too_large_message(exception) -> str:
    if isinstance(exception, TooManyFieldsSent):
        return (
            f"The request has too many fields: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} "
            "are accepted. Send fewer at a time."
        )
    if isinstance(exception, TooManyFilesSent):
        return (
            f"The request has too many files: at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES} "
            "are accepted. Send fewer at a time."
        )
    size_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return (
        f"The request is too large: at most {size_mb:g} MB can be sent at once. Send less at a "
        "time (a CSV file goes in the import form's file field, which takes larger files)."
    )


def body_too_large_message(limit: int) -> str:
    return (
        f"The request is too large: at most {limit / (1024 * 1024):g} MB can be sent in one "
        "request. Send a smaller file, or split it and send the parts one after another."
    )


def too_large(request, message: str) -> HttpResponse:
    """413 with ``message``: the API's JSON error shape under /api/, else the 413 page."""
    if _is_api(request):
        return _json(413, message)
    return _page("413.html", 413, {"message": message})


def is_too_large(exception) -> bool:
    return isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent)


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _json(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": {}}, status=status)


def _page(template: str, status: int, context: dict | None = None, request=None):
    # Like Django's own handlers, 400 and 500 render without the request: it may be the cause.
    body = loader.get_template(template).render(context or {}, request)

    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request, exception):
    if is_too_large(exception):
        return too_large(request, too_large_message(exception))
    if _is_api(request):
        return _json(400, MESSAGES[400])
    return defaults.bad_request(request, exception)


@requires_csrf_token
def permission_denied(request, exception):
    if _is_api(request):
        return _json(403, MESSAGES[403])
    return defaults.permission_denied(request, exception)


@requires_csrf_token
def page_not_found(request, exception):
    if _is_api(request):
        return _json(404, MESSAGES[404])
    return defaults.page_not_found(request, exception)


@requires_csrf_token
def server_error(request):
    if _is_api(request):
        return _json(500, MESSAGES[500])
    return _page("500.html", 500)
