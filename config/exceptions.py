"""Errors a service raises when a request cannot be done; the message is for the user.

Views show the message; the API answers 400 (``ServiceError``), 409 (``Conflict``) or 404
(``NotFound``) in the shared error shape. ``NotFound`` is also a 404 page for any HTML view
(``config.middleware.DomainErrorMiddleware``), so a door never has to catch it.
"""


class ServiceError(Exception):
    """The request is understood but cannot be done; ``message`` says what to do instead."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Conflict(ServiceError):
    """The request clashes with the current state (e.g. a round that is already held)."""


class NotFound(Exception):
    """What was asked for does not exist, or is not the asker's to see: the two look the same.

    Services that own a lookup raise it, so every door answers the same 404.
    """

    def __init__(self, message: str = "Not found."):
        super().__init__(message)
        self.message = message
