"""What follows a change to articles, authors or topics.

- Work that depends on the write, not on the request, is redone: list
  positions and topic counts at once, the article's related list by the
  task worker after the commit (``related.related_refresh_later``).

Connected in ``ArticlesConfig.ready``; cached pages going stale is the
reader's side (reader/signals.py). Every write path (admin, services,
shell, fixtures) goes through these, so no caller has to remember. The
refresh functions are plain, idempotent units, ready to be queued as
background tasks.
"""

from django.db.models import QuerySet
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_save,
    pre_save,
)
from taggit.models import Tag, TaggedItem

from .models import Article
from .ordering import positions_refresh
from .publication import is_published_or_scheduled
from .related import related_refresh_later
from .topics import topic_counts_refresh


def _listing(article: Article) -> tuple | None:
    """What list positions and topic counts depend on."""
    if not is_published_or_scheduled(article):
        return None
    return (article.status, article.published_at)


def _article_before_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._listing_before = None
        return
    stored = Article.objects.filter(pk=instance.pk).only("status", "published_at")
    instance._listing_before = next((_listing(a) for a in stored), None)


def _article_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        related_refresh_later(article_ids=[instance.pk])
    before, after = getattr(instance, "_listing_before", None), _listing(instance)
    if before != after:
        dates = [state[1] for state in (before, after) if state and state[1]]
        positions_refresh(since=min(dates, default=None))
        topic_counts_refresh(tag_ids=instance.tags.values_list("pk", flat=True))


def _article_deleted(sender, instance, **kwargs):
    # Its topics' counts follow from its tagged items' deletion.
    if _listing(instance) is not None:
        positions_refresh(since=instance.published_at)


def _tagging_changed(sender, instance, **kwargs):
    if kwargs.get("raw") or _topic_being_deleted(kwargs.get("origin")):
        return
    topic_counts_refresh(tag_ids=[instance.tag_id])


def _topic_being_deleted(origin) -> bool:
    """Whether a tagging goes because its topic is deleted: the topic's count
    row goes with it, and writing it again would break the delete's commit."""
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return isinstance(model, type) and issubclass(model, Tag)


def _topics_or_picks_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse and sender is Article.related.through:
        # Articles added to (or removed from) another's picks from its side.
        related_refresh_later(article_ids=pk_set or [])
    elif isinstance(instance, Article):
        related_refresh_later(article_ids=[instance.pk])


def connect():
    for through in (Article.tags.through, Article.related.through):
        m2m_changed.connect(
            _topics_or_picks_changed, sender=through, dispatch_uid=f"rel-{through}"
        )
    pre_save.connect(_article_before_save, sender=Article, dispatch_uid="pos-pre")
    post_save.connect(_article_saved, sender=Article, dispatch_uid="pos-post")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid="pos-del")
    post_save.connect(_tagging_changed, sender=TaggedItem, dispatch_uid="tc-save")
    post_delete.connect(_tagging_changed, sender=TaggedItem, dispatch_uid="tc-del")
