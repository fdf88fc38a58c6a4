"""What one page costs the cache: one copy, whatever is added to its address.

A page is keyed by the query parameters it reads (``page`` on lists, ``q``
and ``page`` on search, ``p`` on sitemap sections) and by the site's own host:
tracking parameters, parameters the page does not read and other allowed
host names share its copy; a value no page is stored for (``page=abc``, a
page past the end, ``page=01``) is answered and not stored; and one client
address adds at most ``PAGE_CACHE_CLIENT_PAGES_PER_MINUTE`` copies a minute.
Each test counts the pages in the cache itself, on a process-local cache and
on a real Redis.
"""

from datetime import timedelta

import pytest
import redis
import time_machine

from reader import page_keys, pagecache
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
PAGE_KEYS = f"*{page_keys.PAGE_KEY_PREFIX}*"


@pytest.fixture(params=["locmem", "redis"])
def stored_pages(request, settings):
    """The page cache on; returns a function counting the pages it holds."""
    settings.PAGE_CACHE_SECONDS = 600
    if request.param == "redis":
        redis_url = request.getfixturevalue("redis_url")
        request.getfixturevalue("redis_cache")  # the default cache, emptied
        server = redis.Redis.from_url(redis_url)
        return lambda: len(server.keys(PAGE_KEYS))
    pagecache.page_cache().clear()
    # LocMemCache keeps its entries in a dict of its own.
    entries = pagecache.page_cache()._cache
    return lambda: sum(page_keys.PAGE_KEY_PREFIX in key for key in entries)


@pytest.fixture
def articles(now):
    return ArticleFactory.create_batch(13, topics=["salary"])  # two list pages


def test_tracking_parameters_share_the_page_s_copy(client, stored_pages, articles):
    first = client.get("/articles/").content
    for n in range(400):
        response = client.get(f"/articles/?utm_source=n{n}&fbclid={n}")
        assert response.status_code == 200
        assert response.content == first
    assert stored_pages() == 1


def test_parameters_a_page_does_not_read_share_its_copy(client, stored_pages, articles):
    article = articles[0].get_absolute_url()
    for n in range(20):
        for url in (article, "/", "/feed/", "/articles/"):
            assert client.get(f"{url}?x={n}&q=word{n}").status_code == 200
    assert stored_pages() == 4


def test_parameters_a_page_reads_make_their_own_copy(client, stored_pages, articles):
    pages = {
        "/articles/": "All articles",
        "/articles/?page=2": "(page 2)",
        "/search/?q=advice": "advice",
        "/search/?q=interviews": "interviews",
    }
    for url, shown in pages.items():
        response = client.get(url)
        assert shown in response.content.decode(), url
    # The same pages with their parameters reordered or repeated, plus noise.
    client.get("/articles/?utm_medium=mail&page=2")
    client.get("/search/?page=1&q=advice&utm_source=x")
    assert stored_pages() == len(pages) + 1  # page=1 of search is written out


def test_values_no_page_is_stored_for_are_answered_not_stored(
    client, stored_pages, articles
):
    assert client.get("/articles/?page=abc").status_code == 404
    assert client.get("/articles/?page=99").status_code == 404  # past the end
    assert client.get("/articles/?page=-1").status_code == 404
    for spelling in ("01", "2.0", " 2", "２"):  # page 2 as the site never writes it
        client.get(f"/articles/?page={spelling}")
    assert stored_pages() == 0


def test_every_allowed_host_shares_the_site_s_copy(
    client, settings, stored_pages, articles
):
    settings.ALLOWED_HOSTS = ["careerhub.example", "www.careerhub.example", ".example"]
    for host in ("careerhub.example", "www.careerhub.example", "cdn.example"):
        for _ in range(3):
            assert client.get("/", headers={"Host": host}).status_code == 200
    assert stored_pages() == 1
    assert client.get("/", headers={"Host": "evil.test"}).status_code == 400


def test_one_client_adds_a_bounded_number_of_pages_a_minute(
    client, settings, stored_pages, articles, now
):
    settings.PAGE_CACHE_CLIENT_PAGES_PER_MINUTE = 5
    crawler, reader = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "198.51.100.2"}
    with time_machine.travel(now, tick=False):
        for n in range(30):
            response = client.get(f"/search/?q=word{n}", **crawler)
            assert response.status_code == 200  # served, not refused
            assert f"word{n}" in response.content.decode()
        assert stored_pages() == 5
        client.get("/search/?q=advice", **reader)  # another client is not held up
        assert stored_pages() == 6
    with time_machine.travel(now + timedelta(minutes=1), tick=False):
        client.get("/search/?q=next-minute", **crawler)
        assert stored_pages() == 7
