"""API throttles; their rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] in settings."""

from rest_framework import permissions, throttling


class WriteRateThrottle(throttling.UserRateThrottle):
    """Limits writes (POST, PUT, PATCH, DELETE) per user; reads are not counted."""

    scope = "writes"

    def allow_request(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class LoginRateThrottle(throttling.UserRateThrottle):
    """Limits credential creation (API tokens) per user, or per address when anonymous."""

    scope = "login"
