"""One rule for "live", "scheduled" and "draft", in SQL and in Python alike."""

from datetime import timedelta

import pytest

from articles.models import Article, Author, State, live_topics
from tests.factories import (
    NOW,
    ArticleFactory,
    DraftArticleFactory,
    ScheduledArticleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(now):
    return {
        "published": ArticleFactory(topics=["Live topic"]),
        "published at this very moment": ArticleFactory(published_at=NOW),
        "scheduled": ScheduledArticleFactory(topics=["Future topic"]),
        "published without a date": ArticleFactory(published_at=None),
        "draft": DraftArticleFactory(topics=["Draft topic"]),
        "draft with a past date": DraftArticleFactory(
            published_at=NOW - timedelta(days=3)
        ),
    }


def test_each_article_is_in_the_state_its_queryset_filter_finds_it_in(articles):
    for state in State:
        in_sql = set(Article.objects.in_state(state))
        in_python = {a for a in articles.values() if a.state == state}
        assert in_sql == in_python, state
    assert {a.state for a in articles.values()} == set(State)


def test_live_is_the_published_state(articles):
    live = set(Article.objects.live())
    assert live == set(Article.objects.in_state(State.PUBLISHED))
    assert live == {a for a in articles.values() if a.is_live}
    assert live == {
        articles["published"],
        articles["published at this very moment"],
    }


def test_published_or_scheduled_is_every_state_but_draft(articles):
    """What positions, topic counts and related lists are worked out for."""
    found = set(Article.objects.published_or_scheduled())
    assert found == {a for a in articles.values() if a.state != State.DRAFT}
    assert found == set(Article.objects.in_state(State.PUBLISHED)) | set(
        Article.objects.in_state(State.SCHEDULED)
    )
    assert articles["published without a date"] in found


def test_live_q_through_a_relation_matches_live(articles):
    authors = Author.objects.filter(Article.objects.live_q("articles__")).distinct()
    assert set(authors) == {a.author for a in Article.objects.live()}
    assert {tag.name for tag in live_topics().distinct()} == {"Live topic"}


def test_state_reads_as_editors_say_it(articles):
    assert str(articles["draft"].state) == "Draft"
    assert str(articles["scheduled"].state) == "Scheduled"
    assert articles["published"].state.value == "published"
