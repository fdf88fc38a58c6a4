"""Related articles, ranked when an article or its topics change.

The rule: the editor's hand-picked articles first, then those sharing the most
topics, newer first, topped up with the newest; never the article itself.
Ranking means counting shared topics over every article sharing one, which
grows with the site (0.4-0.6 s at 100,000 articles), so the task worker does
it after each change (``related_refresh_later``) and the page only reads the
stored ids (``ArticleQuerySet.related_to``), keeping those live when it is
viewed: until the task has run, the page shows the previous list minus any
article no longer live, never a wrong one. Published articles not live yet
are ranked too, so a scheduled one takes its place at its publish time
without a new ranking.
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from taskqueue.transactions import pending_on_commit

from .models import LISTING_DEFERRED_FIELDS, Article

# Ids kept beyond the hand-picked ones: enough spares that unpublishing a few
# related articles leaves six to show.
RESERVE = 12


def ranked(article: Article, *, pool, limit: int):
    """The first ``limit`` of ``pool`` in related order for ``article``."""
    picked = Article.related.through.objects.filter(from_article_id=article.pk)
    # Topic links of articles, by content type id: no join on a cast column.
    tagged = Article.tags.through.objects.filter(
        content_type=ContentType.objects.get_for_model(Article),
        tag__in=[tag.pk for tag in article.topics],
    )
    newest = pool.order_by("-published_at", "-pk").values("pk")[:limit]
    shared = (
        tagged.filter(object_id=OuterRef("pk"))
        .values("object_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        pool.filter(
            Q(pk__in=picked.values("to_article_id"))
            | Q(pk__in=tagged.values("object_id"))
            | Q(pk__in=newest)
        )
        .annotate(
            is_picked=Exists(picked.filter(to_article_id=OuterRef("pk"))),
            shared_topics=Coalesce(Subquery(shared), 0),
        )
        .select_related("author")
        .defer(*LISTING_DEFERRED_FIELDS)
        .order_by("-is_picked", "-shared_topics", "-published_at", "-pk")[:limit]
    )


def related_refresh(*, article_ids: Iterable[int]) -> int:
    """Rank and store the related list of each of these articles; returns how
    many lists changed.

    Idempotent and safe to run late or twice (it reads the current state), so
    it runs as a background task (``articles.tasks.rank_related``). Published
    articles and hand-picked ones (even drafts, which may be published later)
    are stored; the page shows only those live when it is viewed.
    """
    changed = 0
    articles = Article.objects.filter(pk__in=list(article_ids))
    for article in articles.only("pk", "related_ids"):
        picked = Article.related.through.objects.filter(from_article_id=article.pk)
        pool = Article.objects.exclude(pk=article.pk).filter(
            Article.objects.published_or_scheduled_q()
            | Q(pk__in=picked.values("to_article_id"))
        )
        limit = picked.count() + RESERVE
        ids = list(ranked(article, pool=pool, limit=limit).values_list("pk", flat=True))
        if ids != article.related_ids:
            Article.objects.filter(pk=article.pk).update(related_ids=ids)
            changed += 1
    return changed


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
