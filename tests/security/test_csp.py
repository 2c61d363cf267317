"""The Content-Security-Policy is strict and on every answer; the browser walk of every page
under it is tests/e2e/test_security.py."""

import pytest
from django.conf import settings

from tests.attendees.helpers import sign_in

from .conftest import api_client

pytestmark = pytest.mark.django_db


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        assert name not in parsed, f"{name} appears twice"
        parsed[name] = values
    return parsed


def test_the_policy_allows_nothing_inline_and_nothing_off_site():
    policy = directives(settings.CONTENT_SECURITY_POLICY)

    assert policy == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
    }
    assert "unsafe" not in settings.CONTENT_SECURITY_POLICY


def test_every_kind_of_answer_carries_the_policy_and_the_other_headers(client, victim):
    sign_in(client, victim.vera)
    answers = [
        client.get("/"),
        client.get("/no/such/page/"),
        client.get("/admin/login/"),
        client.get("/api/v1/docs/"),
        api_client(victim.key).get("/api/v1/me/"),
        api_client(None).get("/api/v1/me/"),
    ]
    for response in answers:
        assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
