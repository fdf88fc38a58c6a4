"""HTTP caching of public pages: one policy for pages, feeds and sitemaps."""

from functools import wraps

from django.conf import settings
from django.utils.cache import patch_cache_control


def cache_publicly(response):
    """Let browsers and shared caches keep a response every reader gets alike.

    Only successful responses that set no policy of their own are marked, so
    errors, previews and never-cache pages keep theirs.
    """
    if response.status_code == 200 and not response.has_header("Cache-Control"):
        patch_cache_control(
            response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS
        )
    return response


def public_cache(view):
    """View decorator applying ``cache_publicly``."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return cache_publicly(view(request, *args, **kwargs))

    return wrapped
