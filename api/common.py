"""Shared API plumbing: pagination and the one error shape every endpoint answers with."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import is_too_large, too_large_message
from config.exceptions import Conflict, NotFound, ServiceError

NOT_FOUND = "Not found. It does not exist or you may not see it."


class StrictPageSizeMixin:
    """``page_size`` is a whole number from 1 to ``max_page_size``, or an error saying so.

    DRF would silently fall back to the default size, which hides a client's mistake.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= self.max_page_size:
            message = f"Use a whole number from 1 to {self.max_page_size}."
            raise exceptions.ValidationError({self.page_size_query_param: [message]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
                parameter["description"] = f"Items per page, 1 to {self.max_page_size}."
        return parameters


class DefaultPagination(StrictPageSizeMixin, pagination.PageNumberPagination):
    pass


class DefaultCursorPagination(StrictPageSizeMixin, pagination.CursorPagination):
    """Stable pages over lists that grow while they are read; subclasses set ``ordering``.

    A cursor is the client's to send back as it came; one that was changed answers 404 "Invalid
    cursor" (DRF's answer for a cursor it cannot decode), never a database error: the position
    it holds is checked against the field it stands for before it reaches a query.
    """

    def paginate_queryset(self, queryset, request, view=None):
        cursor = self.decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            name = self.get_ordering(request, queryset, view)[0].lstrip("-")
            field = queryset.model._meta.get_field(name)
            try:
                field.to_python(cursor.position)
                field.get_prep_value(field.to_python(cursor.position))
            except (DjangoValidationError, TypeError, ValueError, OverflowError):
                raise exceptions.NotFound(self.invalid_cursor_message) from None
        return super().paginate_queryset(queryset, request, view)


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into {"field.sub": ["message", ...]}."""
    errors: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in _flatten(value, name).items():
                errors.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            errors.setdefault(prefix or "non_field_errors", []).extend(str(i) for i in detail)
        else:
            for index, item in enumerate(detail):
                name = f"{prefix}[{index}]" if prefix else f"[{index}]"
                for field, messages in _flatten(item, name).items():
                    errors.setdefault(field, []).extend(messages)
    else:
        errors.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return errors


def exception_handler(exc, context):
    """Answer every error as {"detail": "...", "errors": {field: [messages]}}.

    A service's ``ServiceError`` answers 400 and its ``Conflict`` 409, with the service's
    message; when the service names the field at fault, the message is filed under it.
    """
    if is_too_large(exc):
        return Response(
            {"detail": too_large_message(exc), "errors": {}},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, ServiceError):
        code = (
            status.HTTP_409_CONFLICT if isinstance(exc, Conflict) else status.HTTP_400_BAD_REQUEST
        )
        errors = {exc.field: [exc.message]} if exc.field else {}
        retry_after = getattr(exc, "retry_after_s", None)
        if retry_after is not None:  # a rate limit of a service (e-mail links)
            return Response(
                {"detail": exc.message, "errors": errors},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(retry_after)},
            )
        return Response({"detail": exc.message, "errors": errors}, status=code)
    if isinstance(exc, (NotFound, Http404)):
        exc = exceptions.NotFound(NOT_FOUND)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        if list(errors) == ["non_field_errors"] and len(errors["non_field_errors"]) == 1:
            detail = errors["non_field_errors"][0]
        else:
            detail = "Some fields are not valid; see errors for what to fix."
        data = {"detail": detail, "errors": errors}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        if isinstance(detail, (dict, list)):
            data = {"detail": "The request could not be processed.", "errors": _flatten(detail)}
        else:
            data = {"detail": str(detail), "errors": {}}
    return Response(data, status=response.status_code, headers=_headers(response))


def _headers(response) -> dict[str, str]:
    return {
        name: response[name]
        for name in ("WWW-Authenticate", "Retry-After", "Allow")
        if name in response
    }


@csrf_exempt  # it changes nothing; a POST to a mistyped path must still get this answer
def not_found(request, *args, **kwargs):
    """Unknown paths under /api/v1/ answer in the API's error shape, not an HTML page."""
    return JsonResponse(
        {"detail": f"There is no API endpoint at {request.path}; see /api/v1/docs/.", "errors": {}},
        status=status.HTTP_404_NOT_FOUND,
    )
