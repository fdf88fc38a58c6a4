"""Per-client rate limiting on Django's cache (no extra dependency).

A fixed window per client address: simple, and shared between app servers
when CACHE_URL points at Redis or Memcached.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

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


def client_address(request) -> str:
    """The client's IP: REMOTE_ADDR, or the header a trusted proxy sets.

    Behind a proxy every request comes from the proxy's address, so name the
    header it sets in NEWSLETTER_CLIENT_IP_HEADER (e.g. HTTP_X_REAL_IP). For
    X-Forwarded-For the last entry is the one the proxy added.
    """
    header = settings.NEWSLETTER_CLIENT_IP_HEADER
    value = request.META.get(header, "") if header else ""
    value = value.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "")
    return value[:64]


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
