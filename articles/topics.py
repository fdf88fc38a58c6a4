"""Topics (taggit tags): article counts kept as data (``TopicCount``) instead of
counting every tagged article on each page that lists topics, which typed
names exist already (one rule for the forms), and each topic's colour."""

from collections.abc import Iterable

from django.db.models import Count, Q
from taggit.models import Tag

from .models import Article, TopicCount

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
