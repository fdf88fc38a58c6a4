"""Rate limits on Django's cache (no extra dependency), for every app.

A fixed window per client: simple, and shared between app servers when
CACHE_URL points at Redis or Memcached. The client is its address
(``httpguard.clients``) unless the caller names another one (a user).

``hit`` counts a request and says how long to wait once over the limit (the
sign-up form). ``over`` only looks, for limits that count something known
only afterwards (``hit`` then): failed webhook logins, or the server time
the editors' previews took (``cost`` in milliseconds).

While the cache cannot be reached (Redis stopped), every limit *fails open*:
nothing is counted and every request goes through, logged once a minute at
most. Failing closed would refuse every reader's sign-up, preference change
and every editor's preview for as long as the cache is down: losing what
people came to do to guard against a flood that the slower limits behind
these still bound (confirmation mails are throttled per address in the
database, three a day; webhooks still need their credentials).
"""

import logging
import time
from urllib.parse import quote

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from .clients import client_address

logger = logging.getLogger(__name__)

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
# Seconds between two log lines about limits not counted (cache down).
REPORT_EVERY = 60
_last_report = [0.0]


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
    try:
        count = _count(key, cost, period)
    except Exception as error:  # each cache backend has its own errors
        return _fail_open(scope, error)
    return wait if count > limit else None


def _count(key: str, cost: int, period: int) -> int:
    cache.add(key, 0, timeout=period)
    try:
        return cache.incr(key, cost)
    except ValueError:  # evicted between add and incr
        cache.set(key, cost, timeout=period)
        return cost


def _fail_open(scope: str, error: Exception) -> None:
    """No limit while the cache is unreachable (see the module's docstring)."""
    now = time.monotonic()
    if now - _last_report[0] >= REPORT_EVERY:
        _last_report[0] = now
        logger.warning(
            "Rate limit %s not counted (cache unreachable: %s)", scope, error
        )
    return None


def over(request, *, scope: str, rate, who: str | None = None) -> int | None:
    """Seconds to wait if ``hit`` already reached the limit, else None (counts
    nothing)."""
    key, limit, _period, wait = _window(request, scope, rate, who)
    try:
        count = cache.get(key) or 0
    except Exception as error:  # as in hit
        return _fail_open(scope, error)
    return wait if count >= limit else None
