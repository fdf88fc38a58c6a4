"""What the dashboard keeps for a minute: the sums that cost the most to
make (the most-read tables over weeks of figures, the last edition's
delivery and outcome counts). They change slowly, and the readers' figures
reach the database in batches anyway (AUDIENCE_FLUSH_SECONDS); the review
queue, the schedule and the next edition are always read fresh.
"""

from collections.abc import Callable

from django.core.cache import cache

FRESH_SECONDS = 60
PREFIX = "dashboard:1:"


def remembered[T](key: str, compute: Callable[[], T]) -> T:
    """``compute()``, or what it gave less than FRESH_SECONDS ago."""
    value = cache.get(PREFIX + key)
    if value is None:
        value = compute()
        cache.set(PREFIX + key, value, FRESH_SECONDS)
    return value
