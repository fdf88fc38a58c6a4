"""Rate limits on Django's cache (no extra dependency), for every app.

A fixed window per client: simple, and shared between app servers when
CACHE_URL points at Redis or Memcached. The client is its address
(``httpguard.clients``) unless the caller names another one (a user).

``hit`` counts a request and says how long to wait once over the limit (the
sign-up form). ``over`` only looks, for limits that count something known
only afterwards (``hit`` then): failed webhook logins, or the server time
the editors' previews took (``cost`` in milliseconds).
"""

import time
from urllib.parse import quote

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from .clients import client_address

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


def _window(request, scope: str, rate: str | tuple[int, int], who: str | None):
    limit, period = parse_rate(rate) if isinstance(rate, str) else rate
    now = time.time()
    window = int(now // period)
    who = client_address(request) if who is None else who
    # Quoted: a forged client header must not put spaces or control
    # characters in a cache key (memcached refuses them).
    key = f"ratelimit:{scope}:{quote(who, safe='.:')}:{window}"
    wait = max(1, int((window + 1) * period - now))
    return key, limit, period, wait


def hit(
    request, *, scope: str, rate, who: str | None = None, cost: int = 1
) -> int | None:
    """Count one request (as ``cost``); return seconds to wait when over the
    limit, else None. ``rate`` is '10/hour' or (10, 3600)."""
    key, limit, period, wait = _window(request, scope, rate, who)
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key, cost)
    except ValueError:  # evicted between add and incr
        cache.set(key, cost, timeout=period)
        count = cost
    return wait if count > limit else None


def over(request, *, scope: str, rate, who: str | None = None) -> int | None:
    """Seconds to wait if ``hit`` already reached the limit, else None (counts
    nothing)."""
    key, limit, _period, wait = _window(request, scope, rate, who)
    return wait if (cache.get(key) or 0) >= limit else None
