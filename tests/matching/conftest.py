import pytest

from matching.models import MatchingRun
from matching.services import runs
from tests.factories import OrganizerFactory

from .scenario import build_round

# The solver stops early on small rounds; this bounds it when it does not.
QUICK_S = 0.5


@pytest.fixture
def organizer(db):
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
            run = runs.run_request(round=meetup_round, by=by, **options)
        run.refresh_from_db()
        meetup_round.refresh_from_db()
        return run

    return solve
