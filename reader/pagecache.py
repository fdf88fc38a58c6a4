"""The anonymous page cache, and when its pages go stale (the *generation*).

Public pages (those ``cache_headers.cache_publicly`` marks) are stored whole in
Django's cache and served to readers who send no cookies: who may get a
stored page and the key of each copy are ``page_keys``; serving, storing and
304 answers are ``page_middleware``. Invalidation is by one *generation*
(this module): a small record naming the current token, when the content
last changed and when the next scheduled article goes live, kept in the same
cache when app servers share it (Redis, Memcached: ``CacheMarker``) and in
the database when each process has its own (``locmem://``:
``DatabaseMarker``). Each stored page carries the token it was rendered
under and is served only while that token is current, so

- any change to public content (signals in ``articles.signals`` and the
  newsletter's) bumps the generation and every page is fresh at once on
  every app server sharing the cache, within ``PAGE_CACHE_POLL_SECONDS`` on
  every process keeping its own;
- a scheduled article appears at its publish time: the generation expires
  then, and the first request after it starts a new one;
- a page rendered while a change was being saved is stored under the old
  token, so it can never outlive the change.
"""

import logging
import time
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction

logger = logging.getLogger(__name__)
GENERATION_KEY = "pagecache:generation"


def page_cache():
    return caches[settings.PAGE_CACHE_ALIAS]


class Outage:
    """Whether this process failed to reach the cache since it last read a
    generation from it. Changes made meanwhile could not bump the generation
    in the cache (a Redis that was unreachable, not restarted, still holds
    the pages and the old token), so the first generation read after an
    outage is replaced by a new one: every page is rendered afresh once."""

    seen = False


def guarded(call, *args, **kwargs):
    """``call``'s result, or None if the cache cannot be reached: readers
    then get pages rendered for them rather than errors."""
    try:
        return call(*args, **kwargs)
    except Exception as error:  # each backend has its own connection errors
        Outage.seen = True
        # A backend that fails fast while its server is down (the Redis one's
        # breaker) logged the outage once: one line per page would flood.
        if not getattr(error, "already_reported", False):
            logger.exception("Page cache unavailable")
        return None


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
        # In force for this request even if the cache went away since it was
        # read: pages are then neither served from it nor stored.
        guarded(page_cache().set, GENERATION_KEY, generation, timeout=None)
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


def in_force(found: Generation | None, *, serving: bool) -> Generation:
    """The generation in force; ``serving`` when deciding about stored pages,
    which needs to know when the next scheduled article goes live."""
    kept = marker()
    now = time.time()
    if Outage.seen and kept.in_cache:  # read from the cache: it is back
        Outage.seen, found = False, None
    if found is None:  # first request, or evicted: content may have changed
        found = kept.set(Generation(uuid.uuid4().hex, now, UNKNOWN))
    if serving and found.until == UNKNOWN:
        found = kept.set(replace(found, until=_next_publish_moment()))
    if not found.is_current(now):  # a scheduled article has just gone live
        return kept.set(_new_generation(changed_at=found.until))
    return found


def current_generation(*, serving: bool = True) -> Generation:
    return in_force(marker().get(), serving=serving)


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
