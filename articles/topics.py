"""Topics (taggit tags): article counts kept as data (``TopicCount``) instead of
counting every tagged article on each page that lists topics, which typed
names exist already (one rule for the forms), and each topic's colour."""

from collections.abc import Iterable

from django.db.models import Count, Q
from taggit.models import Tag

from .models import Article, TopicCount, TopicPosition

# Topic colours: the tones static/css/site.css draws (.tone-0 to .tone-5).
TOPIC_TONES = 6


def topic_tone(topic: Tag | None) -> int:
    """A topic's colour, 0 to ``TOPIC_TONES`` - 1, the same wherever the topic
    shows: cover-less cards, its page, the topics index, "More in <topic>".
    """
    return (topic.pk or 0) % TOPIC_TONES if topic is not None else 0


def topic_counts_refresh(*, tag_ids: Iterable[int]) -> None:
    """Recount the published articles (scheduled ones included) of these
    topics. Idempotent; ``live_topics()`` takes off those not live yet."""
    published = Article.objects.published_or_scheduled().values("pk")
    counts = Tag.objects.filter(pk__in=list(tag_ids)).annotate(
        n=Count(
            "taggit_taggeditem_items",
            filter=Q(taggit_taggeditem_items__object_id__in=published),
        )
    )
    for tag in counts:
        TopicCount.objects.update_or_create(tag=tag, defaults={"published": tag.n})
    topic_positions_refresh(tag_ids=[tag.pk for tag in counts])


def topic_positions_refresh(*, tag_ids: Iterable[int]) -> None:
    """Number the published articles (scheduled ones included) of these
    topics 1, 2, 3 ... oldest first (``TopicPosition``); only places that
    change are written (publishing the newest adds one row). Idempotent:
    called wherever topic counts change, which covers every change of a
    topic's published articles, their dates included."""
    published = Article.objects.published_or_scheduled().order_by("published_at", "pk")
    for tag_id in tag_ids:
        ids = published.with_topic(Tag(pk=tag_id)).values_list("pk", flat=True)
        wanted = {pk: n for n, pk in enumerate(ids, start=1)}
        stored = TopicPosition.objects.filter(tag_id=tag_id)
        have = dict(stored.values_list("article_id", "position"))
        stored.exclude(article_id__in=wanted).delete()
        moved = [pk for pk, n in wanted.items() if pk in have and have[pk] != n]
        TopicPosition.objects.bulk_update(
            [
                TopicPosition(pk=row_pk, position=wanted[article_id])
                for row_pk, article_id in stored.filter(
                    article_id__in=moved
                ).values_list("pk", "article_id")
            ],
            ["position"],
            batch_size=1000,
        )
        TopicPosition.objects.bulk_create(
            [
                TopicPosition(tag_id=tag_id, article_id=pk, position=n)
                for pk, n in wanted.items()
                if pk not in have
            ],
            batch_size=5000,
        )


def existing_names(names: list[str]) -> dict[str, str]:
    """Existing topics matching ``names`` in any case: {lowercase: stored name}."""
    if not names:
        return {}
    query = Q()
    for name in names:
        query |= Q(name__iexact=name)
    stored = Tag.objects.filter(query).values_list("name", flat=True)
    return {name.lower(): name for name in stored}


def unknown(names: list[str]) -> list[str]:
    """The names, in order, that match no existing topic (in any case)."""
    existing = existing_names(names)
    return [name for name in names if name.lower() not in existing]
