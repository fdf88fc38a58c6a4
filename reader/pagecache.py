"""The anonymous page cache, and conditional GET for every public page.

Public pages (those ``cache_headers.cache_publicly`` marks) are stored whole in
Django's cache and served to readers who send no cookies. Invalidation is by
one *generation*: a small record naming the current token, when the content
last changed and when the next scheduled article goes live, kept in the same
cache when app servers share it (Redis, Memcached) and in the database when
each process has its own (``locmem://``, ``DatabaseMarker``). Each stored
page carries the token it was rendered under and is served only while that
token is current, so

- any change to public content (signals in ``articles.signals`` and the
  newsletter's) bumps the generation and every page is fresh at once on
  every app server sharing the cache, within ``PAGE_CACHE_POLL_SECONDS`` on
  every process keeping its own;
- a scheduled article appears at its publish time: the generation expires
  then, and the first request after it starts a new one;
- a page rendered while a change was being saved is stored under the old
  token, so it can never outlive the change.

One cache round trip per hit: the generation and the page are fetched
together (none with a per-process cache). Django's ``CacheMiddleware`` needs
two and knows no generation. Pages are keyed by what they read
(``_page_key``), and one client adds a bounded number a minute.
"""

import logging
import re
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from hashlib import md5
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import http_date, urlencode

from httpguard.clients import client_address

from . import cache_headers

logger = logging.getLogger(__name__)
GENERATION_KEY = "pagecache:generation"
# The version names the layout of keys and of stored entries (token,
# content, headers).
PAGE_KEY_PREFIX = "pagecache:page:v4"
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # the test GZipMiddleware uses
_NOT_SHARED = ("private", "no-store", "no-cache")


def page_cache():
    return caches[settings.PAGE_CACHE_ALIAS]


# -- Who may get a cached page ------------------------------------------------


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


# -- The generation -----------------------------------------------------------


# Generation.until before anyone has needed it (it costs a query).
UNKNOWN = -1.0


@dataclass(frozen=True)
class Generation:
    token: str
    changed_at: float  # seconds since the epoch: the last change of content
    until: float | None  # the next scheduled publish moment, None if none

    def is_current(self, now: float) -> bool:
        return self.until is None or self.until == UNKNOWN or now < self.until


def _next_publish_moment() -> float | None:
    from articles.models import Article, State  # models import this module's signals

    moment = (
        Article.objects.in_state(State.SCHEDULED)
        .exclude(published_at=None)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    return moment.timestamp() if moment else None


def _new_generation(changed_at: float) -> Generation:
    return Generation(uuid.uuid4().hex, changed_at, _next_publish_moment())


class CacheMarker:
    """The generation as one record in a shared cache (Redis, Memcached):
    every app server reads it with each request, with the page."""

    in_cache = True

    def get(self) -> Generation | None:
        return page_cache().get(GENERATION_KEY)

    def set(self, generation: Generation) -> Generation:
        page_cache().set(GENERATION_KEY, generation, timeout=None)
        return generation

    publish = set  # a committed change: the same record


def _timestamp(moment) -> float | None:
    return moment.timestamp() if moment else None


def _moment(timestamp: float | None):
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else None


def _read_row() -> Generation | None:
    from freshness.models import Generation as Row

    row = (
        Row.objects.filter(pk=Row.ROW)
        .values_list("token", "changed_at", "next_publish_at")
        .first()
    )
    if row is None:
        return None
    token, changed_at, until = row
    return Generation(token, changed_at.timestamp(), _timestamp(until))


def _write_row(generation: Generation) -> None:
    from freshness.models import Generation as Row

    fields = {
        "token": generation.token,
        "changed_at": _moment(generation.changed_at),
        "next_publish_at": _moment(generation.until),
    }
    if not Row.objects.filter(pk=Row.ROW).update(**fields):
        _, created = Row.objects.get_or_create(pk=Row.ROW, defaults=fields)
        if not created:  # another process wrote it first: ours is newer
            Row.objects.filter(pk=Row.ROW).update(**fields)


class DatabaseMarker:
    """The generation when the cache is kept per process (``locmem://``,
    ``dummy://``), where a marker in the cache would be seen by one gunicorn
    worker only: a row in the database (``freshness.Generation``).

    Each process reads the row at most every ``PAGE_CACHE_POLL_SECONDS`` and
    works from its copy in between, so a cached hit costs no query, and a
    change committed by any process reaches every other within that time.
    A change made here is in force here at once; the row is written when it
    commits. Scheduled moments are noticed by each process itself.
    """

    in_cache = False

    def __init__(self):
        self.generation = None  # in force in this process
        self.row = None  # the row as last read or written here
        # time.monotonic() of that read. A new process has no page yet that
        # could be stale: it reads the row after the first interval.
        self.read_at = time.monotonic()

    def get(self) -> Generation | None:
        now, every = time.monotonic(), settings.PAGE_CACHE_POLL_SECONDS
        if now - self.read_at >= every:
            self.read_at = now
            # A database that cannot be read keeps the copy here in force.
            row = guarded(_read_row)
            if row is not None and row != self.row:
                self.row = self.generation = row
        return self.generation

    def set(self, generation: Generation) -> Generation:
        self.generation = generation
        return generation

    def publish(self, generation: Generation) -> Generation:
        _write_row(generation)
        self.row = generation
        return self.set(generation)


_CACHE_MARKER = CacheMarker()
_DATABASE_MARKER = DatabaseMarker()
# Caches each process (or machine) keeps to itself.
_PER_PROCESS = (LocMemCache, DummyCache, FileBasedCache)


def marker() -> CacheMarker | DatabaseMarker:
    """Where the generation is kept: in the cache if every app server shares
    it, else in the database."""
    if isinstance(page_cache(), _PER_PROCESS):
        return _DATABASE_MARKER
    return _CACHE_MARKER


def _current(found: Generation | None, *, serving: bool) -> Generation:
    """The generation in force; ``serving`` when deciding about stored pages,
    which needs to know when the next scheduled article goes live."""
    kept = marker()
    now = time.time()
    if found is None:  # first request, or evicted: content may have changed
        found = kept.set(Generation(uuid.uuid4().hex, now, UNKNOWN))
    if serving and found.until == UNKNOWN:
        found = kept.set(replace(found, until=_next_publish_moment()))
    if not found.is_current(now):  # a scheduled article has just gone live
        return kept.set(_new_generation(changed_at=found.until))
    return found


def current_generation(*, serving: bool = True) -> Generation:
    return _current(marker().get(), serving=serving)


def invalidate() -> None:
    """Every cached page is stale from now on (call after changing content).

    Runs at once, and again when the transaction commits: a page rendered
    between the two from data not yet committed is dropped by the second.
    With the generation in the database, the first is this process's own
    (other processes cannot see the change before it commits) and the second
    writes the row every process reads.
    """
    kept = marker()
    kept.set(_new_generation(changed_at=time.time()))
    transaction.on_commit(lambda: kept.publish(_new_generation(time.time())))


# -- The middleware -----------------------------------------------------------


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


@lru_cache(maxsize=4)
def _canonical_host(site_url: str) -> str:
    return urlsplit(site_url).netloc


def _page_key(request) -> str | None:
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
    host = _canonical_host(settings.SITE_URL)
    address = md5(
        f"{request.scheme}://{host}{request.path}?{urlencode(values)}".encode(),
        usedforsecurity=False,
    )
    return f"{PAGE_KEY_PREFIX}:{variant}:{address.hexdigest()}"


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


def guarded(call, *args, **kwargs):
    """``call``'s result, or None if the cache cannot be reached: readers
    then get pages rendered for them rather than errors."""
    try:
        return call(*args, **kwargs)
    except Exception:  # each backend has its own connection errors
        logger.exception("Page cache unavailable")
        return None


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
        key = _page_key(request) if seconds and reader_may_share(request) else None
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
            generation = _current(fetched.pop(GENERATION_KEY, None), serving=True)
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
