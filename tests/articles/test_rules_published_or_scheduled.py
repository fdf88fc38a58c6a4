""" "Published or scheduled" is one rule, in SQL
(``ArticleQuerySet.published_or_scheduled_q``) and in Python
(``articles.publication.is_published_or_scheduled``)."""

import pytest

from articles.models import Article
from articles.publication import is_published_or_scheduled
from tests.factories import ArticleFactory, DraftArticleFactory, ScheduledArticleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("factory", "expected"),
    [
        (ArticleFactory, True),
        (ScheduledArticleFactory, True),
        (DraftArticleFactory, False),
    ],
    ids=["live", "scheduled", "draft"],
)
def test_python_and_sql_agree_on_published_or_scheduled(now, factory, expected):
    article = factory()

    in_sql = Article.objects.published_or_scheduled().filter(pk=article.pk).exists()

    assert is_published_or_scheduled(article) is expected
    assert in_sql is expected


def test_a_draft_with_a_past_publish_date_is_still_a_draft(now):
    # Unpublishing keeps the date: the date alone never makes an article public.
    draft = DraftArticleFactory(published_at=now)

    assert not is_published_or_scheduled(draft)
    assert not Article.objects.published_or_scheduled().filter(pk=draft.pk).exists()
