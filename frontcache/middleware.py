"""What shared caches in front may keep (``s-maxage``, ``stale-*``) and the
keys they purge it by, on the responses the page cache's own rule allows
(``reader.page_keys.shared_cache_may_keep``)."""

from django.conf import settings
from django.utils.cache import patch_cache_control

from reader import front_keys
from reader.page_keys import shared_cache_may_keep


def shared_cache_control() -> dict:
    """The Cache-Control directives for shared caches, from the settings."""
    seconds = settings.SHARED_CACHE_SECONDS
    if not seconds:
        return {}
    directives = {"s_maxage": seconds}
    if settings.SHARED_CACHE_STALE_WHILE_REVALIDATE:
        directives["stale_while_revalidate"] = (
            settings.SHARED_CACHE_STALE_WHILE_REVALIDATE
        )
    if settings.SHARED_CACHE_STALE_IF_ERROR:
        directives["stale_if_error"] = settings.SHARED_CACHE_STALE_IF_ERROR
    return directives


class SharedCacheHeadersMiddleware:
    """Below the page cache in MIDDLEWARE: a stored page keeps these headers.

    Previews, the admin, preference pages and anything answered to a request
    with a cookie get none: they are either not public or not the copy every
    reader gets.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not shared_cache_may_keep(request, response):
            return response
        directives = shared_cache_control()
        if directives:
            patch_cache_control(response, **directives)
        front = settings.FRONT_CACHE
        if front and front["KEY_HEADER"]:
            keys = front_keys.page_keys(request, response)
            response[front["KEY_HEADER"]] = front["KEY_SEPARATOR"].join(keys)
        return response
