"""Who may get a stored page, which responses may be stored, and their keys.

Pages are keyed by what they read (``page_key``): one copy per scheme,
encoding, path and value of the query parameters the page's view declares.
"""

import re
from functools import lru_cache
from hashlib import md5

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import Resolver404, resolve
from django.utils.http import urlencode

from . import cache_headers
from .site_urls import site_parts

# The version names the layout of keys and of stored entries (token,
# content, headers).
PAGE_KEY_PREFIX = "pagecache:page:v4"
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # the test GZipMiddleware uses
_NOT_SHARED = ("private", "no-store", "no-cache")


def reader_may_share(request) -> bool:
    """May this request be answered with the copy every anonymous reader gets?

    Only plain reads with no cookies and no credentials: a logged-in editor,
    or anyone carrying a session, CSRF or any other cookie, always gets a page
    rendered for them. This is the one rule; storing and serving both ask it.
    """
    return (
        request.method in ("GET", "HEAD")
        and not request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


# Request headers a stored page may vary on: the key tells encodings apart,
# and only requests without cookies are served from the cache.
_HANDLED_VARY = {"accept-encoding", "cookie"}


def is_public(response) -> bool:
    """A response every reader gets alike: marked public, setting no cookie,
    varying on nothing the cache key does not tell apart."""
    cache_control = response.get("Cache-Control", "")
    vary = {
        header.strip().lower()
        for header in response.get("Vary", "").split(",")
        if header.strip()
    }
    return (
        response.status_code == 200
        and not response.streaming
        and "public" in cache_control
        and not any(word in cache_control for word in _NOT_SHARED)
        and not response.cookies
        and not response.has_header("Set-Cookie")
        and vary <= _HANDLED_VARY
    )


def shared_cache_may_keep(request, response) -> bool:
    """May a shared cache (the page cache, Varnish, a CDN) keep this response
    for every reader? The page cache's rule, written once: a plain read with
    no cookies or credentials, answered with a public response.

    A page saying it varies on the cookie has a variant per session (a form
    with a CSRF token, say): the page cache serves only requests without
    cookies, but a CDN may not tell the variants apart, so it gets none.
    """
    return (
        reader_may_share(request)
        and is_public(response)
        and "cookie" not in response.get("Vary", "").lower()
    )


@lru_cache(maxsize=4096)
def _parameters_read(urlconf: str, path: str) -> frozenset | None:
    """The query parameters the page at ``path`` reads (declared by its view,
    ``cache_headers.query_parameters``), or None if no view answers there."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return cache_headers.query_parameters(match.func)


# Values of query parameters worth a stored copy: a page number as the site
# writes it (page=01 or page=abc is answered, never stored).
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
_STORED_VALUES = {
    "page": lambda value: value == "last" or _PAGE_NUMBER.fullmatch(value),
    "p": _PAGE_NUMBER.fullmatch,
}


def page_key(request) -> str | None:
    """The key of the copy this request may be answered with, or None if it
    gets none (it is not a page, or asks for a value no page is stored for).

    A page is one copy per scheme, encoding, path and value of the query
    parameters it reads: any other parameter (``utm_source``, ``fbclid``,
    anything) is ignored, and every host ALLOWED_HOSTS accepts shares the
    copy of the site's own (SITE_URL's).
    """
    try:
        request.get_host()  # a refused host gets its 400, never a copy
    except DisallowedHost:
        return None
    reads = _parameters_read(settings.ROOT_URLCONF, request.path_info)
    if reads is None:
        return None
    values = []
    if reads and request.META.get("QUERY_STRING"):
        for name in sorted(reads):
            value = request.GET.get(name)
            if value is None:
                continue
            valid = _STORED_VALUES.get(name)
            if valid is not None and not valid(value):
                return None
            values.append((name, value))
    variant = (
        "gzip"
        if _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        else "identity"
    )
    host = site_parts().netloc
    address = md5(
        f"{request.scheme}://{host}{request.path}?{urlencode(values)}".encode(),
        usedforsecurity=False,
    )
    return f"{PAGE_KEY_PREFIX}:{variant}:{address.hexdigest()}"
