"""The content's models: the bottom layer, each ``save()`` stores its row.

One module per concern: ``article`` (the article and its old addresses),
``display`` (what pages read off an article), ``figures`` (the media
library), ``querysets`` (how articles are read), ``reviews`` (a draft's
review steps), ``states`` (status and the state editors see), ``dates``,
``authors`` and ``topics``. Every name is importable from ``articles.models``.
"""

from .article import KEPT_ON_WRITE, RENDERED_FIELDS, Article, SlugRedirect
from .authors import Author
from .dates import date_modified, latest_change
from .display import ArticleDisplay, read_topics_together
from .figures import FigureUse, MediaImage
from .querysets import (
    CARD_FIELDS,
    LISTING_DEFERRED_FIELDS,
    TOPICS_ATTR,
    ArticleQuerySet,
)
from .reviews import ReviewStep
from .states import State, Status, publication_state
from .topics import (
    Topic,
    TopicCount,
    TopicDescription,
    TopicPosition,
    live_topics,
    topics_in_use,
)

__all__ = [
    "CARD_FIELDS",
    "KEPT_ON_WRITE",
    "LISTING_DEFERRED_FIELDS",
    "RENDERED_FIELDS",
    "TOPICS_ATTR",
    "Article",
    "ArticleDisplay",
    "ArticleQuerySet",
    "Author",
    "FigureUse",
    "MediaImage",
    "ReviewStep",
    "SlugRedirect",
    "State",
    "Status",
    "Topic",
    "TopicCount",
    "TopicDescription",
    "TopicPosition",
    "date_modified",
    "latest_change",
    "live_topics",
    "publication_state",
    "read_topics_together",
    "topics_in_use",
]
