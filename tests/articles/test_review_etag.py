"""Browsers revalidate public pages, and revalidation works compressed.

A reader who had an article open sees a correction at the next visit: the
browser asks again each time (``max-age=0``) and gets a 304 while nothing
changed. The ETag names the content, not its encoding, so a browser that
accepts gzip (every browser) gets its 304s too, whether the page came from
the page cache or was rendered anew.
"""

import gzip

import pytest
from django.utils.cache import get_max_age

from articles.services import article_write
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def article(now):
    ArticleFactory.create_batch(4)  # enough text for gzip to compress
    return ArticleFactory(title="Ask for the raise", topics=["salary"])


@pytest.fixture(params=[0, 600], ids=["page cache off", "page cache on"])
def page_cache_seconds(request, settings):
    settings.PAGE_CACHE_SECONDS = request.param
    return request.param


def urls(article):
    return [article.get_absolute_url(), "/", "/articles/", "/feed/", "/sitemap.xml"]


def cache_control(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


def test_browsers_revalidate_public_pages_every_time(client, article):
    for url in urls(article):
        response = client.get(url)
        assert response.status_code == 200, url
        assert get_max_age(response) == 0, url
        assert "public" in cache_control(response), url
        assert not any(p.startswith("s-maxage") for p in cache_control(response))


def test_shared_caches_may_keep_pages_for_their_own_setting(client, settings, article):
    settings.SHARED_CACHE_SECONDS = 900
    response = client.get(article.get_absolute_url())
    assert get_max_age(response) == 0  # browsers still ask every time
    assert "s-maxage=900" in cache_control(response)


def test_twenty_compressed_revalidations_all_answer_304(
    client, page_cache_seconds, article
):
    for url in urls(article):
        first = client.get(url, headers=GZIP)
        assert first["Content-Encoding"] == "gzip", url
        answers = [
            client.get(url, headers={**GZIP, "If-None-Match": first["ETag"]})
            for _ in range(20)
        ]
        assert [a.status_code for a in answers] == [304] * 20, url


def opaque(etag: str) -> str:
    """The tag without its weak marker (gzip weakens the tag it passes on)."""
    return etag.removeprefix("W/")


def test_the_etag_names_the_content_not_its_encoding_or_the_cache(
    client, settings, article
):
    url = article.get_absolute_url()
    settings.PAGE_CACHE_SECONDS = 600
    client.get(url, headers=GZIP)  # stored
    stored = client.get(url, headers=GZIP)
    settings.PAGE_CACHE_SECONDS = 0
    rendered = client.get(url, headers=GZIP)
    plain = client.get(url)
    assert opaque(stored["ETag"]) == opaque(rendered["ETag"]) == plain["ETag"]
    # A browser's tag from a plain response matches the compressed one too.
    again = client.get(url, headers={**GZIP, "If-None-Match": plain["ETag"]})
    assert again.status_code == 304


def test_a_correction_gets_a_new_etag_and_the_new_text(
    client, page_cache_seconds, article
):
    url = article.get_absolute_url()
    before = client.get(url, headers=GZIP)["ETag"]
    article.title = "Ask for the raise, corrected"
    article_write(article=article)
    after = client.get(url, headers={**GZIP, "If-None-Match": before})
    assert after.status_code == 200
    assert "the raise, corrected" in gzip.decompress(after.content).decode()
    assert opaque(after["ETag"]) != opaque(before)
    last = client.get(url, headers={**GZIP, "If-None-Match": after["ETag"]})
    assert last.status_code == 304
