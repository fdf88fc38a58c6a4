"""Work done on write instead of on every page view: list positions, topic
counts and related lists stay right through every kind of change."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, TopicCount
from articles.related_ranking import related_refresh
from articles.services import article_publish, article_unpublish, article_write
from tests.factories import ArticleFactory, DraftArticleFactory, ScheduledArticleFactory

pytestmark = pytest.mark.django_db


def day(n: int) -> datetime:
    return datetime(2026, 5, 1, 9, tzinfo=UTC) + timedelta(days=n)


def listed_slugs(client, page: int = 1) -> list[str]:
    response = client.get(reverse("articles:list"), {"page": page})
    assert response.status_code == 200
    return [
        slug
        for slug in Article.objects.values_list("slug", flat=True)
        if f'href="/articles/{slug}/"' in response.text
    ]


def all_pages(client) -> list[str]:
    """Slugs on every list page, newest first (each page in order of ids)."""
    seen, page = [], 1
    while True:
        response = client.get(reverse("articles:list"), {"page": page})
        if response.status_code == 404:
            return seen
        order = sorted(
            (response.text.index(f'href="/articles/{a.slug}/"'), a.slug)
            for a in Article.objects.all()
            if f'href="/articles/{a.slug}/"' in response.text
        )
        seen += [slug for _, slug in order]
        page += 1


def newest_first_live() -> list[str]:
    return list(
        Article.objects.live()
        .order_by("-published_at", "-pk")
        .values_list("slug", flat=True)
    )


@pytest.fixture
def thirty(now):
    return [ArticleFactory(published_at=day(n)) for n in range(30)]


def test_list_pages_hold_every_live_article_once_in_order(client, thirty):
    assert all_pages(client) == newest_first_live()


def test_list_pages_follow_unpublish_backdating_and_deletion(client, thirty):
    article_unpublish(article=thirty[10])
    thirty[20].published_at = day(-5)  # now the oldest
    article_write(article=thirty[20])
    thirty[3].delete()
    DraftArticleFactory()
    article_publish(article=DraftArticleFactory(), at=None)
    assert all_pages(client) == newest_first_live()
    assert len(newest_first_live()) == 29


def test_scheduled_article_joins_the_list_at_its_time(client, thirty):
    scheduled = ScheduledArticleFactory()
    assert scheduled.slug not in all_pages(client)
    with time_machine.travel(scheduled.published_at + timedelta(minutes=1), tick=False):
        pages = all_pages(client)
        assert pages[0] == scheduled.slug
        assert pages == newest_first_live()


def test_topic_counts_follow_publishing_and_topic_changes(client, now):
    first = ArticleFactory(topics=["cv"])
    ArticleFactory(topics=["cv", "pay"])
    draft = DraftArticleFactory(topics=["cv"])
    scheduled = ScheduledArticleFactory(topics=["cv"])

    def counts():
        return {t.slug: t.article_count for t in _topics()}

    assert counts() == {"cv": 2, "pay": 1}
    article_publish(article=draft)
    assert counts() == {"cv": 3, "pay": 1}
    first.tags.set(["pay"])
    assert counts() == {"cv": 2, "pay": 2}
    article_unpublish(article=first)
    assert counts() == {"cv": 2, "pay": 1}
    with time_machine.travel(scheduled.published_at + timedelta(minutes=1), tick=False):
        assert counts() == {"cv": 3, "pay": 1}
    # Stored: published ones, the scheduled one included.
    assert TopicCount.objects.get(tag__slug="cv").published == 3


def _topics():
    from articles.models import topics_in_use

    return topics_in_use()


def test_related_list_is_ranked_when_the_article_or_its_topics_change(
    now, django_capture_on_commit_callbacks
):
    # Ranked by a task enqueued when each change commits (tasks run at once
    # in tests; see test_related_task.py for the queue).
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(topics=["cv"])
    with django_capture_on_commit_callbacks(execute=True):
        sharing = ArticleFactory(topics=["cv"])
    # Ranked when ``article`` was tagged: ``sharing`` did not exist yet.
    assert sharing.pk not in Article.objects.get(pk=article.pk).related_ids
    with django_capture_on_commit_callbacks(execute=True):
        article.tags.add("pay")
    assert Article.objects.get(pk=article.pk).related_ids[0] == sharing.pk


def test_related_list_keeps_only_live_articles_at_view_time(client, now):
    article = ArticleFactory(topics=["cv"])
    scheduled = ScheduledArticleFactory(title="Out next week", topics=["cv"])
    gone = ArticleFactory(title="Withdrawn", topics=["cv"])
    related_refresh(article_ids=[article.pk])
    assert list(Article.objects.related_to(article)) == [gone]
    article_unpublish(article=gone)
    assert list(Article.objects.related_to(article)) == []
    with time_machine.travel(scheduled.published_at + timedelta(minutes=1), tick=False):
        assert list(Article.objects.related_to(article)) == [scheduled]


def test_article_never_ranked_shows_its_topic_then_the_newest(now):
    # Not ranked on view (issue 25): the main topic's newest, then the newest.
    article = ArticleFactory(topics=["cv"])
    sharing = ArticleFactory(topics=["cv"])
    other = ArticleFactory()
    Article.objects.filter(pk=article.pk).update(related_ids=None)
    article.refresh_from_db()
    assert list(Article.objects.related_to(article)) == [sharing, other]


def test_saving_a_stale_copy_keeps_the_stored_lists(now):
    article = ArticleFactory(topics=["cv"])
    stale = Article.objects.get(pk=article.pk)
    ArticleFactory(topics=["cv"])
    article.tags.add("pay")  # ranks again
    fresh = Article.objects.get(pk=article.pk)
    stale.title = "Edited from an old form"
    article_write(article=stale)
    stored = Article.objects.get(pk=article.pk)
    assert stored.related_ids == fresh.related_ids
    assert stored.list_position == fresh.list_position is not None


def test_refresh_related_command_ranks_every_article(now):
    articles = [ArticleFactory(topics=["cv"]) for _ in range(3)]
    Article.objects.update(related_ids=None)
    out = io.StringIO()
    call_command("refresh_related", stdout=out)
    assert "Ranked the related lists of 3 articles" in out.getvalue()
    for article in articles:
        others = {a.pk for a in articles} - {article.pk}
        assert set(Article.objects.get(pk=article.pk).related_ids) == others
