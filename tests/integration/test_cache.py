"""The project's Redis cache backend against the real Redis."""

import os
import uuid

from redis import Redis

from config.redis_cache import ForgivingRedisCache, RedisCache

from .servers import PrivateRedis


def redis_cache() -> RedisCache:
    return RedisCache(
        os.environ["CELERY_BROKER_URL"], {"KEY_PREFIX": f"test-cache-{uuid.uuid4().hex[:8]}"}
    )


def test_every_command_goes_through_one_client():
    cache = redis_cache()

    assert cache._cache.get_client() is cache._cache.get_client(write=True)


def test_the_cache_keeps_counts_and_values():
    cache = redis_cache()
    try:
        cache.set("generation", 5, timeout=None)
        cache.incr("generation")
        cache.set("table", ("T1", ["Ann", "Dana"]), timeout=60)

        assert cache.get_many(["generation", "table"]) == {
            "generation": 6,
            "table": ("T1", ["Ann", "Dana"]),
        }
        assert cache.add("generation", 1) is False
    finally:
        cache.delete_many(["generation", "table"])
    assert cache.get("generation") is None


def test_a_delete_missed_while_redis_was_away_is_done_before_the_next_read():
    """Redis comes back still holding a signed-out session: it is deleted, never read."""
    redis = PrivateRedis()  # its port chosen, nothing listening there yet
    cache = ForgivingRedisCache(
        redis.url,
        {"KEY_PREFIX": "test", "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
    )
    session = cache.make_and_validate_key("session:ann")
    try:
        assert cache.delete("session:ann") is False  # sign-out everywhere, Redis away

        redis.start()
        raw = Redis.from_url(redis.url)
        raw.set(session, b"still signed in")  # what a partition, not a restart, leaves behind
        cache._owed_tried_at = 0.0  # as if the retry pause had passed

        assert cache.get("session:ann") is None
        assert raw.exists(session) == 0
        cache.set("session:bea", "signed in")
        assert cache.get("session:bea") == "signed in"
    finally:
        redis.close()


def test_while_a_delete_is_owed_and_redis_is_away_reads_miss():
    redis = PrivateRedis()  # never started
    cache = ForgivingRedisCache(redis.url, {"OPTIONS": {"socket_connect_timeout": 1}})
    try:
        cache.delete("session:ann")

        assert cache._owed
        assert cache.get("session:ann", "missed") == "missed"
        assert cache.get_many(["session:ann"]) == {}
        assert cache.has_key("session:ann") is False
    finally:
        redis.close()
