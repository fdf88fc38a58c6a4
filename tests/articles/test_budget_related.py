"""A related list never ranked (articles loaded in bulk, or read before the
worker ran) costs the page what a ranked one costs: the page shows a cheap
stand-in and asks the worker for the ranking, never ranking it itself
(issue 25: 1.1 s at 100,000 articles when ranked on read)."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core.cache import cache

from articles.models import Article
from articles.models.querysets import ArticleQuerySet
from articles.related import related_rank_missing
from articles.tasks import rank_related
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def day(n: int) -> datetime:
    return datetime(2026, 5, 1, 9, tzinfo=UTC) + timedelta(days=n)


@pytest.fixture
def unranked(now, django_capture_on_commit_callbacks):
    # Committed, as if saved earlier: nothing left waiting for the test's commit.
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(title="Asking for a raise", topics=["Pay", "Offers"])
        pay = [
            ArticleFactory(title=f"Pay {n}", topics=["Pay"], published_at=day(n))
            for n in range(8)
        ]
        newest = ArticleFactory(title="Newest", topics=["Remote"], published_at=day(20))
        picked = ArticleFactory(
            title="Picked", topics=["Remote"], published_at=day(-30)
        )
        article.related.set([picked])
    Article.objects.filter(pk=article.pk).update(related_ids=None)
    cache.clear()
    return Article.objects.get(pk=article.pk), pay, newest, picked


def test_unranked_list_is_the_picks_then_the_main_topics_newest(unranked):
    article, pay, newest, picked = unranked
    related = list(Article.objects.related_to(article))
    assert related == [picked, *reversed(pay[-5:])]
    assert newest not in related  # the main topic fills it first


def test_unranked_list_tops_up_with_the_newest(now):
    article = ArticleFactory(topics=["Niche"])
    alone = ArticleFactory(topics=["Niche"], published_at=day(1))
    newer = [ArticleFactory(published_at=day(n)) for n in range(2, 9)]
    Article.objects.filter(pk=article.pk).update(related_ids=None)
    article.refresh_from_db()
    related = list(Article.objects.related_to(article))
    assert related == [alone, *reversed(newer[-5:])]
    assert article not in related


def test_page_of_an_unranked_article_never_ranks_on_read(
    client,
    unranked,
    db_tasks,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    article, *_ = unranked
    with (
        mock.patch.object(
            ArticleQuerySet, "ranked_related", side_effect=AssertionError("ranked")
        ),
        django_assert_num_queries(5),
        django_capture_on_commit_callbacks(execute=True),
    ):
        # 1 the article + author, 1 its topics, 1 related (the stand-in),
        # 1 more in its main topic, and 1 the ranking task, enqueued
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "Picked" in response.text
    assert [row.args_kwargs["kwargs"] for row in db_tasks.rows(rank_related)] == [
        {"article_ids": [article.pk]}
    ]
    assert Article.objects.get(pk=article.pk).related_ids is None  # not on read


def test_many_reads_before_the_worker_runs_enqueue_one_ranking(
    unranked, db_tasks, django_capture_on_commit_callbacks
):
    article, *_, picked = unranked
    for _ in range(3):  # three readers of the page before the worker runs
        with django_capture_on_commit_callbacks(execute=True):
            related_rank_missing(article_id=article.pk)
    assert len(db_tasks.rows(rank_related)) == 1
    db_tasks.run()
    ranked = Article.objects.get(pk=article.pk).related_ids
    assert ranked and ranked[0] == picked.pk  # hand-picked first


def test_ranked_article_page_enqueues_nothing(
    client, now, db_tasks, django_capture_on_commit_callbacks
):
    article = ArticleFactory(topics=["Pay"])
    ArticleFactory(topics=["Pay"])
    Article.objects.filter(pk=article.pk).update(related_ids=[])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(article.get_absolute_url()).status_code == 200
    assert db_tasks.rows(rank_related) == []
