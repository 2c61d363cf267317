"""Django's Redis cache, with one Redis client per server instead of one per command.

Django's ``RedisCacheClient.get_client`` builds a ``redis.Redis`` for every command, and each
copies redis-py's table of response callbacks (about 170 entries): a fifth of the CPU time of
a cached "my table" page went there. A client is thread-safe and the connection pool under it
is already shared (and re-created after a fork), so one client per pool serves every command.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
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
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
