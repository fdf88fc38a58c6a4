"""Django's Redis cache backend, keeping its redis client between calls.

Django's client builds a new ``redis.Redis`` for every cache operation, and
each one fills a table of some 170 reply callbacks: measured here, that was
about 0.2 ms of CPU per request, more than the rest of serving a cached page.
The connection pool was shared already; now the client in front of it is too
(a ``redis.Redis`` is safe to share, each command takes a pooled connection).

Django has no public way to give its backend another client class, nor to ask
which pool a call uses, so this wrapper leans on the two private names listed
in ``DJANGO_PRIVATE_API``; tests/test_redis_cache.py checks on every run that
Django still has them, so an upgrade that changes them fails loudly there.
"""

from django.core.cache.backends import redis

# The private names of django.core.cache.backends.redis used below, as
# (class, attribute, what it must be): checked by tests/test_redis_cache.py.
DJANGO_PRIVATE_API = (
    # RedisCache.__init__ sets it; RedisCache._cache instantiates it.
    (redis.RedisCache, "_class", "the client class RedisCache instantiates"),
    # Picks (and creates once) the pool of the server a call goes to.
    (redis.RedisCacheClient, "_get_connection_pool", "method(self, write)"),
)


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        # One pool per server, kept for the life of the client: one redis
        # client per pool.
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            import redis as redis_py  # as Django does: only when a cache is used

            client = self._clients[id(pool)] = redis_py.Redis(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
