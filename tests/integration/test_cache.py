"""The project's Redis cache backend against the real Redis."""

import os
import uuid

from config.cache import RedisCache


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
