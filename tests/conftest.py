"""Shared fixtures and the rules for tests that need real services.

Integration tests (tests/integration) run when DATABASE_URL and CELERY_BROKER_URL are set and
are skipped otherwise; browser tests (tests/e2e) run when Debian's chromium is installed.
.ci/run sets DRINKTABLES_REQUIRE_BROWSER=1 (and DRINKTABLES_REQUIRE_SERVICES=1 for its
PostgreSQL pass) so that a missing browser or service fails the run instead of skipping.
"""

import os
import shutil

import pytest

from config import celery_app
from matching.models import MatchingRun
from matching.services import runs
from tests.attendees.helpers import World
from tests.factories import OrganizerFactory
from tests.matching.scenario import build_round

REQUIRE_SERVICES = os.environ.get("DRINKTABLES_REQUIRE_SERVICES") == "1"
REQUIRE_BROWSER = os.environ.get("DRINKTABLES_REQUIRE_BROWSER") == "1"
HAS_SERVICES = bool(os.environ.get("DATABASE_URL") and os.environ.get("CELERY_BROKER_URL"))


def pytest_sessionstart(session):
    if REQUIRE_SERVICES and not HAS_SERVICES:
        pytest.exit(
            "DRINKTABLES_REQUIRE_SERVICES=1 but DATABASE_URL or CELERY_BROKER_URL is not set", 3
        )
    if REQUIRE_BROWSER and shutil.which("chromium") is None:
        pytest.exit("DRINKTABLES_REQUIRE_BROWSER=1 but chromium is not installed", 3)


def pytest_collection_modifyitems(config, items):
    has_browser = shutil.which("chromium") is not None
    for item in items:
        path = str(item.path)
        if f"{os.sep}integration{os.sep}" in path:
            item.add_marker(pytest.mark.integration)
            if not HAS_SERVICES:
                item.add_marker(
                    pytest.mark.skip(
                        reason="integration tests need DATABASE_URL and CELERY_BROKER_URL"
                    )
                )
        if f"{os.sep}e2e{os.sep}" in path:
            item.add_marker(pytest.mark.e2e)
            if not has_browser:
                item.add_marker(pytest.mark.skip(reason="browser tests need Debian's chromium"))


@pytest.fixture(autouse=True)
def _eager_celery_unless_integration(request):
    """Unit tests run tasks in-process; integration tests talk to a real worker."""
    eager = "integration" not in request.keywords
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The factories give users passwords; the production hasher takes a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _attendee_page_cache(settings):
    """Tests run in one process, so the attendee page cache may live in its memory: keep it
    on, so every page test also checks that nothing cached goes stale."""
    settings.ATTENDEE_PAGE_CACHE = True


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """A request leaves its language active in the thread (a signed-in attendee's profile
    language, say); a test that then calls a service directly starts from the default."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


# The solver stops early on small rounds; this bounds it when it does not.
QUICK_S = 0.5


@pytest.fixture
def organizer(db):
    """The organizer of the matching scenario (api tests have their own)."""
    return OrganizerFactory(username="olivia")


@pytest.fixture
def scenario(db, organizer):
    return build_round(organizer=organizer)


@pytest.fixture
def solve(django_capture_on_commit_callbacks):
    """Request a run and let the eager task solve it, as a request that commits would."""

    def solve(meetup_round, *, by=None, **options) -> MatchingRun:
        options.setdefault("time_limit_s", QUICK_S)
        options.setdefault("seed", 7)
        with django_capture_on_commit_callbacks(execute=True):
            run = runs.run_request(round_id=meetup_round.pk, by=by, **options).run
        run.refresh_from_db()
        meetup_round.refresh_from_db()
        return run

    return solve


@pytest.fixture
def world(db):
    """A small conference with history, for the attendee pages (tests.attendees.helpers)."""
    return World()
