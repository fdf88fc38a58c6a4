"""What follows a change to the public edition archive or to the newsletter's
settings (the sign-up page shows the reader count by their threshold): cached
pages go stale."""

from django.db.models.signals import post_delete, post_save

from reader import pagecache

from .models import Edition, EditionArticle, NewsletterSettings
from .querysets import edition_status_changed


def _archive_changed(sender, **kwargs):
    if not kwargs.get("raw"):
        pagecache.invalidate()


def connect():
    # An edition going out (its status), edited, or its articles changed; the
    # editors' settings changed.
    edition_status_changed.connect(_archive_changed, dispatch_uid="pc-edition-status")
    for model in (Edition, EditionArticle, NewsletterSettings):
        post_save.connect(_archive_changed, sender=model, dispatch_uid=f"pc-{model}")
        post_delete.connect(
            _archive_changed, sender=model, dispatch_uid=f"pc-del-{model}"
        )
