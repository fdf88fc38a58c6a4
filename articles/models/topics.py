"""Topics: taggit's tags under the admin's name, their descriptions and counts."""

from django.db import models
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from taggit.models import Tag

from .article import Article
from .states import State


class Topic(Tag):
    """Topics as the admin names them: taggit's tags, under their own name."""

    class Meta:
        proxy = True
        verbose_name = "topic"
        verbose_name_plural = "topics"


class TopicDescription(models.Model):
    """What a topic's page says about it: topics are taggit tags, and this side
    table gives each one an editable description without a custom tag model."""

    tag = models.OneToOneField(
        Tag,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="topic_description",
        verbose_name="topic",
    )
    description = models.TextField(
        max_length=300,
        blank=True,
        help_text="A sentence or two under the topic's name on its page and in "
        "the topics index: what readers find here.",
    )

    class Meta:
        verbose_name = "topic description"

    def __str__(self):
        return self.description


def live_topics():
    """Topics of live articles, each with its number of them (``article_count``).

    Counts of published articles are kept as data (``TopicCount``, refreshed
    by ``articles.topics`` when articles or their topics change), so nothing
    here counts all tagged articles; only the few scheduled ones, not live
    yet, are taken off, so a topic appears with its first live article.
    """
    from taggit.models import TaggedItem

    scheduled = (
        TaggedItem.objects.filter(
            tag=OuterRef("pk"),
            object_id__in=Article.objects.in_state(State.SCHEDULED).values("pk"),
        )
        .values("tag")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Tag.objects.annotate(
        article_count=Coalesce(F("topic_count__published"), 0)
        - Coalesce(Subquery(scheduled), 0)
    ).filter(article_count__gt=0)


def topics_in_use():
    """Topics with their number of live articles, most used first (one query)."""
    return live_topics().order_by("-article_count", "name")


class TopicCount(models.Model):
    """How many published articles carry a topic, scheduled ones included."""

    tag = models.OneToOneField(
        Tag, on_delete=models.CASCADE, primary_key=True, related_name="topic_count"
    )
    published = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.tag}: {self.published}"


class TopicPosition(models.Model):
    """An article's place in a topic: 1, 2, 3 ... oldest first among the
    topic's published articles (scheduled ones last, as they are newest).

    Kept on write (``articles.topics.topic_positions_refresh``) like the
    article list's ``list_position``, so a topic page is a range of places
    read through an index, however deep: no OFFSET past the pages before.
    """

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tag", "article"], name="topic_position_unique_article"
            )
        ]
        indexes = [models.Index(fields=["tag", "position"], name="topic_position_idx")]

    def __str__(self):
        return f"{self.tag_id}: {self.position}"
