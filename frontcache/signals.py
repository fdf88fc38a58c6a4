"""What each change to public content purges from the front cache.

Beside the page cache's own receivers (reader/signals.py, newsletter/
signals.py), which drop every stored page at once: the front cache is told
exactly which keys a change touches (``reader.front_keys``), once per commit
(``batch``). Nothing runs unless FRONT_CACHE_URL names a front cache.
"""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_save,
    pre_delete,
    pre_save,
)
from taggit.models import Tag, TaggedItem

from articles.changes import content_updated
from articles.models import Article, Author, SlugRedirect, State, TopicDescription
from newsletter.models import Edition, EditionArticle, NewsletterSettings
from newsletter.querysets import edition_status_changed
from reader import front_keys

from . import touches
from .batch import purge_later
from .tasks import purge_at_publish

_BEFORE = "_front_keys_before"


def _on(kwargs) -> bool:
    return bool(settings.FRONT_CACHE) and not kwargs.get("raw")


def _article_before(sender, instance, **kwargs):
    """What the article touched as stored: its old author, topics, state."""
    if not _on(kwargs) or instance.pk is None:
        return
    stored = Article.objects.filter(pk=instance.pk).first()
    if stored is not None and stored.is_live:
        setattr(instance, _BEFORE, touches.article_keys(stored))


def _article_saved(sender, instance, **kwargs):
    if not _on(kwargs):
        return
    keys = set(getattr(instance, _BEFORE, ()))
    if instance.is_live:
        keys |= touches.article_keys(instance)
    purge_later(keys)  # a draft that never was live touches nothing
    if instance.state == State.SCHEDULED:
        _purge_at_its_moment(instance)


def _purge_at_its_moment(article) -> None:
    """A task at the publish moment purges what the article appears on."""
    if not purge_at_publish.get_backend().supports_defer:
        return  # a backend running tasks at once cannot wait for the moment
    task = purge_at_publish.using(run_after=article.published_at)
    moment = article.published_at.isoformat()
    transaction.on_commit(lambda: task.enqueue(article_id=article.pk, moment=moment))


def _article_deleted(sender, instance, **kwargs):
    if _on(kwargs):
        purge_later(touches.article_keys(instance))


def _tagged(sender, instance, **kwargs):
    if _on(kwargs):
        purge_later(touches.article_pk_keys(instance.object_id))
        purge_later({front_keys.topic(instance.tag_id)})


def _live_pages(pks) -> set[str]:
    """The keys of the pages of those articles that are live (others have none)."""
    live = Article.objects.live().filter(pk__in=pks).values_list("pk", flat=True)
    return {front_keys.article(pk) for pk in live}


def _article_links(sender, instance, pk_set=None, action="", **kwargs):
    """Hand-picked related articles and Read more targets: the pages showing
    them (the article's own, which carries their keys)."""
    if _on(kwargs) and action.startswith("post_"):
        purge_later(_live_pages([instance.pk, *(pk_set or ())]))


def _redirect(sender, instance, **kwargs):
    if _on(kwargs):
        purge_later({front_keys.article(instance.article_id)})


def _author(sender, instance, created=False, **kwargs):
    if _on(kwargs) and not created:  # a new author is on no page yet
        purge_later(touches.author_keys(instance.pk))


def _topic(sender, instance, created=False, **kwargs):
    if _on(kwargs) and not created:  # a new topic is on no page yet
        purge_later(touches.topic_keys(instance.pk))


def _topic_description(sender, instance, **kwargs):
    if _on(kwargs):
        purge_later(front_keys.touched_by_topic_description(pk=instance.tag_id))


def _content_updated(sender, pks=None, pages_of=None, **kwargs):
    """Writes no model signal reports (articles/tasks.py): ``pages_of`` the
    articles whose own page changed (a related list ranked), ``pks`` the
    objects changed as a whole (an image's copies made); neither: anything."""
    if not _on(kwargs):
        return
    if pages_of is not None:
        purge_later(_live_pages(pages_of))
    elif pks is not None and sender is Article:
        for pk in pks:
            purge_later(touches.article_pk_keys(pk))
    elif pks is not None and sender is Author:
        for pk in pks:
            purge_later(touches.author_keys(pk))
    else:
        purge_later({front_keys.ALL})


def _edition(sender, instance, signal=None, **kwargs):
    """An edition or its articles changed: only public ones are on pages."""
    if not _on(kwargs):
        return
    pk = instance.edition_id if isinstance(instance, EditionArticle) else instance.pk
    if signal is post_delete or Edition.objects.archived().filter(pk=pk).exists():
        purge_later(front_keys.touched_by_edition(pk=pk))


def _edition_status(sender, status=None, **kwargs):
    """Editions going out (update(), no instance): the archive, the sign-up
    page. Its own page was a 404 until now, which no front cache keeps."""
    if _on(kwargs):
        public = status in (Edition.Status.SENDING, Edition.Status.SENT)
        purge_later(
            {front_keys.EDITIONS, front_keys.SIGNUP}
            if public
            else {front_keys.ALL}  # withdrawn: which one is not said
        )


def _newsletter_settings(sender, **kwargs):
    if _on(kwargs):
        purge_later(front_keys.touched_by_newsletter_settings())


def connect():
    uid = "frontcache-"
    pre_save.connect(_article_before, sender=Article, dispatch_uid=uid + "a-pre")
    post_save.connect(_article_saved, sender=Article, dispatch_uid=uid + "a")
    pre_delete.connect(_article_deleted, sender=Article, dispatch_uid=uid + "a-del")
    post_save.connect(_tagged, sender=TaggedItem, dispatch_uid=uid + "ti")
    post_delete.connect(_tagged, sender=TaggedItem, dispatch_uid=uid + "ti-del")
    for through in (Article.related.through, Article.reads_more.through):
        m2m_changed.connect(
            _article_links, sender=through, dispatch_uid=uid + str(through)
        )
    for model, receiver in (
        (SlugRedirect, _redirect),
        (Author, _author),
        (Tag, _topic),
        (TopicDescription, _topic_description),
        (Edition, _edition),
        (EditionArticle, _edition),
        (NewsletterSettings, _newsletter_settings),
    ):
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}{model}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}del-{model}")
    content_updated.connect(_content_updated, dispatch_uid=uid + "updated")
    edition_status_changed.connect(_edition_status, dispatch_uid=uid + "edition")
