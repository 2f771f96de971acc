"""Django's Redis cache with one client object per connection pool (issue 14, "Speed of the daily paths").

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` around the shared connection pool for every
cache call (~40 µs: its options and response callbacks set up anew), and a request makes several (the
generation stamps, the throttle's counter, the session). A `redis.Redis` is safe to share between threads —
each command takes a connection from the pool and gives it back — so this one keeps one per pool. Same
connections, same commands, same data; selected with REDIS_URL (config/settings/base.py).
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
