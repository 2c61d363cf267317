"""The Django admin, scoped to each organizer's conferences: one module per domain app."""

from organize.admin import attendees, conferences, matching  # noqa: F401  (registers the models)
