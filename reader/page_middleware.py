"""Serving and storing public pages for anonymous readers; 304 answers.

One cache round trip per hit: the generation and the page are fetched
together (none with a per-process cache). Django's ``CacheMiddleware`` needs
two and knows no generation. One client adds a bounded number of pages a
minute (``_client_may_add``).
"""

import threading
import time
from collections import OrderedDict
from hashlib import md5

from django.conf import settings
from django.core.cache.backends.dummy import DummyCache
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import http_date

from httpguard.clients import client_address

from .page_keys import is_public, page_key, reader_may_share
from .pagecache import (
    GENERATION_KEY,
    Generation,
    current_generation,
    guarded,
    in_force,
    marker,
    page_cache,
)


def _client_may_add(request) -> bool:
    """May this client add one more page to the cache? At most
    ``PAGE_CACHE_CLIENT_PAGES_PER_MINUTE`` new copies a minute per client
    address, counted in the cache (shared by every app server when it is):
    past that its pages are rendered for it and not stored."""
    limit = settings.PAGE_CACHE_CLIENT_PAGES_PER_MINUTE
    if not limit:
        return True
    client = md5(client_address(request).encode(), usedforsecurity=False)
    key = f"pagecache:client:{client.hexdigest()}:{int(time.time() // 60)}"
    cache = page_cache()
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # evicted in between: count afresh
        cache.set(key, 1, timeout=120)
        return True


def _stored_response(content: bytes, headers: dict):
    """A stored page as a response, with the headers it was rendered with."""
    return HttpResponse(content, headers=headers)


def _add_validators(response, generation: Generation) -> None:
    """ETag from the content (``ContentETagMiddleware``), Last-Modified from
    the content's last change.

    The site-wide change time replaces what feeds and sitemaps compute from
    their items' dates: those miss an item taken away.
    """
    if not response.has_header("ETag"):
        set_response_etag(response)
    response["Last-Modified"] = http_date(generation.changed_at)


_CONDITIONS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)


def _answer(request, response, generation: Generation | None):
    """The response, or 304 Not Modified if the reader's copy is current."""
    if not any(header in request.META for header in _CONDITIONS):
        return response
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=int(generation.changed_at) if generation else None,
        response=response,
    )


class LocalPages:
    """The pages this process served lately, as stored in the shared cache.

    A hit then reads only the small generation record from the shared cache,
    not the page (a feed is 50-200 kB): the copy here is served while its
    token is current, so it is exactly as fresh as the shared one.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.entries = OrderedDict()  # key: (token, content, headers)
        self.size = 0
        self.lock = threading.Lock()

    def __contains__(self, key) -> bool:
        return key in self.entries

    def get(self, key, token: str):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] != token:
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key, entry) -> None:
        with self.lock:
            old = self.entries.pop(key, None)
            self.size += len(entry[1]) - (len(old[1]) if old else 0)
            self.entries[key] = entry
            while self.size > self.max_bytes:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped[1])


# Pages kept in each process, in bytes of content.
LOCAL_PAGES_BYTES = 16 * 1024 * 1024


class PageCacheMiddleware:
    """Serve and store public pages for anonymous readers; answer 304s.

    First in MIDDLEWARE, so a hit costs one cache round trip and nothing
    else. What the middleware below it does still applies to every page: a
    page is stored with the headers they added (security, permissions and
    content policies), keyed by scheme, so an http:// request is never
    answered with the https:// copy and gets SecurityMiddleware's redirect;
    a request they refuse (bad host, NUL bytes) gets an error, never stored.
    Above GZipMiddleware: a page is stored once per encoding.
    ``PAGE_CACHE_SECONDS = 0`` turns storing off; the validators and 304
    answers stay.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = settings.STATIC_URL or "/static/"
        self.local = LocalPages(LOCAL_PAGES_BYTES)

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or request.path_info.startswith(
            self.static_prefix
        ):
            return self.get_response(request)
        seconds = settings.PAGE_CACHE_SECONDS
        key = page_key(request) if seconds and reader_may_share(request) else None
        if key is None or isinstance(page_cache(), DummyCache):
            return self.uncached(request)

        kept = marker()
        fetched = {}
        if kept.in_cache:
            # The page too only if this process has no copy of it (one round
            # trip either way, unless the copy here turns out to be stale).
            wanted = [GENERATION_KEY] if key in self.local else [GENERATION_KEY, key]
            fetched = guarded(page_cache().get_many, wanted)
            if fetched is None:  # the cache is down: serve the page uncached
                return self.get_response(request)
            generation = in_force(fetched.pop(GENERATION_KEY, None), serving=True)
        else:
            generation = guarded(current_generation, serving=True)
            if generation is None:
                return self.get_response(request)
        entry = self.local.get(key, generation.token)
        if entry is None:
            if key in fetched or (kept.in_cache and len(wanted) == 2):
                entry = fetched.get(key)
            else:  # the copy here is stale or missing: read the shared one
                entry = guarded(page_cache().get, key)
            if entry is not None and entry[0] == generation.token:
                self.local.put(key, entry)
            else:
                entry = None
        if entry is not None:
            _, content, headers = entry
            return _answer(request, _stored_response(content, headers), generation)

        response = self.get_response(request)
        if not is_public(response):
            return response
        _add_validators(response, generation)
        if request.method == "GET" and guarded(_client_may_add, request):
            # The token read before rendering: if content changed meanwhile,
            # this copy is already stale and will never be served.
            entry = (generation.token, response.content, dict(response.items()))
            guarded(page_cache().set, key, entry, timeout=seconds)
            self.local.put(key, entry)
        return _answer(request, response, generation)

    def uncached(self, request):
        """A page rendered for this request, with validators if public."""
        started = time.time()
        response = self.get_response(request)
        if not is_public(response):
            return response
        generation = guarded(current_generation, serving=False)
        if generation is None or generation.changed_at > started:
            # Content changed while this page was rendered: which state it
            # shows is unknown, so no date; its ETag is still right.
            if not response.has_header("ETag"):
                set_response_etag(response)
            return _answer(request, response, None)
        _add_validators(response, generation)
        return _answer(request, response, generation)


class ContentETagMiddleware:
    """An ETag for every public page, taken from its content before it is
    compressed: below ``PublicGZipMiddleware`` in MIDDLEWARE.

    Gzip writes random bytes into each compressed response (a BREACH
    mitigation), so an ETag of the compressed bytes would change with every
    response and a browser's If-None-Match would never match. Taken here, it
    names the content: the same for the stored copy and a page rendered anew,
    plain or compressed (gzip marks its copy's weak, ``W/"..."``, which
    If-None-Match still matches).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_public(response) and not response.has_header("ETag"):
            set_response_etag(response)
        return response


class PublicGZipMiddleware(GZipMiddleware):
    """Gzip public pages, feeds and sitemaps only.

    BREACH needs a secret in a compressed body that also reflects input. The
    pages compressed here are those every reader gets alike (``is_public``):
    they carry no CSRF token (the sign-up form is CSRF-exempt, see
    newsletter/views.py), no session data and set no cookie, as
    tests/articles/test_pagecache.py checks page by page. Admin and other
    per-reader pages, which do carry CSRF tokens, are left uncompressed.
    """

    def process_response(self, request, response):
        if not is_public(response):
            return response
        return super().process_response(request, response)
