"""Topic article counts, kept as data (``TopicCount``) instead of counting
every tagged article on each page that lists topics."""

from collections.abc import Iterable

from django.db.models import Count, Q
from taggit.models import Tag

from .models import Article, TopicCount


def topic_counts_refresh(*, tag_ids: Iterable[int]) -> None:
    """Recount the published articles (scheduled ones included) of these
    topics. Idempotent; ``live_topics()`` takes off those not live yet."""
    published = Article.objects.filter(status=Article.Status.PUBLISHED).values("pk")
    counts = Tag.objects.filter(pk__in=list(tag_ids)).annotate(
        n=Count(
            "taggit_taggeditem_items",
            filter=Q(taggit_taggeditem_items__object_id__in=published),
        )
    )
    for tag in counts:
        TopicCount.objects.update_or_create(tag=tag, defaults={"published": tag.n})
