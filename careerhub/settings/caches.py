"""The cache and the page cache: local memory unless CACHE_URL names Redis or
Memcached."""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from careerhub.settings.core import DEBUG
from careerhub.settings.env import env_int

CACHE_URL = os.environ.get("CACHE_URL", "locmem://")


def cache_from_url(url: str) -> dict:
    scheme = urlsplit(url).scheme
    backends = {
        "locmem": "django.core.cache.backends.locmem.LocMemCache",
        "dummy": "django.core.cache.backends.dummy.DummyCache",
        # Django's backend, keeping its client between calls (see the module).
        "redis": "careerhub.redis_cache.RedisCache",
        "rediss": "careerhub.redis_cache.RedisCache",
        "memcached": "django.core.cache.backends.memcached.PyMemcacheCache",
    }
    if scheme not in backends:
        raise ImproperlyConfigured(f"CACHE_URL scheme {scheme!r} is not supported.")
    if scheme in {"locmem", "dummy"}:
        return {"BACKEND": backends[scheme]}
    if scheme.startswith("redis"):
        return {"BACKEND": backends[scheme], "LOCATION": url, "OPTIONS": REDIS_OPTIONS}
    return {"BACKEND": backends[scheme], "LOCATION": urlsplit(url).netloc}


# A Redis that is stopped or unreachable costs a request at most these
# seconds (it answers a page in well under a millisecond on a LAN), then the
# cache is left alone for retry_after seconds (careerhub/redis_cache.py):
# pages are rendered afresh meanwhile, with no error.
REDIS_OPTIONS = {
    "socket_connect_timeout": 0.25,
    "socket_timeout": 0.5,
    "retry_after": 5,
}


CACHES = {"default": cache_from_url(CACHE_URL)}
# Whole public pages kept for anonymous readers, in seconds (0 turns it off).
# On by default in production; every change to content invalidates at once.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0 if DEBUG else 600)
PAGE_CACHE_ALIAS = "default"
# With a per-process cache (locmem://, dummy://) the marker saying which
# cached pages and fragments are current is a database row, which each
# process reads at most this often (seconds): a change shows on every
# gunicorn worker within it. Redis and Memcached hold it for every server.
PAGE_CACHE_POLL_SECONDS = 0.5
# New pages one client address may add to the cache each minute (0: no
# limit); past it, its pages are rendered for it and not stored.
PAGE_CACHE_CLIENT_PAGES_PER_MINUTE = env_int("PAGE_CACHE_CLIENT_PAGES_PER_MINUTE", 60)
# Shared caches in front (s-maxage and the rest): careerhub/settings/frontcache.py.
