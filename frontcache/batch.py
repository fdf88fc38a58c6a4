"""Purges gathered per transaction: one task for all the keys a commit
touched (an editor's save sends a dozen signals; the front cache gets one
purge), enqueued once the transaction commits, never for one rolled back.
"""

import threading

from django.conf import settings
from django.db import transaction

from reader import pagecache

from .tasks import enqueue_purge


class _Batch:
    def __init__(self, current):
        self.transaction = current  # held, so its identity is not reused
        self.keys: set[str] = set()
        self.sent = False

    def send(self) -> None:
        if self.sent or not self.keys:
            return
        self.sent = True
        wait = 0
        if not pagecache.marker().in_cache:
            # Each app server process notices the change within the poll
            # interval (pagecache.DatabaseMarker): purged sooner, the front
            # cache could fetch a page one of them still holds.
            wait = settings.PAGE_CACHE_POLL_SECONDS
        enqueue_purge(sorted(self.keys), wait=wait)


def _transaction():
    """The outermost transaction running on this thread's connection, or
    None outside one. Django names no public way to tell one transaction from
    the next; ``atomic_blocks`` is checked by tests/frontcache/test_purges.py
    (test_keys_of_a_rolled_back_transaction_are_not_purged)."""
    blocks = getattr(transaction.get_connection(), "atomic_blocks", None)
    return blocks[0] if blocks else None


_local = threading.local()


def purge_later(keys) -> None:
    """Purge ``keys`` once the current transaction commits (at once outside
    one), together with every other key the transaction touched; never for
    a transaction rolled back."""
    if not settings.FRONT_CACHE or not keys:
        return
    current = _transaction()
    batch = getattr(_local, "batch", None)
    if batch is None or batch.sent or batch.transaction is not current:
        batch = _local.batch = _Batch(current)
    batch.keys.update(keys)
    # Registered with every call (a savepoint rolled back drops what was
    # registered inside it); sent once, by the first to run.
    transaction.on_commit(batch.send)
