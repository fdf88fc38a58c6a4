"""What follows a change to public content: cached pages go stale.

Connected in ``ArticlesConfig.ready``. Every write path (admin, services,
shell, fixtures) goes through these, so no caller has to remember.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from taggit.models import Tag, TaggedItem

from . import pagecache
from .models import Article, Author, SlugRedirect


def _content_changed(sender, **kwargs):
    if kwargs.get("raw"):  # loaddata: the loader invalidates when done
        return
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return
    pagecache.invalidate()


def connect():
    # Articles (save, publish, unpublish, re-slug, delete), their authors and
    # topics (rename, delete), topic and hand-picked links, old addresses.
    for model in (Article, Author, Tag, TaggedItem, SlugRedirect):
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"pc-{model}")
        post_delete.connect(
            _content_changed, sender=model, dispatch_uid=f"pc-del-{model}"
        )
    for through in (Article.tags.through, Article.related.through):
        m2m_changed.connect(
            _content_changed, sender=through, dispatch_uid=f"pc-m2m-{through}"
        )
