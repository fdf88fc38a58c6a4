from datetime import datetime

from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from taggit.models import Tag

from .. import rendering
from ..images import focus_class, rendition_urls
from .dates import date_modified
from .querysets import TOPICS_ATTR
from .states import State, publication_state

# Where read_topics_together() puts the list an article's topics are read with.
_TOGETHER = "_topics_read_with"


def read_topics_together(articles) -> list:
    """``articles`` as a list whose topics are read in one query for all of
    them when the first one's are asked for (``Article.topics``): a page
    whose cards were all kept rendered reads none (``{% fragment_for %}``).
    """
    articles = list(articles)
    for article in articles:
        setattr(article, _TOGETHER, articles)
    return articles


class ArticleDisplay(models.Model):
    """What pages, feeds and the desk read off an article: derived from its
    columns, never stored (``Article`` is the one model built on it)."""

    class Meta:
        abstract = True

    @property
    def cover_focal_point(self) -> tuple[float, float]:
        return (self.cover_focal_x, self.cover_focal_y)

    @property
    def cover_focus_class(self) -> str:
        """For CSS crops narrower than the renditions (square cards)."""
        return focus_class(self.cover_focal_point)

    @property
    def cover_images(self) -> dict:
        """Cover renditions with their URLs, for templates (no query)."""
        return rendition_urls(self.cover_renditions)

    @property
    def topics(self) -> list[Tag]:
        """The article's topics, in the order they were added: prefetched by
        ``with_topics()``, read for a whole list at once when it was given to
        ``read_topics_together``, else read here once (one query)."""
        if not hasattr(self, TOPICS_ATTR):
            together = self.__dict__.pop(_TOGETHER, None)
            if together:
                unread = [a for a in together if not hasattr(a, TOPICS_ATTR)]
                prefetch_related_objects(unread, Prefetch("tags", to_attr=TOPICS_ATTR))
                for article in together:  # read: the list may go
                    article.__dict__.pop(_TOGETHER, None)
            else:
                setattr(self, TOPICS_ATTR, list(self.tags.all()))
        return getattr(self, TOPICS_ATTR)

    @property
    def main_topic(self) -> Tag | None:
        """The topic the article is filed under: the first one its editor
        gave (the kicker above the title, "More in <topic>", articleSection)."""
        topics = self.topics
        return topics[0] if topics else None

    @property
    def is_live(self) -> bool:
        return self.state == State.PUBLISHED

    @property
    def state(self) -> State:
        """Draft, Scheduled or Published, as editors think of it."""
        return publication_state(self.status, self.published_at)

    @property
    def summary(self) -> str:
        """The editor's excerpt, or one generated from the body."""
        return self.excerpt or self.auto_excerpt

    @property
    def description(self) -> str:
        return self.meta_description or rendering.cut_excerpt(self.summary, 155)

    @property
    def reading_minutes(self) -> int:
        return rendering.reading_minutes(self.word_count)

    @property
    def show_updated(self) -> bool:
        return bool(
            self.updated_at
            and self.published_at
            and self.updated_at > self.published_at
        )

    @property
    def date_modified(self) -> datetime | None:
        """What feeds and search engines are told as the last change.

        A review date in the future (entered before such dates were refused)
        is not a change that happened, so it is left out.
        """
        return date_modified(self.published_at, self.updated_at, self.reviewed_at)
