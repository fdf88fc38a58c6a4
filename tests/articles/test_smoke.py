import pytest
from django.urls import reverse

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_article_page_shows_title_and_author(client):
    article = ArticleFactory(title="How to prepare for an interview")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "How to prepare for an interview" in response.text
    assert article.author.get_absolute_url() in response.text


def test_home_page_lists_live_articles(client):
    article = ArticleFactory()
    response = client.get(reverse("articles:home"))
    assert article.title in response.text
