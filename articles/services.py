"""Writes with rules attached: publishing, featuring, saving edited articles."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .images import COVER_RATIO, PHOTO_WIDTHS, delete_renditions, make_renditions
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
def article_save(
    *, article: Article, may_publish: bool, cover_changed: bool = False
) -> Article:
    """Save an article edited by hand.

    A published status goes through the publishing rules (``publish_date``).
    Without ``may_publish`` the article stays a draft whatever was posted.
    A new or removed cover image, or a new focal point, gets its renditions
    made or removed (``cover_changed``).
    """
    if not may_publish:
        article.status = Article.Status.DRAFT
    if article.status == Article.Status.PUBLISHED:
        article_publish(article=article, at=article.published_at)
    else:
        article.save()
    if cover_changed:
        old = article.cover_renditions
        article.cover_renditions = (
            make_renditions(
                article.cover_image.name,
                ratio=COVER_RATIO,
                focal=article.cover_focal_point,
            )
            if article.cover_image
            else {}
        )
        article.save(update_fields=["cover_renditions"])
        transaction.on_commit(lambda: delete_renditions(old))
    return article


@transaction.atomic
def author_save(*, author: Author, photo_changed: bool = False) -> Author:
    """Save an author; a new or removed photo gets its renditions made or removed."""
    author.save()
    if photo_changed:
        old = author.photo_renditions
        author.photo_renditions = (
            make_renditions(author.photo.name, widths=PHOTO_WIDTHS)
            if author.photo
            else {}
        )
        author.save(update_fields=["photo_renditions"])
        transaction.on_commit(lambda: delete_renditions(old))
    return author
