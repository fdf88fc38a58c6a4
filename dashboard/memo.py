"""What the dashboard keeps for a minute: the sums that cost the most to
make (the most-read tables over weeks of figures, the last edition's
delivery and outcome counts). They change slowly, and the readers' figures
reach the database in batches anyway (AUDIENCE_FLUSH_SECONDS); the review
queue, the schedule and the next edition are always read fresh.

The task worker makes them anew every REFRESH_SECONDS (tasks.py), before
they expire, so an editor's request finds them ready; a request makes them
itself only when nothing is kept (the worker stopped, the cache emptied).
"""

from collections.abc import Callable

from django.core.cache import cache

REFRESH_SECONDS = 45
# Longer than REFRESH_SECONDS, so a worker's refresh comes before they expire.
FRESH_SECONDS = 90
PREFIX = "dashboard:1:"


def remembered[T](key: str, compute: Callable[[], T], *, refresh=False) -> T:
    """``compute()``, or what it gave less than FRESH_SECONDS ago; with
    ``refresh``, ``compute()`` kept afresh."""
    value = None if refresh else cache.get(PREFIX + key)
    if value is None:
        value = compute()
        cache.set(PREFIX + key, value, FRESH_SECONDS)
    return value
