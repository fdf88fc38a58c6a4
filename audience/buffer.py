"""Counts held in the process until they are written in one batch.

A beacon adds to the counters here and nothing else: no database write per
view. flush.py writes what has gathered, once AUDIENCE_FLUSH_EVENTS views
have come or the oldest waited AUDIENCE_FLUSH_SECONDS, with one statement
per table.

What a killed process loses: the views it held and had not written yet, at
most one batch (AUDIENCE_FLUSH_EVENTS views or AUDIENCE_FLUSH_SECONDS' worth,
whichever is less). A gunicorn worker that ends normally (a restart, or
max_requests) writes them first (deploy/gunicorn.conf.py's worker_exit).
"""

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from .events import Hit


@dataclass
class Batch:
    """Everything counted since the last flush, by day."""

    # (day, article id) -> views; ids are checked when written.
    article_views: Counter = field(default_factory=Counter)
    # day -> views of pages that are not articles (lists, search, ...).
    other_views: Counter = field(default_factory=Counter)
    # (day, domain) -> views.
    referrers: Counter = field(default_factory=Counter)
    # (day, term) -> searches, and of those with no results.
    searches: Counter = field(default_factory=Counter)
    empty_searches: Counter = field(default_factory=Counter)
    # day -> the visitors' digests seen (visitors.py).
    visitors: dict[date, set[str]] = field(default_factory=dict)
    events: int = 0

    def add(self, day: date, hit: Hit, digest: str) -> None:
        if hit.article_id is None:
            self.other_views[day] += 1
        else:
            self.article_views[day, hit.article_id] += 1
        if hit.referrer:
            self.referrers[day, hit.referrer] += 1
        if hit.term:
            self.searches[day, hit.term] += 1
            if not hit.found:
                self.empty_searches[day, hit.term] += 1
        self.visitors.setdefault(day, set()).add(digest)
        self.events += 1


class Buffer:
    """A thread-safe Batch that says when it is due to be written."""

    def __init__(self, *, max_events: int, max_seconds: float, clock=time.monotonic):
        self.max_events = max_events
        self.max_seconds = max_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._batch = Batch()
        self._since = 0.0  # monotonic time of the oldest view held

    def add(self, day: date, hit: Hit, digest: str) -> bool:
        """Count one view; True when the batch is due to be written."""
        with self._lock:
            if not self._batch.events:
                self._since = self._clock()
            self._batch.add(day, hit, digest)
            return self._due()

    def due(self) -> bool:
        with self._lock:
            return self._due()

    def _due(self) -> bool:
        return bool(self._batch.events) and (
            self._batch.events >= self.max_events
            or self._clock() - self._since >= self.max_seconds
        )

    def __len__(self) -> int:
        return self._batch.events

    def take(self) -> Batch | None:
        """What is held, now the caller's to write; the buffer starts afresh."""
        with self._lock:
            if not self._batch.events:
                return None
            batch, self._batch = self._batch, Batch()
            return batch
