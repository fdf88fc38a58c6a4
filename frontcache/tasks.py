"""Purges of the front cache, run by the task worker.

A failing purge raises, so taskqueue.policy retries it (bounded, with
backoff); each failure is kept as a ``FailedPurge`` row for the admin until a
run succeeds.
"""

import logging
from datetime import datetime, timedelta
from hashlib import md5

from django.conf import settings
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from articles.models import Article

from . import backends
from .models import FailedPurge
from .touches import article_keys

logger = logging.getLogger(__name__)


def keys_digest(keys: list[str]) -> str:
    return md5(" ".join(sorted(keys)).encode(), usedforsecurity=False).hexdigest()


def _record_failure(keys: list[str], error: str) -> None:
    digest = keys_digest(keys)
    if not FailedPurge.objects.filter(digest=digest).update(
        attempts=F("attempts") + 1, error=error, last_failed_at=timezone.now()
    ):
        FailedPurge.objects.get_or_create(
            digest=digest, defaults={"keys": " ".join(sorted(keys)), "error": error}
        )


@task()
def purge(*, keys: list[str]) -> str:
    """Tell the front cache to drop every page carrying one of ``keys``."""
    backend = backends.configured()
    if backend is None:
        return "no front cache"
    try:
        backend.purge(keys)
    except backends.PurgeFailed as error:
        _record_failure(keys, str(error))
        logger.warning("Front cache purge of %d key(s) failed: %s", len(keys), error)
        raise
    FailedPurge.objects.filter(digest=keys_digest(keys)).delete()
    logger.info("Front cache purged %d key(s).", len(keys))
    return f"{len(keys)} key(s) purged"


def enqueue_purge(keys: list[str], *, wait: float = 0) -> None:
    """Enqueue a purge of ``keys`` (after ``wait`` seconds), and the same
    again FRONT_CACHE_REPURGE_SECONDS later: a page whose rendering began
    before the change and ended after the first purge reaches the front
    cache stale; the second purge drops it. Only a queue that can wait
    (the database's) gets the second one."""
    if not purge.get_backend().supports_defer:
        purge.enqueue(keys=keys)
        return
    now = timezone.now()
    for delay in (wait, wait + settings.FRONT_CACHE_REPURGE_SECONDS):
        task = purge.using(run_after=now + timedelta(seconds=delay)) if delay else purge
        task.enqueue(keys=keys)


@task()
def purge_at_publish(*, article_id: int, moment: str) -> str:
    """At a scheduled article's publish moment: purge what it appears on.

    Enqueued to run then by every save that schedules it; re-checks that the
    article is still due at that moment and live now, so a rescheduled or
    withdrawn article's old task does nothing.
    """
    found = Article.objects.filter(pk=article_id).first()
    if found is None or found.published_at != datetime.fromisoformat(moment):
        return "rescheduled or deleted"
    if not found.is_live:
        return "not live"
    keys = sorted(article_keys(found))
    purge.call(keys=keys)
    repurge = timedelta(seconds=settings.FRONT_CACHE_REPURGE_SECONDS)
    purge.using(run_after=timezone.now() + repurge).enqueue(keys=keys)
    return f"{len(keys)} key(s) purged at publish"
