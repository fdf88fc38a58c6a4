"""Per-client rate limiting on Django's cache (no extra dependency).

A fixed window per client address: simple, and shared between app servers
when CACHE_URL points at Redis or Memcached.
"""

import time

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from httpguard.clients import client_address

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/hour' -> (10, 3600)."""
    try:
        count, period = rate.split("/")
        return int(count), PERIODS[period.strip().lower()]
    except (ValueError, KeyError):
        raise ImproperlyConfigured(
            f"Rate {rate!r} is not like '10/hour' (per second, minute, hour, day)."
        ) from None


def hit(request, *, scope: str, rate: str) -> int | None:
    """Count one request; return seconds to wait when over the limit, else None."""
    limit, period = parse_rate(rate)
    now = time.time()
    window = int(now // period)
    key = f"ratelimit:{scope}:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=period)
        count = 1
    if count > limit:
        return max(1, int((window + 1) * period - now))
    return None
