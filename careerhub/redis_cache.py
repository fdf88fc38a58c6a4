"""Django's Redis cache backend, keeping its redis client between calls, and
failing fast while Redis cannot be reached.

Django's client builds a new ``redis.Redis`` for every cache operation, and
each one fills a table of some 170 reply callbacks: measured here, that was
about 0.2 ms of CPU per request, more than the rest of serving a cached page.
The connection pool was shared already; now the client in front of it is too
(a ``redis.Redis`` is safe to share, each command takes a pooled connection).

A stopped or unreachable Redis must not cost every request a timeout: after
an operation fails to reach the server (a connection error, or no answer
within the socket timeouts set in ``careerhub/settings/caches.py``), every
operation of this process raises ``CacheUnavailable`` at once, without
trying, for ``retry_after`` seconds (a circuit breaker). Then the next
operation tries again; the first that reaches Redis closes the breaker. The
callers decide what a missing cache means for them: the page cache and
fragments render pages afresh (``reader.pagecache.guarded``), the rate
limits let requests through (``httpguard.ratelimit``).

Django has no public way to give its backend another client class, nor to ask
which pool a call uses, so this wrapper leans on the two private names listed
in ``DJANGO_PRIVATE_API``; tests/test_redis_cache.py checks on every run that
Django still has them, so an upgrade that changes them fails loudly there.
"""

import functools
import logging
import time

from django.core.cache.backends import redis

logger = logging.getLogger(__name__)

# The private names of django.core.cache.backends.redis used below, as
# (class, attribute, what it must be): checked by tests/test_redis_cache.py.
DJANGO_PRIVATE_API = (
    # RedisCache.__init__ sets it; RedisCache._cache instantiates it.
    (redis.RedisCache, "_class", "the client class RedisCache instantiates"),
    # Picks (and creates once) the pool of the server a call goes to.
    (redis.RedisCacheClient, "_get_connection_pool", "method(self, write)"),
)
# The client's operations, each one round trip to Redis (Django's public
# cache API calls exactly these on its client).
OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)
# Seconds a process leaves Redis alone after failing to reach it.
RETRY_AFTER_SECONDS = 5.0


class CacheUnavailable(Exception):
    """Redis could not be reached lately; nothing was tried this time.

    ``already_reported``: the failure that opened the breaker was logged, so
    callers need not log each refusal (reader.pagecache.guarded reads it).
    """

    already_reported = True


class Breaker:
    """Open (refusing at once) for ``retry_after`` seconds after a failure."""

    def __init__(self, retry_after: float):
        self.retry_after = retry_after
        self.open_until = 0.0  # time.monotonic(); 0: closed

    def call(self, operation, *args, **kwargs):
        if self.open_until:
            if time.monotonic() < self.open_until:
                raise CacheUnavailable("Redis was unreachable moments ago")
        try:
            result = operation(*args, **kwargs)
        except (OSError, *redis_errors()) as error:
            if not self.open_until:
                logger.error(
                    "Redis unreachable (%s): cache bypassed, retried every %g s",
                    error,
                    self.retry_after,
                )
            self.open_until = time.monotonic() + self.retry_after
            raise
        if self.open_until:
            logger.warning("Redis reachable again: cache in use")
            self.open_until = 0.0
        return result


@functools.cache
def redis_errors() -> tuple[type[Exception], ...]:
    """redis-py's errors meaning "no answer" (imported only when used, as
    Django does)."""
    from redis import exceptions

    return (exceptions.ConnectionError, exceptions.TimeoutError)


def _through_breaker(name: str):
    operation = getattr(redis.RedisCacheClient, name)

    @functools.wraps(operation)
    def guarded(self, *args, **kwargs):
        return self.breaker.call(operation, self, *args, **kwargs)

    return guarded


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, retry_after: float = RETRY_AFTER_SECONDS, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self.breaker = Breaker(retry_after)

    def get_client(self, key=None, *, write=False):
        # One pool per server, kept for the life of the client: one redis
        # client per pool.
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            import redis as redis_py  # as Django does: only when a cache is used

            client = self._clients[id(pool)] = redis_py.Redis(connection_pool=pool)
        return client


for _name in OPERATIONS:
    setattr(RedisCacheClient, _name, _through_breaker(_name))


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
