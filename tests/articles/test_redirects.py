"""A changed slug keeps the old address working with a permanent redirect."""

from datetime import UTC, datetime

import pytest

from articles.models import Article, SlugRedirect
from articles.services import article_write
from tests.factories import ArticleFactory, DraftArticleFactory

pytestmark = pytest.mark.django_db


def rename(article: Article, slug: str) -> Article:
    # As the admin would: a fresh instance from the database.
    article = Article.objects.get(pk=article.pk)
    article.slug = slug
    article_write(article=article)
    return article


def test_old_slug_redirects_permanently_to_the_new_one(client, now):
    article = rename(ArticleFactory(slug="cv-tips"), "cv-that-gets-read")
    response = client.get("/articles/cv-tips/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/cv-that-gets-read/"
    assert client.get("/articles/cv-that-gets-read/").status_code == 200
    assert article.slug_redirects.get().old_slug == "cv-tips"


def test_every_old_slug_in_a_chain_redirects_straight_to_the_current_one(client, now):
    article = ArticleFactory(slug="a")
    article = rename(article, "b")
    rename(article, "c")
    for old in ("a", "b"):
        response = client.get(f"/articles/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/articles/c/"


def test_slug_given_back_to_the_article_stops_redirecting(client, now):
    article = rename(ArticleFactory(slug="a"), "b")
    rename(article, "a")
    assert client.get("/articles/a/").status_code == 200
    response = client.get("/articles/b/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/a/"
    assert not SlugRedirect.objects.filter(old_slug="a").exists()


def test_old_slug_taken_by_a_new_article_shows_that_article(client, now):
    rename(ArticleFactory(slug="salary"), "salary-talks")
    ArticleFactory(slug="salary", title="A new salary guide")
    response = client.get("/articles/salary/")
    assert response.status_code == 200
    assert "A new salary guide" in response.text


def test_old_slug_taken_by_an_unpublished_article_does_not_redirect_to_it(client, now):
    old = rename(ArticleFactory(slug="salary"), "salary-talks")
    DraftArticleFactory(slug="salary", title="Unfinished salary draft")
    response = client.get("/articles/salary/")
    # The old address still leads to the old article until the draft is live.
    assert response.status_code == 301
    assert response["Location"] == "/articles/salary-talks/"
    assert "Unfinished salary draft" not in response.text
    assert client.get(old.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("status", "published_at"),
    [
        (Article.Status.DRAFT, None),
        (Article.Status.DRAFT, datetime(2026, 6, 1, 9, 0, tzinfo=UTC)),
        (Article.Status.PUBLISHED, datetime(2026, 7, 1, 9, 0, tzinfo=UTC)),
    ],
    ids=["draft", "unpublished", "scheduled"],
)
def test_old_slug_of_an_unpublished_article_is_not_found(
    client, now, status, published_at
):
    article = rename(ArticleFactory(slug="old"), "new")
    article.status = status
    article.published_at = published_at
    article_write(article=article)
    assert client.get("/articles/old/").status_code == 404
    assert client.get("/articles/new/").status_code == 404


def test_unknown_slug_is_not_found(client, now):
    assert client.get("/articles/never-existed/").status_code == 404


def test_title_change_alone_creates_no_redirect(now):
    article = Article.objects.get(pk=ArticleFactory(slug="same").pk)
    article.title = "A better title"
    article_write(article=article)
    assert not SlugRedirect.objects.exists()
