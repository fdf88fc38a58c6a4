"""What pages tell the counting script, and when they carry none."""

import re

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, EditorFactory

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r'<script src="[^"]*/js/count[^"]*\.js" data-url="/count/" defer>')


def body_tag(response) -> str:
    return re.search(r"<body[^>]*>", response.text)[0]


def test_every_public_page_loads_the_script_and_says_it_is_a_page(client):
    response = client.get("/")

    assert SCRIPT.search(response.text)
    assert body_tag(response) == '<body data-count-page="other">'


def test_an_article_page_names_its_article(client):
    article = ArticleFactory()

    response = client.get(article.get_absolute_url())

    assert body_tag(response) == (
        f'<body data-count-page="article" data-count-article="{article.pk}">'
    )


def test_a_search_names_its_term_and_whether_it_found_anything(client):
    ArticleFactory(title="Salary talks")

    found = body_tag(client.get("/search/?q=salary"))
    nothing = body_tag(client.get('/search/?q=%22zebra%22+"x'))

    assert 'data-count-page="search" data-count-search="salary"' in found
    assert 'data-count-found="1"' in found
    assert 'data-count-search="&quot;zebra&quot; &quot;x"' in nothing
    assert 'data-count-found="0"' in nothing


def test_later_pages_of_results_and_an_empty_search_are_plain_pages(client):
    ArticleFactory.create_batch(13, title="Salary talks")

    assert 'data-count-page="search"' in body_tag(client.get("/search/?q=salary"))
    second = client.get("/search/?q=salary&page=2")
    assert body_tag(second) == '<body data-count-page="other">'
    assert body_tag(client.get("/search/")) == '<body data-count-page="other">'


def test_error_pages_and_previews_are_not_counted(client):
    assert body_tag(client.get("/no-such-page/")) == "<body>"
    draft = ArticleFactory(status="draft", published_at=None)
    client.force_login(EditorFactory())
    preview = client.get(f"/admin/articles/article/{draft.pk}/preview/")
    assert preview.status_code == 200
    assert body_tag(preview) == "<body>"


def test_with_counting_off_no_page_carries_the_script(client, settings):
    settings.AUDIENCE_COUNTING = False

    assert not SCRIPT.search(client.get(reverse("about")).text)
    assert "count.js" not in client.get("/").text
