"""Cached reads for the pages attendees open most: their table, their network, the nav.

A cached value never outlives what it was read from. Every key carries a *generation*, a
counter in the cache: changing anything a cached value depends on bumps the counter, and every
entry written under the old one is never read again (it expires on its own). There are two:

- ``TABLES``: "my table" (table, tablemates' public profiles and the reasons they sit there)
  and the network page. They depend on people (names, organizations and whether they are
  shown, bios, topics, deleted accounts), registrations (the newcomer rule), encounters, seats,
  tables, rounds, conferences and topics, and, to be safe, blocks.
- ``ORGANIZERS``: whether a user organizes a conference (the link in every page's header).

The counters are bumped from signals for the writes that send them (``save``, ``delete``,
including ``QuerySet.delete``, and many-to-many changes, admin edits included), and by a call
to ``invalidate`` from the services that write in bulk (``bulk_create``, ``QuerySet.update``,
raw SQL). They are bumped at once and again after the transaction commits: a page read
between the two may have cached the old data under the new generation, and the second bump
throws that away. The published run and the round's status are never cached: they come from
the request's own query and are part of each key, so unpublishing or cancelling takes effect
on the next request whatever the cache holds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

TABLES = "tables"
ORGANIZERS = "organizers"
ENTRY_TIMEOUT_S = 15 * 60


def _generation_key(name: str) -> str:
    return f"dashboard:generation:{name}"


def generation(name: str) -> int:
    """The current generation of ``name``; a fresh one when the cache lost it."""
    key = _generation_key(name)
    value = cache.get(key)
    if value is None:
        # Never a value used before the counter was lost, so no old entry is read again.
        cache.add(key, time.time_ns(), timeout=None)
        value = cache.get(key)
    return value


def _bump(name: str) -> None:
    key = _generation_key(name)
    try:
        cache.incr(key)
    except ValueError:  # lost (evicted, cleared): start again from a value never used
        cache.set(key, time.time_ns(), timeout=None)


def invalidate(*names: str) -> None:
    """Forget every entry of the named caches now, and again once the transaction commits."""
    for name in names or (TABLES, ORGANIZERS):
        _bump(name)
        transaction.on_commit(lambda name=name: _bump(name))


def _entry_key(name: str, key: str) -> str:
    return f"attendees:{name}:{generation(name)}:{key}"


def remember(name: str, key: str, value) -> None:
    """Keep ``value`` under ``key`` for the current generation of ``name``, as ``cached`` would
    have computed it: for a writer that knows the answer already (a new account organizes
    nothing). A change after this bumps the generation as for any other entry."""
    if settings.ATTENDEE_PAGE_CACHE:
        cache.set(_entry_key(name, key), (value,), timeout=ENTRY_TIMEOUT_S)


def cached(name: str, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept under ``key`` for the current generation of ``name``.

    Only with ``ATTENDEE_PAGE_CACHE`` (a cache shared by every process, such as Redis):
    in per-process memory a change made in one process would not reach the others' entries.
    """
    if not settings.ATTENDEE_PAGE_CACHE:
        return compute()
    full_key = _entry_key(name, key)
    entry = cache.get(full_key)
    if entry is None:
        entry = (compute(),)  # a tuple, so that a None answer is kept too
        cache.set(full_key, entry, timeout=ENTRY_TIMEOUT_S)
    return entry[0]
