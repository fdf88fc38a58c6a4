"""Fragments: parts of the article page and feed items kept rendered while
public content is unchanged (reader/fragments.py), and fresh at once after
every change, like the page cache.

The page cache is off here, so every response is rendered and only the
fragments are stored. As in test_pagecache.py, a test changes the database
behind the cache's back (a queryset update sends no signal) to see whether a
part came from the cache.
"""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Author
from articles.services import article_unpublish, article_write
from tests.factories import ArticleFactory, EditorFactory, ScheduledArticleFactory

from .test_pagecache import _free_port, behind_the_cache, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pages_uncached(settings):
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def article(now):
    article = ArticleFactory(title="Ask for the raise", topics=["salary"])
    ArticleFactory(title="Know your number", topics=["salary"])
    return Article.objects.get(pk=article.pk)


def main_part(page: str) -> str:
    """The article itself, without the page's <head>."""
    return page.split('<main id="main"', 1)[1]


def related_part(page: str) -> str:
    return page.split('id="related-title"', 1)[1] if "related-title" in page else ""


def test_article_parts_are_stored_and_cost_one_query_when_reused(
    client, article, django_assert_num_queries
):
    url = article.get_absolute_url()
    first = text_of(client, url)
    behind_the_cache(article, title="Changed without a signal")
    with django_assert_num_queries(1):  # the article + author; no topics,
        again = text_of(client, url)  # read-more targets or related list
    assert "Ask for the raise</h1>" in main_part(again)
    assert '"headline": "Ask for the raise"' in again  # JSON-LD
    # The <title> is rendered for each request, the parts are as stored.
    assert "<title>Changed without a signal ·" in again
    assert main_part(again) == main_part(first)


def test_edited_article_is_fresh_at_once(client, article):
    url = article.get_absolute_url()
    text_of(client, url)
    article.title = "Ask for the raise, twice"
    article.body = "New advice on pay."
    article_write(article=article)
    page = text_of(client, url)
    assert "Ask for the raise, twice</h1>" in page
    assert "New advice on pay." in page
    assert '"headline": "Ask for the raise, twice"' in page
    assert 'content="Ask for the raise, twice"' in page  # og:title


def test_author_edit_is_fresh_at_once(client, article):
    url = article.get_absolute_url()
    text_of(client, url)
    text_of(client, reverse("articles:feed"))
    author = Author.objects.get(pk=article.author_id)
    author.name = "Renamed Writer"
    author.save()
    page = text_of(client, url)
    assert ">Renamed Writer</a>" in main_part(page)  # byline
    assert '"name": "Renamed Writer"' in page  # JSON-LD author
    assert "Renamed Writer" in text_of(client, reverse("articles:feed"))


def test_topic_rename_is_fresh_at_once(client, article):
    url = article.get_absolute_url()
    text_of(client, url)
    text_of(client, reverse("articles:feed"))
    tag = Tag.objects.get(slug="salary")
    tag.name = "Pay and raises"
    tag.save()
    page = text_of(client, url)
    assert 'content="Pay and raises"' in page  # article:tag
    assert ">Pay and raises</a>" in main_part(page)  # kicker and topic list
    assert "<category>Pay and raises</category>" in text_of(
        client, reverse("articles:feed")
    )


def test_related_article_unpublished_or_edited_is_fresh_at_once(client, article):
    url = article.get_absolute_url()
    assert "Know your number" in related_part(text_of(client, url))
    other = Article.objects.get(title="Know your number")
    other.title = "Know your worth"
    article_write(article=other)
    assert "Know your worth" in related_part(text_of(client, url))
    article_unpublish(article=other)
    assert "Know your worth" not in related_part(text_of(client, url))


def test_scheduled_article_joins_the_related_list_at_its_time(client, article):
    scheduled = ScheduledArticleFactory(title="Out next week", topics=["salary"])
    url = article.get_absolute_url()
    with time_machine.travel(scheduled.published_at - timedelta(seconds=1), tick=False):
        assert "Out next week" not in related_part(text_of(client, url))
    with time_machine.travel(scheduled.published_at + timedelta(seconds=1), tick=False):
        assert "Out next week" in related_part(text_of(client, url))


def test_feed_items_are_stored_and_fresh_after_a_change(
    client, article, django_assert_num_queries
):
    feed = reverse("articles:feed")
    first = text_of(client, feed)
    behind_the_cache(article, body_html="<p>Changed without a signal</p>")
    with django_assert_num_queries(1):  # the items' articles + authors
        assert text_of(client, feed) == first
    article.body = "Edited for the feed."
    article_write(article=article)
    ArticleFactory(title="Brand new", topics=["cv"])
    page = text_of(client, feed)
    assert "Edited for the feed." in page
    assert "Brand new" in page
    assert page.index("Brand new") < page.index("Edited for the feed.")


def test_atom_and_rss_items_are_stored_apart(client, article):
    rss = text_of(client, reverse("articles:feed"))
    atom = text_of(client, reverse("articles:feed_atom"))
    assert "<item>" in rss and "<item>" not in atom
    assert "<entry>" in atom and "<entry>" not in rss


def test_previews_never_use_or_store_fragments(client, article):
    url = article.get_absolute_url()
    text_of(client, url)
    behind_the_cache(article, body_html="<p>Edited behind the cache</p>")
    editor = Client()
    editor.force_login(EditorFactory())
    preview = reverse("admin:articles_article_preview", args=[article.pk])
    assert "Edited behind the cache" in text_of(editor, preview)
    assert "Edited behind the cache" not in text_of(client, url)


def test_pages_render_whole_while_the_cache_is_down(client, settings, article):
    settings.CACHES = {
        "default": {
            "BACKEND": "careerhub.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_free_port()}/0",  # nobody there
        }
    }
    assert "Ask for the raise" in text_of(client, article.get_absolute_url())
    assert "Ask for the raise" in text_of(client, reverse("articles:feed"))


def test_stored_article_parts_are_read_in_one_round_trip(client, article, monkeypatch):
    from reader import fragments, pagecache

    url = article.get_absolute_url()
    text_of(client, url)
    cache = pagecache.page_cache()
    reads = []
    get, get_many = cache.get, cache.get_many

    def read_one(key, *args, **kwargs):
        reads.append([key])
        return get(key, *args, **kwargs)

    def read_many(keys, *args, **kwargs):
        reads.append(keys)
        monkeypatch.setattr(cache, "get", get)  # locmem reads each key
        try:
            return get_many(keys, *args, **kwargs)
        finally:
            monkeypatch.setattr(cache, "get", read_one)

    monkeypatch.setattr(cache, "get", read_one)
    monkeypatch.setattr(cache, "get_many", read_many)
    assert "Ask for the raise" in text_of(client, url)
    fragment_reads = [
        keys for keys in reads if any(k.startswith(fragments.KEY_PREFIX) for k in keys)
    ]
    # Header and body, related list, social metadata and JSON-LD at once.
    assert [len(keys) for keys in fragment_reads] == [4]
