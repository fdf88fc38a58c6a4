"""The author list of the desk, and the article form's author picker."""

from django.db.models import Count

from articles.models import ArticleQuerySet


def authors_with_counts(*, queryset):
    """``queryset`` with each author's number of live articles
    (``published_count``), in name order.

    A grouped query drops Meta.ordering: order again, or the article form's
    author picker pages through an unordered list.
    """
    return queryset.annotate(
        published_count=Count("articles", filter=ArticleQuerySet.live_q("articles__"))
    ).order_by("name", "pk")
