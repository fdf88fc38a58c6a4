"""Related articles: hand-picked first, then most shared topics, newer first."""

import re
from datetime import UTC, datetime

import pytest

from articles.models import Article
from articles.related_ranking import related_refresh
from tests.factories import ArticleFactory, DraftArticleFactory, ScheduledArticleFactory

pytestmark = pytest.mark.django_db


def day(n: int) -> datetime:
    return datetime(2026, 5, n, 9, 0, tzinfo=UTC)


def related_titles_on_page(client, article: Article) -> list[str]:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    section = response.text.split('id="related-title"', 1)[1]
    section = section.split('id="more-in-topic-title"', 1)[0]  # the next list
    return re.findall(
        r'<h3 class="related__title"><a href="[^"]+">([^<]+)</a>', section
    )


@pytest.fixture
def article(now):
    return ArticleFactory(
        title="Main", published_at=day(10), topics=["cv", "interviews", "salary"]
    )


def test_order_is_hand_picked_then_most_shared_topics_then_newest(client, article):
    # Created out of order, so the order cannot come from creation.
    one_shared = ArticleFactory(title="One shared", published_at=day(20), topics=["cv"])
    none_shared = ArticleFactory(title="None shared", published_at=day(25))
    two_older = ArticleFactory(
        title="Two shared, older", published_at=day(2), topics=["cv", "salary"]
    )
    picked = ArticleFactory(title="Hand-picked", published_at=day(1))
    three_shared = ArticleFactory(
        title="Three shared",
        published_at=day(3),
        topics=["cv", "interviews", "salary", "other"],
    )
    two_newer = ArticleFactory(
        title="Two shared, newer", published_at=day(4), topics=["interviews", "cv"]
    )
    article.related.set([picked])
    related_refresh(article_ids=[article.pk])  # the worker's ranking
    article.refresh_from_db()

    expected = [
        picked,
        three_shared,
        two_newer,
        two_older,
        one_shared,
        none_shared,
    ]
    assert list(Article.objects.related_to(article)) == expected
    assert related_titles_on_page(client, article) == [a.title for a in expected]


def test_several_hand_picked_are_ordered_by_shared_topics_then_newest(article):
    older = ArticleFactory(published_at=day(1))
    newer = ArticleFactory(published_at=day(2))
    sharing = ArticleFactory(published_at=day(1), topics=["cv"])
    not_picked = ArticleFactory(published_at=day(9), topics=["cv", "salary"])
    article.related.set([older, newer, sharing])
    assert list(Article.objects.related_to(article)) == [
        sharing,
        newer,
        older,
        not_picked,
    ]


def test_article_without_topics_gets_hand_picked_then_newest(now):
    article = ArticleFactory(published_at=day(10))
    old = ArticleFactory(published_at=day(1), topics=["cv"])
    new = ArticleFactory(published_at=day(5))
    picked = ArticleFactory(published_at=day(2))
    article.related.set([picked])
    assert list(Article.objects.related_to(article)) == [picked, new, old]


def test_never_lists_the_article_itself_even_hand_picked(client, article):
    other = ArticleFactory(title="Other", topics=["cv"])
    article.related.set([article, other])
    assert list(Article.objects.related_to(article)) == [other]
    assert related_titles_on_page(client, article) == ["Other"]


def test_never_lists_drafts_or_scheduled_even_hand_picked(client, article):
    live = ArticleFactory(title="Live one", published_at=day(1))
    topics = ["cv", "interviews", "salary"]
    draft = DraftArticleFactory(title="Draft one", topics=topics)
    scheduled = ScheduledArticleFactory(title="Scheduled one", topics=topics)
    withdrawn = DraftArticleFactory(
        title="Withdrawn one", published_at=day(9), topics=topics
    )
    article.related.set([draft, scheduled, withdrawn])
    assert list(Article.objects.related_to(article)) == [live]
    assert related_titles_on_page(client, article) == ["Live one"]


def test_at_most_six_are_listed(client, article):
    candidates = [
        ArticleFactory(published_at=day(n), topics=["cv"]) for n in range(1, 11)
    ]
    article.related.set(candidates[:8])
    related = list(Article.objects.related_to(article))
    # Eight hand-picked: the six newest of them.
    assert related == sorted(candidates[:8], key=lambda a: a.published_at)[::-1][:6]
    assert len(related_titles_on_page(client, article)) == 6


def test_page_without_other_articles_has_no_related_section(client, article):
    response = client.get(article.get_absolute_url())
    assert 'id="related-title"' not in response.text
