"""Purges gathered per transaction: one task for all the keys a commit
touched (an editor's save sends a dozen signals; the front cache gets one
purge), enqueued once the transaction commits, never for one rolled back.
"""

import threading

from django.conf import settings
from django.db import transaction

from .tasks import purge


class _Batch:
    def __init__(self):
        self.keys: set[str] = set()
        self.sent = False

    def send(self) -> None:
        if self.sent or not self.keys:
            return
        self.sent = True
        purge.enqueue(keys=sorted(self.keys))


_local = threading.local()


def purge_later(keys) -> None:
    """Purge ``keys`` when the current transaction commits (at once outside
    one). Keys of a transaction rolled back join the next batch: a purge too
    many is harmless, one too few is a stale page."""
    if not settings.FRONT_CACHE or not keys:
        return
    batch = getattr(_local, "batch", None)
    if batch is None or batch.sent:
        batch = _local.batch = _Batch()
    batch.keys.update(keys)
    # Registered with every call: whichever commit comes first sends it.
    transaction.on_commit(batch.send)
