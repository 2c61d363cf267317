from django.conf import settings
from django.http import Http404

from config import errors
from config.exceptions import NotFound


class ContentSecurityPolicyMiddleware:
    """Send a strict Content-Security-Policy: no inline scripts or styles, nothing off-site.

    Django 6 ships its own CSP support; this keeps one behaviour on 5.2 and 6.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is over ``REQUEST_MAX_BODY_BYTES`` with 413.

    Django caps form fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but streams file uploads to disk
    whatever their size, and the import form refuses a large file only once it has arrived.
    This answers before a byte of the body is read, with the same page (or JSON under /api/)
    as Django's own limits.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = settings.REQUEST_MAX_BODY_BYTES

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if self.limit and length > self.limit:
            return errors.too_large(request, errors.body_too_large_message(self.limit))
        return self.get_response(request)


class DomainErrorMiddleware:
    """A service's ``NotFound`` is the 404 page in any HTML view, as ``Http404`` would be.

    Services own their lookups and raise domain errors, never ``Http404``; the API maps the
    same errors in ``api.common.exception_handler``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        return None
