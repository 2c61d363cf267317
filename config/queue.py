"""Sending Celery tasks so that a task queue outage never breaks the request that sends them.

Work is sent after the transaction commits, so the task finds the rows it needs. When the broker
(Redis) cannot be reached, the send fails fast (settings bound its retries and timeouts), is
logged without personal data and reported to the caller, who tells the user; nothing is lost,
because the state of the work lives in the database and a sweep sends the task again once the
queue is back (``matching.services.runs_sweep_stale``, ``notices_sweep_pending``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What a publish raises when the broker is down or unreachable. Kombu wraps the transport's
# connection errors in OperationalError; a socket error may still escape it on some paths.
BROKER_ERRORS = (OperationalError, ConnectionError, TimeoutError)


@dataclass
class Dispatch:
    """What happened to a task sent on commit: ``sent`` is None until the commit."""

    task_name: str
    sent: bool | None = None

    @property
    def failed(self) -> bool:
        return self.sent is False


def task_send(task, *, kwargs: dict, countdown: float | None = None) -> bool:
    """Send ``task`` now; False (logged) when the broker cannot be reached.

    In eager mode (no broker) the task runs in-process and its own errors propagate: they are
    not a queue outage.
    """
    if task.app.conf.task_always_eager:
        task.apply_async(kwargs=kwargs, countdown=countdown)
        return True
    try:
        task.apply_async(kwargs=kwargs, countdown=countdown)
    except BROKER_ERRORS as error:
        ids = {name: value for name, value in kwargs.items() if isinstance(value, int)}
        logger.warning(
            "task %s %s not sent: the task queue is not reachable (%s: %s)",
            task.name,
            ids,
            type(error).__name__,
            error,
        )
        return False
    return True


def task_send_on_commit(task, *, kwargs: dict, countdown: float | None = None) -> Dispatch:
    """Send ``task`` once the current transaction commits (at once outside one)."""
    dispatch = Dispatch(task_name=task.name)

    def send() -> None:
        dispatch.sent = task_send(task, kwargs=kwargs, countdown=countdown)

    transaction.on_commit(send)
    return dispatch
