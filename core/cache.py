"""Django's Redis cache with one connection pool per process instead of one per thread.

Django keeps a cache object per thread, and under ASGI every request runs in a thread of its own, so the stock
backend opened a new Redis connection for every request that touched the cache (rate limits, sessions).
redis-py's pools are thread-safe: every cache object of the process shares one client per location.
"""
from __future__ import annotations

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property

_clients: dict[tuple, RedisCacheClient] = {}
_lock = threading.Lock()


class SharedRedisCache(RedisCache):
    @cached_property
    def _cache(self) -> RedisCacheClient:
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _lock:
            if key not in _clients:
                _clients[key] = self._class(self._servers, **self._options)
            return _clients[key]
