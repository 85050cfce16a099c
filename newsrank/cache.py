"""Django's Redis cache, made to fail soft: a Redis that is down or slow costs the site its cache,
never its pages.

Everything newsrank keeps in the cache can be recomputed (pages, list anchors, counts, rate-limit
windows), so when Redis refuses or times out, a read is a miss, a write is dropped and a counter
reads 0 — and for `PAUSE` seconds after a failure the cache is not asked at all, so a Redis that
hangs costs one request its socket timeout, not every request. One warning is logged per pause.
"""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

PAUSE = 5.0  # seconds without asking Redis after it failed


def _soft(default):
    """Wrap a cache method: while Redis is failing, answer `default` (called with the arguments)."""

    def wrap(method):
        @functools.wraps(method)
        def soft(self, *args, **kwargs):
            if time.monotonic() < self._paused_until:
                return default(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except RedisError as error:
                self._paused_until = time.monotonic() + PAUSE
                log.warning("cache unavailable (%s); running without it for %g s", error, PAUSE)
                return default(*args, **kwargs)

        return soft

    return wrap


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _zero(*args, **kwargs):
    return 0


def _default(key, default=None, version=None):
    return default


def _empty(*args, **kwargs):
    return {}


class ResilientRedisCache(RedisCache):
    """`RedisCache` whose failures read as misses (see the module's docstring)."""

    _paused_until = 0.0

    get = _soft(_default)(RedisCache.get)
    get_many = _soft(_empty)(RedisCache.get_many)
    has_key = _soft(_false)(RedisCache.has_key)
    set = _soft(_nothing)(RedisCache.set)
    set_many = _soft(lambda data, *args, **kwargs: list(data))(RedisCache.set_many)
    add = _soft(_false)(RedisCache.add)
    touch = _soft(_false)(RedisCache.touch)
    delete = _soft(_false)(RedisCache.delete)
    delete_many = _soft(_nothing)(RedisCache.delete_many)
    incr = _soft(_zero)(RedisCache.incr)
    clear = _soft(_false)(RedisCache.clear)

    def ping(self) -> None:
        """Ask Redis itself, failing loudly (for `newsrank doctor`)."""
        self._cache.get_client(write=True).ping()
