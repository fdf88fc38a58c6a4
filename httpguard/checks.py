"""Deployment checks of what several app servers must share."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Caches that each gunicorn worker (or each machine) keeps to itself.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "kept in each process",
    "django.core.cache.backends.dummy.DummyCache": "a cache that keeps nothing",
    "django.core.cache.backends.filebased.FileBasedCache": "kept on one machine",
}


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    """The sign-up rate limit and cached pages need one cache for all servers."""
    if settings.DEBUG:
        return []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            f"The default cache is {PER_PROCESS_CACHES[backend]} ({backend}), so "
            "every gunicorn worker and app server counts sign-ups and caches pages "
            "on its own: the sign-up rate limit multiplies with the workers.",
            hint="Set CACHE_URL=redis://host:6379/0 (pip install '.[redis]') "
            "or memcached://host:11211.",
            id="careerhub.W001",
        )
    ]
