import pytest
from django.urls import NoReverseMatch, clear_url_caches, reverse


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories hash a password for every user; the production hasher takes a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _dashboard_urls(settings):
    """Pages extend base.html, whose navigation links to the attendee dashboard.

    Until the dashboard's URLs exist on this branch, serve stand-ins for them.
    """
    try:
        reverse("attendees:home")
    except NoReverseMatch:
        settings.ROOT_URLCONF = "tests.conferences.standin_urls"
        clear_url_caches()
        yield
        clear_url_caches()
    else:
        yield
