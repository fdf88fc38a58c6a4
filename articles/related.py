"""Related articles, ranked when an article or its topics change.

The rule: the editor's hand-picked articles first, then those sharing the most
topics, newer first, topped up with the newest; never the article itself.
Ranking means counting shared topics over every article sharing one, which
grows with the site, so it is done on write (``related_refresh``) and the
page only reads the stored ids (``ArticleQuerySet.related_to``), keeping the
live ones. Published articles not live yet are ranked too, so a scheduled one
takes its place at its publish time without a new ranking.
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

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


def related_refresh(*, article_ids: Iterable[int]) -> None:
    """Rank and store the related list of each of these articles.

    Idempotent and safe to run late or twice (it reads the current state), so
    it can run as a background task. Published articles and hand-picked ones
    (even drafts, which may be published later) are stored; the page shows
    only those live when it is viewed.
    """
    for article in Article.objects.filter(pk__in=list(article_ids)).only("pk"):
        picked = Article.related.through.objects.filter(from_article_id=article.pk)
        pool = Article.objects.exclude(pk=article.pk).filter(
            Q(status=Article.Status.PUBLISHED)
            | Q(pk__in=picked.values("to_article_id"))
        )
        limit = picked.count() + RESERVE
        ids = list(ranked(article, pool=pool, limit=limit).values_list("pk", flat=True))
        Article.objects.filter(pk=article.pk).update(related_ids=ids)
