"""Point this process's Celery app at another broker for a while (a private Redis, or a closed
port: a broker that is down, for real, with no mock).

Celery reads ``CELERY_BROKER_URL`` from the environment before its own setting, and keeps a pool
of open broker connections; both are switched and the pool dropped, then restored.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator

from kombu import pools as kombu_pools

from config import celery_app


def drop_connection_pools() -> None:
    """Close every pooled broker connection (after the broker restarted, they are dead)."""
    kombu_pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextlib.contextmanager
def celery_broker(url: str) -> Iterator[str]:
    """Send tasks to ``url`` (not eagerly) inside the block."""
    conf = celery_app.conf
    previous_env = os.environ.get("CELERY_BROKER_URL")
    previous = (conf.broker_url, conf.task_always_eager)
    drop_connection_pools()
    os.environ["CELERY_BROKER_URL"] = url
    conf.broker_url = url
    conf.task_always_eager = False
    try:
        yield url
    finally:
        drop_connection_pools()
        if previous_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous_env
        conf.broker_url, conf.task_always_eager = previous


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def broker_down() -> Iterator[str]:
    """A Redis broker URL on a port where nothing listens: every send is refused."""
    with celery_broker(f"redis://127.0.0.1:{free_port()}/0") as url:
        yield url
