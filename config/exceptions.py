"""Errors a service raises when a request cannot be done; the message is for the user.

Views show the message; the API answers 400 (``ServiceError``) or 409 (``Conflict``) in the
shared error shape.
"""


class ServiceError(Exception):
    """The request is understood but cannot be done; ``message`` says what to do instead."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Conflict(ServiceError):
    """The request clashes with the current state (e.g. a round that is already held)."""
