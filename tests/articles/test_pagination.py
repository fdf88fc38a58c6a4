"""Paginated lists: 12 per page, and any bad page number is a 404, never a 500."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from reader.views import ARTICLES_PER_PAGE
from tests.factories import ArticleFactory, AuthorFactory, DraftArticleFactory

pytestmark = pytest.mark.django_db

LISTS = ["list", "topic", "author"]


@pytest.fixture
def articles(now):
    """Thirteen live articles, oldest first: one more than a page."""
    author = AuthorFactory(slug="ada")
    start = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    live = [
        ArticleFactory(
            title=f"Guide {n:02d}",
            author=author,
            published_at=start + timedelta(days=n),
            topics=["interviews"],
        )
        for n in range(ARTICLES_PER_PAGE + 1)
    ]
    # Hidden ones must not make a third page or shift the second.
    for _ in range(ARTICLES_PER_PAGE):
        DraftArticleFactory(author=author, topics=["interviews"])
    return live


def list_url(name: str) -> str:
    return {
        "list": reverse("articles:list"),
        "topic": reverse("articles:topic", args=["interviews"]),
        "author": reverse("articles:author", args=["ada"]),
    }[name]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize(
    "page_number",
    ["0", "3", "-1", "abc", "1.5", "99999999999999999999999999", "1e3", "\x00"],
)
def test_bad_page_number_is_not_found(client, articles, name, page_number):
    response = client.get(list_url(name), {"page": page_number})
    assert response.status_code == 404


@pytest.mark.parametrize("name", LISTS)
def test_first_page_shows_the_twelve_newest_and_links_to_the_next(
    client, articles, name
):
    response = client.get(list_url(name))
    assert response.status_code == 200
    text = response.text
    for article in articles[1:]:
        assert article.title in text
    assert articles[0].title not in text
    assert '<a rel="next" href="?page=2">' in text
    assert 'rel="prev"' not in text
    assert "Page 1 of 2" in text


@pytest.mark.parametrize("name", LISTS)
def test_second_page_shows_the_rest_and_links_back(client, articles, name):
    response = client.get(list_url(name), {"page": "2"})
    assert response.status_code == 200
    text = response.text
    assert articles[0].title in text
    for article in articles[1:]:
        assert article.title not in text
    assert '<a rel="prev" href="?page=1">' in text
    assert 'rel="next"' not in text
    assert "Page 2 of 2" in text


@pytest.mark.parametrize("name", LISTS)
def test_last_is_accepted_as_a_page_number(client, articles, name):
    response = client.get(list_url(name), {"page": "last"})
    assert response.status_code == 200
    assert articles[0].title in response.text


@pytest.mark.parametrize("name", LISTS)
def test_one_page_has_no_page_links(client, articles, name):
    articles[0].delete()
    response = client.get(list_url(name))
    assert response.status_code == 200
    assert 'class="pagination"' not in response.text


def test_empty_list_is_a_page_not_an_error(client, now):
    response = client.get(reverse("articles:list"))
    assert response.status_code == 200
    assert "No articles yet" in response.text
    assert client.get(reverse("articles:list"), {"page": "2"}).status_code == 404


def test_not_found_page_is_the_sites_own(client, articles):
    response = client.get(reverse("articles:list"), {"page": "abc"})
    assert response.status_code == 404
    assert 'href="#main"' in response.text
