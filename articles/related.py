"""Related articles, ranked when an article or its topics change.

The rule: the editor's hand-picked articles first, then those sharing the most
topics, newer first, topped up with the newest; never the article itself.
Ranking means counting shared topics over every article sharing one, which
grows with the site (0.4-0.6 s at 100,000 articles), so the task worker does
it after each change (``related_refresh_later``) and the page only reads the
stored ids (``ArticleQuerySet.related_to``), keeping those live when it is
viewed: until the task has run, the page shows the previous list minus any
article no longer live, never a wrong one. A list never ranked (articles loaded
in bulk, or read before the worker ran) shows a cheap stand-in, and the page
asks the worker for the ranking (``related_rank_missing``). Published articles
not live yet are ranked too, so a scheduled one takes its place at its publish
time without a new ranking.

This module hands the work to the worker; the ranking itself is
``articles.related_ranking`` (the rule, ``ArticleQuerySet.ranked_related``).
"""

import logging
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from taskqueue.transactions import pending_on_commit

logger = logging.getLogger(__name__)


class _Batch:
    """The articles to rank when the current transaction commits."""

    def __init__(self, article_ids: set[int]):
        self.article_ids = article_ids
        self.enqueued = False

    def __call__(self):
        from .tasks import rank_related  # tasks.py builds on this module

        self.enqueued = True
        rank_related.enqueue(article_ids=sorted(self.article_ids))


def related_refresh_later(*, article_ids: Iterable[int], using=None) -> None:
    """Have the task worker rank these articles' related lists once the
    current transaction commits: one task per transaction, however many
    changes in it asked (an editor's save changes the article, its topics
    and its picks, each sending its own signal)."""
    article_ids = set(article_ids)
    if not article_ids:
        return
    # A batch already waiting for this transaction takes the ids (a rolled
    # back transaction or savepoint drops its callbacks, batch included).
    for callback in pending_on_commit(using):
        if isinstance(callback, _Batch) and not callback.enqueued:
            callback.article_ids |= article_ids
            return
    transaction.on_commit(_Batch(article_ids), using=using)


# How long a page that found a list never ranked waits before asking again:
# the task is on its way, and one per article is enough.
ASKED_SECONDS = 300


def related_rank_missing(*, article_id: int) -> None:
    """Ask the worker to rank a list a page found never ranked (loaded in
    bulk, or read before the worker ran): the page never ranks it itself.

    Once per article per ``ASKED_SECONDS`` (``cache.add``), so a popular
    article read a thousand times before the worker runs enqueues one task.
    """
    try:
        first = cache.add(f"related-rank-asked:{article_id}", True, ASKED_SECONDS)
    except Exception:  # each backend has its own connection errors
        logger.warning("Cache unavailable: ranking asked for without a check")
        first = True  # a task too many beats a list never ranked
    if first:
        related_refresh_later(article_ids=[article_id])
