"""Related lists ranked and stored (see articles/related.py for when): the
task worker runs ``related_refresh`` after a change, ``refresh_related`` runs
it over every article."""

from collections.abc import Iterable

from django.db.models import Q

from .models import Article

# Ids kept beyond the hand-picked ones: enough spares that unpublishing a few
# related articles leaves six to show.
RESERVE = 12


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
        ranking = pool.ranked_related(article, limit=limit)
        ids = list(ranking.values_list("pk", flat=True))
        if ids != article.related_ids:
            Article.objects.filter(pk=article.pk).update(related_ids=ids)
            changed += 1
    return changed
