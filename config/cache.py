"""The Redis cache, made to degrade instead of fail while Redis is down.

The cache holds nothing that must not be lost: API throttles and sign-in rate limits. When Redis
cannot be reached, reads miss and writes are dropped (logged once per call, no keys or personal
data), so pages and the API keep working; the limits simply do not count during the outage.
"""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


def _down(operation: str, error: Exception) -> None:
    logger.warning("cache %s skipped: Redis is not reachable (%s)", operation, type(error).__name__)


class ForgivingRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except REDIS_DOWN as error:
            _down("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except REDIS_DOWN as error:
            _down("get_many", error)
            return {}

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except REDIS_DOWN as error:
            _down("set", error)
            return None

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
            raise ValueError("the cache is not reachable") from error

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except REDIS_DOWN as error:
            _down("delete", error)
            return False
