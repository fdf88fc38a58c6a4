"""Cached pages go stale when what they show changes (``pagecache.invalidate``).

Connected in ``ReaderConfig.ready``: every write of articles, authors, topics,
their links and old addresses, through any path (admin, services, shell,
fixtures), and the content room's ``content_updated`` for writes that send
no model signal.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from taggit.models import Tag, TaggedItem

from articles.changes import content_updated
from articles.models import (
    Article,
    Author,
    MediaImage,
    SlugRedirect,
    TopicDescription,
)

from . import pagecache


def _content_changed(sender, **kwargs):
    if kwargs.get("raw"):  # loaddata: the loader invalidates when done
        return
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return
    pagecache.invalidate()


def _content_updated(sender, **kwargs):
    pagecache.invalidate()


def connect():
    # Articles (save, publish, unpublish, re-slug, delete), their authors and
    # topics (rename, delete) and their descriptions, topic and hand-picked
    # links, old addresses, library images (their alt text, caption or credit
    # show in bodies).
    for model in (
        Article,
        Author,
        Tag,
        TopicDescription,
        TaggedItem,
        SlugRedirect,
        MediaImage,
    ):
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"pc-{model}")
        post_delete.connect(
            _content_changed, sender=model, dispatch_uid=f"pc-del-{model}"
        )
    for through in (Article.tags.through, Article.related.through):
        m2m_changed.connect(
            _content_changed, sender=through, dispatch_uid=f"pc-m2m-{through}"
        )
    content_updated.connect(_content_updated, dispatch_uid="pc-updated")
