"""The OpenAPI schema: drf-spectacular plus the error answers every endpoint can give."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers

from api.common import NOT_FOUND


class ErrorSerializer(serializers.Serializer):
    """The shape of every error answer."""

    detail = serializers.CharField(help_text="What went wrong and what to do about it.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Messages per field, e.g. {"capacity": ["Ensure this value is at most 100."]}; '
        "nested fields are joined with dots, list items get [index].",
    )


_ERRORS = {
    "400": "The request is not valid; `errors` says what to fix.",
    "401": "Not signed in: send `Authorization: Token <key>` or a session cookie.",
    "403": "Not allowed (for a session: the CSRF token is missing).",
    "404": NOT_FOUND,
    "409": "The request clashes with the current state, e.g. a round that is already held.",
    "429": "Too many requests; retry after the number of seconds in `Retry-After`.",
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema plus the error answers every endpoint can give."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        unsafe = self.method not in permissions.SAFE_METHODS
        codes = ["404"]
        if unsafe or self._validated_query_parameters():
            codes.append("400")
        if not any(issubclass(p, permissions.AllowAny) for p in self.view.permission_classes):
            codes += ["401", "403"]
        if unsafe:
            codes += ["409", "429"]
        for code in sorted(codes):
            if code not in responses:
                error = OpenApiResponse(response=ErrorSerializer, description=_ERRORS[code])
                responses[code] = self._get_response_for_code(error, code, direction=direction)
        return responses

    def _validated_query_parameters(self) -> list[str]:
        """Query parameters whose bad values answer 400 (a bad page or cursor answers 404)."""
        paging = {"page", "cursor"}
        return [
            p["name"]
            for p in self._get_parameters()
            if p["in"] == "query" and p["name"] not in paging
        ]


def close_request_bodies(result, generator, request, public):
    """Request bodies reject unknown keys (``StrictSerializer``); say so in the schema."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result
