"""Exact purges when what a page shows changes (issue 25, item 2): what is
purged, once per commit, at a scheduled article's moment, failures kept."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.tasks import TaskResultStatus
from taggit.models import Tag

from articles.models import TopicDescription
from articles.services import article_publish, article_unpublish
from frontcache.models import FailedPurge
from frontcache.tasks import purge, purge_at_publish
from newsletter.models import Edition
from reader import front_keys
from tests.factories import (
    NOW,
    ArticleFactory,
    AuthorFactory,
    DraftArticleFactory,
    ScheduledArticleFactory,
)

from .conftest import purged_keys

pytestmark = pytest.mark.django_db

LISTS = set(front_keys.LISTS)


def test_publishing_purges_the_article_its_author_topics_and_lists_in_one_call(
    varnish_front, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # committed
        topic = Tag.objects.create(name="Interviews", slug="interviews")
        draft = DraftArticleFactory(topics=[topic])
    varnish_front.calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            article_publish(article=draft)
    assert purged_keys(varnish_front) == [
        {f"a{draft.pk}", f"u{draft.author_id}", f"t{topic.pk}", *LISTS}
    ]
    assert varnish_front.calls[0]["method"] == "PURGE"


def test_saving_a_draft_purges_nothing(
    varnish_front, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = DraftArticleFactory()
        draft.title = "Still a draft"
        draft.save()
    assert varnish_front.calls == []


def test_unpublishing_purges_the_pages_that_showed_it(
    varnish_front, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # committed
        article = ArticleFactory()
    varnish_front.calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(article=article)
    [keys] = purged_keys(varnish_front)
    assert {f"a{article.pk}", f"u{article.author_id}", "home", "list"} <= keys


def test_moving_an_article_to_another_author_purges_both(
    varnish_front, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # committed
        article = ArticleFactory()
        before, after = article.author, AuthorFactory()
    varnish_front.calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article.author = after
        article.save()
    [keys] = purged_keys(varnish_front)
    assert {f"u{before.pk}", f"u{after.pk}"} <= keys


def test_deleting_an_article_purges_its_page(
    varnish_front, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # committed
        article = ArticleFactory()
        pk = article.pk
    varnish_front.calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            article.delete()
    assert f"a{pk}" in set().union(*purged_keys(varnish_front))


def test_renaming_an_author_purges_their_pages_and_the_lists(
    varnish_front, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # committed
        topic = Tag.objects.create(name="Pay", slug="pay")
        article = ArticleFactory(topics=[topic])
    varnish_front.calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article.author.name = "A new name"
        article.author.save()
    [keys] = purged_keys(varnish_front)
    assert keys == {
        f"u{article.author_id}",
        f"b{article.author_id}",
        f"t{topic.pk}",
        *LISTS,
    }


def test_renaming_a_topic_purges_its_pages(
    varnish_front, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # committed
        topic = Tag.objects.create(name="Pay", slug="pay")
        article = ArticleFactory(topics=[topic])
    varnish_front.calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        topic.name = "Salary"
        topic.save()
    [keys] = purged_keys(varnish_front)
    assert keys == {f"t{topic.pk}", f"n{topic.pk}", f"u{article.author_id}", *LISTS}


def test_a_topic_description_saved_on_its_own_purges_its_page_and_the_index(
    varnish_front, django_capture_on_commit_callbacks
):
    """As a shell or a data migration saves it, without the topic's form."""
    with django_capture_on_commit_callbacks(execute=True):  # committed
        topic = Tag.objects.create(name="Pay", slug="pay")
        ArticleFactory(topics=[topic])
    varnish_front.calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        TopicDescription.objects.create(tag=topic, description="Raises.")
    [keys] = purged_keys(varnish_front)
    assert keys == {f"t{topic.pk}", front_keys.TOPICS}


def test_an_edition_going_out_purges_the_archive_and_sign_up_page(
    varnish_front, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # committed
        edition = Edition.objects.create(subject="This week")
    varnish_front.calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENDING)
    assert purged_keys(varnish_front) == [{"editions", "signup"}]


def test_nothing_is_purged_without_a_front_cache(
    settings, django_capture_on_commit_callbacks, fake_front
):
    settings.FRONT_CACHE = None
    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=DraftArticleFactory())
    assert fake_front.calls == []


def test_a_scheduled_article_is_purged_at_its_moment(
    db_tasks, varnish_front, django_capture_on_commit_callbacks, now
):
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = ScheduledArticleFactory()
    varnish_front.calls.clear()
    [waiting] = db_tasks.rows(purge_at_publish)
    assert waiting.run_after == scheduled.published_at

    db_tasks.run()  # before its moment: nothing runs
    assert varnish_front.calls == []

    with time_machine.travel(scheduled.published_at + timedelta(seconds=1)):
        db_tasks.run()
    [keys] = purged_keys(varnish_front)
    assert {f"a{scheduled.pk}", "home", "list", "feed"} <= keys


def test_a_rescheduled_article_is_not_purged_at_its_old_moment(
    db_tasks, varnish_front, django_capture_on_commit_callbacks, now
):
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = ScheduledArticleFactory()
        old_moment = scheduled.published_at
        scheduled.published_at = old_moment + timedelta(days=1)
        scheduled.save()
    varnish_front.calls.clear()
    with time_machine.travel(old_moment + timedelta(seconds=1)):
        db_tasks.run()
    assert varnish_front.calls == []
    with time_machine.travel(scheduled.published_at + timedelta(seconds=1)):
        db_tasks.run()
    assert len(varnish_front.calls) == 1


def test_a_refused_purge_is_recorded_retried_and_cleared(varnish_front, settings):
    varnish_front.status = 500
    result = purge.enqueue(keys=["a1", "home"])
    assert result.status == TaskResultStatus.FAILED
    [failed] = FailedPurge.objects.all()
    assert failed.key_list == ["a1", "home"]
    assert "HTTP 500" in failed.error

    purge.enqueue(keys=["home", "a1"])
    assert FailedPurge.objects.get().attempts == 2

    varnish_front.status = 200
    purge.enqueue(keys=["a1", "home"])
    assert not FailedPurge.objects.exists()


def test_failed_purges_are_bounded_by_the_task_policy(
    db_tasks, varnish_front, settings
):
    settings.TASKS_MAX_ATTEMPTS = 2
    settings.TASKS_RETRY_DELAY = 0
    varnish_front.status = 503
    purge.enqueue(keys=["home"])
    with time_machine.travel(NOW):
        db_tasks.run()
        db_tasks.run()
        db_tasks.run()
    assert len(varnish_front.calls) == 2
    [row] = db_tasks.rows(purge)
    assert row.status == TaskResultStatus.FAILED
    assert FailedPurge.objects.get().attempts == 2


@pytest.mark.django_db(transaction=True)
def test_keys_of_a_rolled_back_transaction_are_not_purged(varnish_front):
    article = ArticleFactory()
    edition = Edition.objects.create(subject="This week")
    varnish_front.calls.clear()
    try:
        with transaction.atomic():
            article.title = "Never saved"
            article.save()
            raise RuntimeError
    except RuntimeError:
        pass
    assert varnish_front.calls == []
    with transaction.atomic():
        Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENT)
    # A batch per transaction: the rolled-back save's keys are not in it.
    assert purged_keys(varnish_front) == [{"editions", "signup"}]


def test_each_purge_is_sent_again_after_renders_in_flight_are_done(
    db_tasks, varnish_front, settings, django_capture_on_commit_callbacks, now
):
    settings.PAGE_CACHE_POLL_SECONDS = 0.5
    with django_capture_on_commit_callbacks(execute=True):
        draft = DraftArticleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=draft)
    first, again = db_tasks.rows(purge)
    assert first.args_kwargs == again.args_kwargs
    assert again.run_after - first.run_after == timedelta(
        seconds=settings.FRONT_CACHE_REPURGE_SECONDS
    )
    with time_machine.travel(now + timedelta(seconds=3)):
        db_tasks.run()
    assert len(purged_keys(varnish_front)) == 2
