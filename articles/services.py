"""Writes with rules attached: publishing, featuring, saving edited articles."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .images import delete_renditions
from .models import Article, Author


def _live_since(article: Article) -> datetime | None:
    """The stored publish date if the stored article is live, else None."""
    if article.pk is None:
        return None
    return (
        Article.objects.live()
        .filter(pk=article.pk)
        .values_list("published_at", flat=True)
        .first()
    )


def publish_date(*, article: Article, at: datetime | None) -> datetime:
    """When ``article`` goes live if published with the date ``at``.

    No date means now. A date that has passed means now too, so an article
    never appears backdated below newer ones (or past a digest) by accident;
    an article that is already live keeps the date it is given, so editors can
    correct it. A future date schedules the article.
    """
    now = timezone.now()
    if at is None:
        return now
    if at <= now and _live_since(article) is None:
        return now
    return at


@transaction.atomic
def article_publish(*, article: Article, at: datetime | None = None) -> Article:
    """Publish ``article`` now, or schedule it when ``at`` is in the future."""
    article.published_at = publish_date(article=article, at=at)
    article.status = Article.Status.PUBLISHED
    article.save()
    return article


@transaction.atomic
def article_unpublish(*, article: Article) -> Article:
    """Take ``article`` off the site (back to draft); its date is kept."""
    article.status = Article.Status.DRAFT
    article.save()
    return article


@transaction.atomic
def article_set_featured(*, article: Article, featured: bool) -> Article:
    article.featured = featured
    article.save(update_fields=["featured", "modified_at"])
    return article


@transaction.atomic
def article_save(*, article: Article, cover_changed: bool = False) -> Article:
    """Save an article edited by hand, in the state it is stored in.

    Editing never publishes or unpublishes: that is ``article_publish`` and
    ``article_unpublish``, behind the publishing buttons' confirmation. A new
    article is a draft whatever it was given. A new or removed cover image,
    or a new focal point, gets its renditions made or removed
    (``cover_changed``).
    """
    if article.pk is None:
        article.status = Article.Status.DRAFT
    article.save()
    if cover_changed:
        _replace_renditions(article, "cover", article.cover_image, "cover_renditions")
    return article


@transaction.atomic
def author_save(*, author: Author, photo_changed: bool = False) -> Author:
    """Save an author; a new or removed photo gets its renditions made or removed."""
    author.save()
    if photo_changed:
        _replace_renditions(author, "photo", author.photo, "photo_renditions")
    return author


def _replace_renditions(obj, kind: str, image, renditions_field: str) -> None:
    """Drop the old image's renditions and have the worker make the new ones.

    Pages show the uploaded image itself until the task has run.
    """
    from .tasks import make_image_renditions  # tasks.py builds on the models

    old = getattr(obj, renditions_field)
    setattr(obj, renditions_field, {})
    obj.save(update_fields=[renditions_field])
    transaction.on_commit(lambda: delete_renditions(old))
    if image:
        make_image_renditions.enqueue(kind=kind, pk=obj.pk, name=image.name)
