from django.conf import settings
from django.core.checks import Tags, Warning, register

PROCESS_LOCAL = {"django.core.cache.backends.locmem.LocMemCache"}


@register(Tags.caches, deploy=True)
def check_page_cache_is_shared(app_configs, **kwargs):
    """A per-process cache hears only its own process's invalidations."""
    backend = settings.CACHES[settings.PAGE_CACHE_ALIAS]["BACKEND"]
    if not settings.PAGE_CACHE_SECONDS or backend not in PROCESS_LOCAL:
        return []
    return [
        Warning(
            "The page cache is on, in a cache each worker process keeps to "
            "itself: a change saved through one process leaves the others "
            "serving stale pages.",
            hint="Set CACHE_URL to a shared cache (redis://host:6379/0 or "
            "memcached://host:11211), or PAGE_CACHE_SECONDS=0.",
            id="articles.W001",
        )
    ]
