"""Writes with rules attached: storing an article with what derives from its
text, publishing, featuring, saving edited articles."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from . import figures, read_more
from .images import delete_renditions
from .models import RENDERED_FIELDS, Article, Author, MediaImage, SlugRedirect


def article_write(
    *, article: Article, update_fields: Iterable[str] | None = None
) -> Article:
    """Store ``article`` with what derives from it: every write of an article
    goes through here (``save()`` only stores the row).

    When the body is written: its "Read more" references are resolved (as
    the system: forms resolve them as the editor first, and report what is
    missing) and it is rendered (HTML, generated excerpt, word count). A
    text change to a live article dates it as updated. In the same
    transaction: a changed slug leaves a redirect from the old one, the
    "Read more" targets and the library images placed are linked, and the
    search vectors follow the text.
    """
    loaded = article.loaded
    # Re-render only when the body is written, and then write what it
    # yields too (a write of, say, the featured flag needs neither).
    body_written = update_fields is None or "body" in update_fields
    if body_written:
        read_more.link_article(article, viewer=read_more.SYSTEM)
        article.render()
        if update_fields is not None:
            update_fields = {*update_fields, *RENDERED_FIELDS, "read_more_refs"}
    text_changed = loaded and (
        loaded.get("title") != article.title or loaded.get("body") != article.body
    )
    if text_changed and article.is_live:
        article.updated_at = timezone.now()
    with transaction.atomic():
        article.save(update_fields=update_fields)
        _redirect_old_slug(article, old_slug=loaded.get("slug"))
        if body_written:
            article.reads_more.set(set(article.read_more_refs.values()))
            figures.link_article(article)
        if update_fields is None or {"title", "excerpt", "body"} & set(update_fields):
            Article.objects.using(article._state.db).filter(
                pk=article.pk
            ).refresh_search_vectors()
    return article


def _redirect_old_slug(article: Article, *, old_slug: str | None) -> None:
    """Old URLs keep working: a changed slug answers with a redirect."""
    if old_slug and old_slug != article.slug:
        SlugRedirect.objects.update_or_create(
            old_slug=old_slug, defaults={"article": article}
        )
    # An article given back its old slug needs no redirect to itself. A
    # redirect from this slug to another article stays: it answers only
    # while this one is not live (a live slug always wins).
    SlugRedirect.objects.filter(old_slug=article.slug, article=article).delete()


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
    article_write(article=article)
    return article


@transaction.atomic
def article_unpublish(*, article: Article) -> Article:
    """Take ``article`` off the site (back to draft); its date is kept."""
    article.status = Article.Status.DRAFT
    article_write(article=article)
    return article


@transaction.atomic
def article_set_featured(*, article: Article, featured: bool) -> Article:
    article.featured = featured
    article_write(article=article, update_fields=["featured", "modified_at"])
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
    article_write(article=article)
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


@transaction.atomic
def media_image_save(*, image: MediaImage, file_changed: bool = False) -> MediaImage:
    """Save a library image; a new file gets its renditions made (the old
    ones removed). Pages showing it change at once (reader/signals.py)."""
    image.save()
    if file_changed:
        _replace_renditions(image, "figure", image.image, "renditions")
    return image


def media_image_delete(*, image: MediaImage) -> None:
    """Delete a library image no article places, and its files after the
    commit. One placed somewhere raises ``ProtectedError`` naming the uses."""
    files = [image.image.name] if image.image else []
    renditions = image.renditions
    image.delete()
    storage = image.image.storage

    def remove_files():
        delete_renditions(renditions, storage=storage)
        for name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)


def _replace_renditions(obj, kind: str, image, renditions_field: str) -> None:
    """Drop the old image's renditions and have the worker make the new ones.

    Pages show the uploaded image itself until the task has run.
    """
    from .tasks import make_image_renditions  # tasks.py builds on the models

    old = getattr(obj, renditions_field)
    setattr(obj, renditions_field, {})
    if isinstance(obj, Article):
        article_write(article=obj, update_fields=[renditions_field])
    else:
        obj.save(update_fields=[renditions_field])
    transaction.on_commit(lambda: delete_renditions(old))
    if image:
        make_image_renditions.enqueue(kind=kind, pk=obj.pk, name=image.name)
