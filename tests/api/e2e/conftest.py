"""The browser of the dashboard's browser tests (tests/e2e), shared by the API docs test."""

from tests.e2e.conftest import browser  # noqa: F401 - a fixture, used by name
