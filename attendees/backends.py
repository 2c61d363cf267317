"""Password sign-in, limited on every door that takes a password.

The limits (``STAFF_LOGIN_RATE_PER_USERNAME`` and ``STAFF_LOGIN_RATE_PER_IP`` failures an hour)
hold at the level of ``django.contrib.auth.authenticate``, so no door can try passwords past
them, today's (``/login/staff/``, ``/admin/login/``) or a future one:

- ``RateLimitedModelBackend`` refuses to check any password once the username (in its
  normalized form, ``attendees.services.username_key``) or the client's address is over its
  limit: ``authenticate()`` then answers "no" without looking at the password;
- every failed ``authenticate()`` (Django's ``user_login_failed`` signal, whatever the door)
  counts against both;
- the doors check first and answer 429 with ``Retry-After`` (``dashboard.views.StaffLoginView``
  and ``config.urls``' admin sign-in).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from attendees.services import LoginRateLimited, staff_login_check, staff_login_failed
from config.http import client_ip

PATH = "attendees.backends.RateLimitedModelBackend"


def _username(credentials: dict) -> str:
    field = get_user_model().USERNAME_FIELD
    return str(credentials.get("username") or credentials.get(field) or "")


class RateLimitedModelBackend(ModelBackend):
    def get_user(self, user_id):
        """The session's user with their attendee profile, in one query: every attendee page
        reads both (``attendees.selectors.people.person_for_user``)."""
        try:
            user = get_user_model()._default_manager.select_related("person").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def authenticate(self, request, username=None, password=None, **kwargs):
        name = username if username is not None else _username(kwargs)
        try:
            staff_login_check(
                username=name or "", ip=client_ip(request) if request is not None else None
            )
        except LoginRateLimited:
            raise PermissionDenied("Too many failed sign-in attempts.") from None
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed, dispatch_uid="attendees.count_failed_password_sign_in")
def count_failed_sign_in(sender, credentials, request=None, **kwargs):
    staff_login_failed(
        username=_username(credentials or {}),
        ip=client_ip(request) if request is not None else None,
    )
