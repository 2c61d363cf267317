"""The Redis cache: one client per server, and degrading instead of failing while Redis is down.

Django's ``RedisCacheClient.get_client`` builds a ``redis.Redis`` for every command, and each
copies redis-py's table of response callbacks (about 170 entries): a fifth of the CPU time of
a cached "my table" page went there. A client is thread-safe and the connection pool under it
is already shared (and re-created after a fork), so one client per pool serves every command.

The cache holds nothing that must not be lost: API throttles and sign-in rate limits, sessions
(``cached_db``: the database has them too) and the attendee pages' cached reads
(``config.caches``). When Redis cannot be reached, reads miss and writes are dropped (logged,
no keys or personal data), so pages and the API keep working: the limits do not count and
pages are computed afresh during the outage.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


def _down(operation: str, error: Exception) -> None:
    logger.warning("cache %s skipped: Redis is not reachable (%s)", operation, type(error).__name__)


class RedisCacheClient(DjangoRedisCacheClient):
    """Keeps one ``redis.Redis`` per connection pool instead of building one per command."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache on ``RedisCacheClient``."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


class ForgivingRedisCache(RedisCache):
    """``RedisCache`` whose reads miss and writes are dropped while Redis is unreachable.

    A delete or an increment that could not reach Redis leaves a value there that is no longer
    true: a signed-out session, an old generation of the attendee pages. Redis may come back
    still holding it (a network fault rather than a restart), so the key is owed a delete, and
    until this process has paid what it owes, its reads miss (sessions then come from the
    database, pages are computed afresh). The debt lives in this process: another process may
    read such a value until this one serves its next request.
    """

    RETRY_OWED_AFTER_S = 1.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._owed: set[str] = set()  # full keys (prefix and version made)
        self._owed_lock = threading.Lock()
        self._owed_tried_at = 0.0

    def _owe(self, keys, version) -> None:
        full = [self.make_and_validate_key(key, version=version) for key in keys]
        with self._owed_lock:
            self._owed.update(full)

    def _clear_to_read(self) -> bool:
        """True when nothing is owed, or it has just been paid; False means: read a miss."""
        if not self._owed:
            return True
        now = time.monotonic()
        if now - self._owed_tried_at < self.RETRY_OWED_AFTER_S:
            return False
        self._owed_tried_at = now
        with self._owed_lock:
            keys = list(self._owed)
        try:
            self._cache.delete_many(keys)
        except REDIS_DOWN as error:
            _down("owed delete", error)
            return False
        with self._owed_lock:
            self._owed.difference_update(keys)
        logger.warning("cache: %d deletes owed while Redis was away are done", len(keys))
        return not self._owed

    def get(self, key, default=None, version=None):
        if not self._clear_to_read():
            return default
        try:
            return super().get(key, default, version)
        except REDIS_DOWN as error:
            _down("get", error)
            return default

    def get_many(self, keys, version=None):
        if not self._clear_to_read():
            return {}
        try:
            return super().get_many(keys, version)
        except REDIS_DOWN as error:
            _down("get_many", error)
            return {}

    def has_key(self, key, version=None):
        if not self._clear_to_read():
            return False
        try:
            return super().has_key(key, version)
        except REDIS_DOWN as error:
            _down("has_key", error)
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except REDIS_DOWN as error:
            _down("set", error)
            return None

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except REDIS_DOWN as error:
            _down("set_many", error)
            return list(data)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except REDIS_DOWN as error:
            _down("add", error)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except REDIS_DOWN as error:
            _down("incr", error)
            self._owe([key], version)
            raise ValueError("the cache is not reachable") from error

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except REDIS_DOWN as error:
            _down("delete", error)
            self._owe([key], version)
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except REDIS_DOWN as error:
            _down("delete_many", error)
            self._owe(keys, version)
            return None

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except REDIS_DOWN as error:
            _down("touch", error)
            return False
