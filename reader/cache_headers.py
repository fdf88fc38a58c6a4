"""HTTP caching of public pages: one policy for pages, feeds and sitemaps."""

from functools import wraps

from django.utils.cache import patch_cache_control


def cache_publicly(response):
    """Let browsers keep a response every reader gets alike.

    Browsers keep it but ask again before each use (``max-age=0``), answered
    with a 304 while nothing changed (``reader.page_middleware``): a correction
    shows at the next visit. What shared caches in front may keep (``s-maxage``
    and the keys they purge by) is added by
    ``frontcache.middleware.SharedCacheHeadersMiddleware`` to the responses
    ``page_keys.shared_cache_may_keep`` allows.

    Only successful responses that set no policy of their own are marked, so
    errors, previews and never-cache pages keep theirs.
    """
    if response.status_code == 200 and not response.has_header("Cache-Control"):
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response


def public_cache(view, *, query_parameters=()):
    """View decorator applying ``cache_publicly``; ``query_parameters`` names
    what the view reads from the query string (see ``query_parameters``)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return cache_publicly(view(request, *args, **kwargs))

    wrapped.public_query_parameters = tuple(query_parameters)
    return wrapped


def query_parameters(view) -> frozenset[str]:
    """The query parameters a public view reads, so the page cache keys its
    pages by these and ignores the rest (tracking and unknown parameters).

    A view (class or function) declares them as ``public_query_parameters``;
    a paginated list view reads its page parameter without saying so.
    """
    view_class = getattr(view, "view_class", None)
    declared = getattr(view_class or view, "public_query_parameters", None)
    if declared is not None:
        return frozenset(declared)
    if view_class is not None and getattr(view_class, "paginate_by", None):
        return frozenset({view_class.page_kwarg})
    return frozenset()
