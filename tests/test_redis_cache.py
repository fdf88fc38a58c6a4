"""careerhub/redis_cache.py: one redis client per server for every cache call,
built on Django internals that have no public equivalent, checked here so that
a Django upgrade changing them fails loudly instead of silently."""

import inspect
from unittest import mock

import redis
from django.core.cache.backends import redis as django_redis

from careerhub import redis_cache

UPGRADE_HINT = (
    "Django changed a private name careerhub/redis_cache.py relies on; rewrite "
    "the wrapper for this Django (or drop it if Django now keeps its client)."
)


def test_every_private_django_name_the_wrapper_uses_still_exists():
    url = "redis://127.0.0.1:1/0"
    instances = {
        django_redis.RedisCache: django_redis.RedisCache(url, {}),
        django_redis.RedisCacheClient: django_redis.RedisCacheClient([url]),
    }
    for owner, name, what in redis_cache.DJANGO_PRIVATE_API:
        assert hasattr(instances[owner], name), (
            f"{owner.__name__}.{name} ({what}): {UPGRADE_HINT}"
        )


def test_redis_cache_builds_its_client_from_the_class_attribute():
    cache = redis_cache.RedisCache("redis://127.0.0.1:1/0", {})
    assert django_redis.RedisCache("redis://127.0.0.1:1/0", {})._class is (
        django_redis.RedisCacheClient
    ), UPGRADE_HINT
    assert type(cache._cache) is redis_cache.RedisCacheClient, UPGRADE_HINT


def test_connection_pool_is_chosen_per_call_and_kept():
    method = django_redis.RedisCacheClient._get_connection_pool
    assert list(inspect.signature(method).parameters) == ["self", "write"], UPGRADE_HINT
    client = django_redis.RedisCacheClient(["redis://127.0.0.1:1/0"])
    pool = client._get_connection_pool(True)
    assert isinstance(pool, redis.ConnectionPool), UPGRADE_HINT
    assert client._get_connection_pool(True) is pool, UPGRADE_HINT
    assert client._get_connection_pool(False) is pool, UPGRADE_HINT  # one server


def test_cache_calls_share_one_redis_client(redis_url):
    cache = redis_cache.RedisCache(redis_url, {"KEY_PREFIX": "one-client"})
    with mock.patch.object(redis, "Redis", wraps=redis.Redis) as new_client:
        cache.set("a", 1)
        cache.add("b", {"two": 2})
        assert cache.get("a") == 1
        assert cache.get_many(["a", "b"]) == {"a": 1, "b": {"two": 2}}
        cache.delete("a")
        assert cache.get("a") is None
    assert new_client.call_count == 1
