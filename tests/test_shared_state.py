"""State several app servers must share: the cache behind the sign-up limit.

The Redis tests run against a real redis-server (the ``redis_url`` fixture);
without one they are skipped, except in CI where .ci/run installs it.
"""

from unittest import mock

import pytest
import redis
import time_machine
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory

from httpguard import ratelimit
from httpguard.checks import check_shared_cache
from tests.factories import NOW
from tests.newsletter.test_signup import sign_up

pytestmark = pytest.mark.django_db
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


def app_servers(make_cache, count=2):
    """``count`` app servers' views of the cache: each with its own client."""
    return [make_cache(n) for n in range(count)]


def hits_on_each_server(caches, rate):
    request = RequestFactory().post("/newsletter/", REMOTE_ADDR="203.0.113.9")
    answers = []
    for server_cache in caches:
        with mock.patch.object(ratelimit, "cache", server_cache):
            answers.append(ratelimit.hit(request, scope="signup", rate=rate))
    return answers


def test_sign_up_limit_holds_across_app_servers_sharing_redis(redis_url):
    servers = app_servers(lambda n: RedisCache(redis_url, {"KEY_PREFIX": "t1"}))
    servers[0].clear()
    with time_machine.travel(NOW, tick=False):
        first = hits_on_each_server(servers, "2/hour")
        second = hits_on_each_server(servers, "2/hour")
    # Two allowed in all, whichever server took them; then both refuse.
    assert first == [None, None]
    assert all(wait and wait > 0 for wait in second)


def test_per_process_caches_would_each_allow_the_full_limit():
    servers = app_servers(lambda n: LocMemCache(f"server-{n}", {}))
    with time_machine.travel(NOW, tick=False):
        first = hits_on_each_server(servers, "2/hour")
        second = hits_on_each_server(servers, "2/hour")
    assert first == second == [None, None]  # why check_shared_cache warns


def test_sign_up_view_counts_in_redis(client, settings, redis_cache, redis_url):
    settings.NEWSLETTER_RATE_LIMIT = "2/hour"
    with time_machine.travel(NOW, tick=False):
        statuses = [sign_up(client, f"r{n}@example.com").status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    # The count is on the server, where every app server finds it.
    assert redis.Redis.from_url(redis_url).keys("*ratelimit:newsletter-signup:*")


@pytest.mark.parametrize(
    "backend", [LOCMEM, "django.core.cache.backends.dummy.DummyCache"]
)
def test_deploy_check_warns_about_a_per_process_cache(settings, backend):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": backend}}
    (warning,) = check_shared_cache()
    assert warning.id == "careerhub.W001"
    assert "CACHE_URL=redis://" in warning.hint


def test_deploy_check_accepts_redis_and_development(settings):
    settings.DEBUG = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
        }
    }
    assert check_shared_cache() == []
    settings.DEBUG = True
    settings.CACHES = {"default": {"BACKEND": LOCMEM}}
    assert check_shared_cache() == []
