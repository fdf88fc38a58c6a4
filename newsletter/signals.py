"""What follows a change to the public edition archive: cached pages go stale."""

from django.db.models.signals import post_delete, post_save

from reader import pagecache

from .models import Edition, EditionArticle
from .querysets import edition_status_changed


def _archive_changed(sender, **kwargs):
    if not kwargs.get("raw"):
        pagecache.invalidate()


def connect():
    # An edition going out (its status), edited, or its articles changed.
    edition_status_changed.connect(_archive_changed, dispatch_uid="pc-edition-status")
    for model in (Edition, EditionArticle):
        post_save.connect(_archive_changed, sender=model, dispatch_uid=f"pc-{model}")
        post_delete.connect(
            _archive_changed, sender=model, dispatch_uid=f"pc-del-{model}"
        )
