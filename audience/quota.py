"""How many views one client may have counted: AUDIENCE_VIEWS_PER_MINUTE per
client address and minute, in each web process.

Kept in the process, not in the shared cache (httpguard.ratelimit): a
beacon is the site's most frequent request, and three round trips to Redis
each would cost more CPU than the rest of the count (make bench-beacon
measured it). The price: with W web processes a client gets at most W times
the limit counted per minute, still a bound. A flood from very many
addresses is bounded too: past MAX_CLIENTS addresses in a minute, new ones
are not counted until the next minute (the memory stays bounded).
"""

import threading
import time

MAX_CLIENTS = 100_000


class PerMinute:
    """Counts per key for the current minute; a new minute starts afresh."""

    def __init__(self, *, clock=time.time, max_keys: int = MAX_CLIENTS):
        self._clock = clock
        self._max_keys = max_keys
        self._lock = threading.Lock()
        self._minute = None
        self._counts: dict[str, int] = {}

    def take(self, key: str, limit: int) -> bool:
        """Count one for ``key``; False once it has had ``limit`` this minute."""
        minute = int(self._clock() // 60)
        with self._lock:
            if minute != self._minute:
                self._minute, self._counts = minute, {}
            count = self._counts.get(key)
            if count is None and len(self._counts) >= self._max_keys:
                return False
            count = (count or 0) + 1
            self._counts[key] = count
            return count <= limit


views = PerMinute()
