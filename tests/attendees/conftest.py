import pytest

from .helpers import World


@pytest.fixture
def world(db):
    return World()
