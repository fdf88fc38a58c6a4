"""The anonymous page cache: served to anonymous readers only, fresh at once
after every change, and right at a scheduled article's publish time.

Each test runs on a process-local cache and on a real Redis (started on a
loopback port, as several app servers would share it). To see whether a page
came from the cache, a test changes the database behind the cache's back (a
queryset update sends no signal): a cached copy still shows the old text.
"""

import gzip
import os
import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Author
from articles.services import article_write
from newsletter.models import Edition
from reader import page_keys, page_middleware, pagecache
from tests.factories import (
    NOW,
    ArticleFactory,
    DraftArticleFactory,
    EditionFactory,
    EditorFactory,
    ScheduledArticleFactory,
)

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A redis-server of our own on a loopback port, stopped at the end."""
    try:
        import redis  # noqa: F401 (the optional client Django's backend needs)
    except ImportError:
        redis = None
    if redis is None or not shutil.which("redis-server"):
        if os.environ.get("CI"):
            pytest.fail("redis-server and the redis client are needed in CI")
        pytest.skip("redis-server or the redis client is not installed")
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    """The page cache on, over each kind of backend, emptied first."""
    if request.param == "redis":
        backend = {
            "BACKEND": "careerhub.redis_cache.RedisCache",
            "LOCATION": request.getfixturevalue("redis_url"),
        }
    else:
        backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.CACHES = {"default": backend}
    settings.PAGE_CACHE_SECONDS = 600
    pagecache.page_cache().clear()
    yield
    pagecache.page_cache().clear()


def text_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def article(now):
    return ArticleFactory(title="Ask for the raise", topics=["salary"])


def pages_of(article) -> list[str]:
    """Pages that show the article's title."""
    return [
        "/",
        reverse("articles:list"),
        article.get_absolute_url(),
        reverse("articles:topic", args=["salary"]),
        article.author.get_absolute_url(),
        reverse("articles:feed"),
        reverse("articles:feed_atom"),
    ]


def behind_the_cache(article, **fields):
    Article.objects.filter(pk=article.pk).update(**fields)


# -- Who gets cached pages -----------------------------------------------------


def test_anonymous_readers_get_the_stored_copy(client, page_cache, article):
    for url in pages_of(article):
        assert "Ask for the raise" in text_of(client, url)
    behind_the_cache(article, title="Changed without a signal")
    for url in pages_of(article):
        assert "Ask for the raise" in text_of(client, url), url


def test_a_hit_costs_no_query(client, page_cache, article, django_assert_num_queries):
    url = article.get_absolute_url()
    text_of(client, url)
    with django_assert_num_queries(0):
        assert "Ask for the raise" in text_of(client, url)


def test_logged_in_staff_always_get_a_fresh_page(client, page_cache, article):
    editor = Client()
    editor.force_login(EditorFactory())
    url = article.get_absolute_url()
    text_of(client, url)
    behind_the_cache(article, title="Fresh for editors")
    assert "Fresh for editors" in text_of(editor, url)
    assert "Ask for the raise" in text_of(client, url)


def test_requests_with_any_cookie_get_a_fresh_page(client, page_cache, article):
    url = article.get_absolute_url()
    text_of(client, url)
    behind_the_cache(article, title="Fresh for cookies")
    with_cookie = Client()
    with_cookie.cookies["theme"] = "dark"
    assert "Fresh for cookies" in text_of(with_cookie, url)


def test_a_page_rendered_for_a_cookie_is_not_stored(client, page_cache, article):
    url = article.get_absolute_url()
    with_cookie = Client()
    with_cookie.cookies["sessionid"] = "someone"
    text_of(with_cookie, url)
    behind_the_cache(article, title="Not from the cookie copy")
    # The page's <title> is rendered per request (the article's fragments,
    # shared by all readers, are stored: see test_fragments.py).
    assert "<title>Not from the cookie copy ·" in text_of(client, url)


def test_responses_setting_a_cookie_or_private_are_never_stored():
    from django.http import HttpResponse

    from reader.cache_headers import cache_publicly

    public = cache_publicly(HttpResponse("page"))
    assert page_keys.is_public(public)
    with_cookie = cache_publicly(HttpResponse("page"))
    with_cookie.set_cookie("csrftoken", "x")
    assert not page_keys.is_public(with_cookie)
    unmarked = HttpResponse("page")
    assert not page_keys.is_public(unmarked)
    per_language = cache_publicly(HttpResponse("page"))
    per_language["Vary"] = "Accept-Encoding, Accept-Language"
    assert not page_keys.is_public(per_language)


def test_anonymous_visitors_get_no_preview(client, page_cache, now):
    draft = DraftArticleFactory(title="Secret draft")
    editor = Client()
    editor.force_login(EditorFactory())
    preview = reverse("admin:articles_article_preview", args=[draft.pk])
    assert "Secret draft" in text_of(editor, preview)
    assert client.get(preview).status_code == 302  # to the login page


def test_post_is_never_answered_from_the_cache(client, page_cache, now):
    signup = reverse("newsletter:signup")
    text_of(client, signup)
    response = client.post(signup, {"email": "not an address"})
    assert response.status_code == 400


# -- Invalidation: every change shows at once ------------------------------------


def test_edited_article_is_fresh_everywhere(client, page_cache, article):
    for url in pages_of(article):
        text_of(client, url)
    article.title = "Ask for the raise, twice"
    article_write(article=article)
    for url in pages_of(article):
        assert "Ask for the raise, twice" in text_of(client, url), url


def test_published_article_appears_at_once(client, page_cache, now):
    from articles.services import article_publish

    draft = DraftArticleFactory(title="Fresh off the press", topics=["salary"])
    ArticleFactory(topics=["salary"])
    urls = ["/", reverse("articles:list"), reverse("articles:feed")]
    for url in urls:
        assert "Fresh off the press" not in text_of(client, url)
    article_publish(article=draft)
    for url in urls + [draft.get_absolute_url()]:
        assert "Fresh off the press" in text_of(client, url), url


def test_unpublished_article_disappears_at_once(client, page_cache, article):
    from articles.services import article_unpublish

    for url in pages_of(article):
        text_of(client, url)
    article_unpublish(article=article)
    assert client.get(article.get_absolute_url()).status_code == 404
    for url in ["/", reverse("articles:list"), reverse("articles:feed")]:
        assert "Ask for the raise" not in text_of(client, url), url


def test_deleted_article_disappears_at_once(client, page_cache, article):
    ArticleFactory(title="Still here")
    url = article.get_absolute_url()
    text_of(client, url)
    text_of(client, "/")
    article.delete()
    assert client.get(url).status_code == 404
    assert "Ask for the raise" not in text_of(client, "/")


def test_reslugged_article_redirects_at_once(client, page_cache, article):
    old = article.get_absolute_url()
    text_of(client, old)
    text_of(client, "/")
    article.slug = "ask-for-more"
    article_write(article=article)
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == "/articles/ask-for-more/"
    assert "/articles/ask-for-more/" in text_of(client, "/")


def test_author_edit_shows_on_their_articles(client, page_cache, article):
    url = article.get_absolute_url()
    text_of(client, url)
    author = Author.objects.get(pk=article.author_id)
    author.name = "Renamed Writer"
    author.save()
    assert "Renamed Writer" in text_of(client, url)
    assert "Renamed Writer" in text_of(client, author.get_absolute_url())


def test_topic_rename_shows_everywhere(client, page_cache, article):
    for url in [article.get_absolute_url(), reverse("articles:topics")]:
        text_of(client, url)
    tag = Tag.objects.get(slug="salary")
    tag.name = "Pay and raises"
    tag.save()
    for url in [article.get_absolute_url(), reverse("articles:topics")]:
        assert "Pay and raises" in text_of(client, url), url


def test_topic_change_on_an_article_shows_at_once(client, page_cache, article):
    url = article.get_absolute_url()
    text_of(client, url)
    article.tags.add("negotiation")
    assert "/topics/negotiation/" in text_of(client, url)


def test_scheduled_article_appears_at_its_publish_time(client, page_cache, now):
    ArticleFactory(title="Already live")
    scheduled = ScheduledArticleFactory(title="Out next week")
    urls = ["/", reverse("articles:list"), reverse("articles:feed")]
    for url in urls:
        assert "Out next week" not in text_of(client, url)
    with time_machine.travel(scheduled.published_at - timedelta(seconds=1), tick=False):
        for url in urls:
            assert "Out next week" not in text_of(client, url)
    with time_machine.travel(scheduled.published_at + timedelta(seconds=1), tick=False):
        for url in urls:
            assert "Out next week" in text_of(client, url), url
        assert "Out next week" in text_of(client, scheduled.get_absolute_url())


def test_sent_edition_appears_in_the_archive_at_once(client, page_cache, article):
    edition = EditionFactory(subject="This week: raises", status="scheduled")
    archive = reverse("newsletter:editions")
    assert "This week: raises" not in text_of(client, archive)
    # Sending moves editions on with queryset updates, not save().
    Edition.objects.filter(pk=edition.pk).update(
        status=Edition.Status.SENDING, started_at=NOW
    )
    assert "This week: raises" in text_of(client, archive)
    assert "This week: raises" in text_of(client, edition.get_absolute_url())


def test_generation_is_shared_by_app_servers(page_cache, article):
    """Two app servers: a change saved through one is seen by the other."""
    first = pagecache.current_generation()
    assert pagecache.current_generation() == first
    article.title = "Changed on another server"
    article_write(article=article)
    assert pagecache.current_generation().token != first.token


# -- Conditional GET -----------------------------------------------------------


@pytest.fixture(params=["cache on", "cache off"])
def either_cache(request, settings):
    settings.PAGE_CACHE_SECONDS = 600 if request.param == "cache on" else 0


@pytest.mark.parametrize(
    "url",
    ["article", "/", "/articles/", "/topics/", "/feed/", "/feed/atom/", "sitemap"],
)
def test_pages_and_feeds_answer_304_to_a_reader_with_a_current_copy(
    client, either_cache, article, url
):
    url = {
        "article": article.get_absolute_url(),
        "sitemap": "/sitemap-articles.xml",
    }.get(url, url)
    first = client.get(url)
    assert first.status_code == 200
    assert first["ETag"]
    assert first["Last-Modified"]

    by_etag = client.get(url, headers={"If-None-Match": first["ETag"]})
    by_date = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    for response in (by_etag, by_date):
        assert response.status_code == 304
        assert response.content == b""
        assert response["ETag"] == first["ETag"]


def test_last_modified_is_the_time_of_the_last_change(client, either_cache, now):
    article = ArticleFactory()
    noon, two = "Mon, 15 Jun 2026 12:00:00 GMT", "Mon, 15 Jun 2026 14:00:00 GMT"
    with time_machine.travel(now + timedelta(hours=2), tick=False):
        assert client.get("/")["Last-Modified"] == noon
        article.title = "Changed two hours later"
        article_write(article=article)
        response = client.get("/", headers={"If-Modified-Since": noon})
        assert response.status_code == 200
        assert response["Last-Modified"] == two


def test_a_changed_page_is_sent_again(client, either_cache, article):
    url = article.get_absolute_url()
    etag = client.get(url)["ETag"]
    article.title = "A new title"
    article_write(article=article)
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "A new title" in response.content.decode()


# -- Compression -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["article", "/", "/feed/", "/sitemap.xml", "/sitemap-articles.xml"]
)
def test_compressed_responses_decode_to_the_same_bytes(
    client, either_cache, article, url
):
    url = article.get_absolute_url() if url == "article" else url
    ArticleFactory.create_batch(4)  # enough text to be worth compressing
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content)
    assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] != plain["ETag"]


def test_public_pages_carry_no_csrf_token_or_cookie(client, article):
    """Why compressing them is safe from BREACH: no secret in the body."""
    edition = EditionFactory(status="sent", started_at=NOW, articles=[article])
    urls = pages_of(article) + [
        reverse("articles:topics"),
        reverse("articles:search") + "?q=raise",
        reverse("newsletter:signup"),
        reverse("newsletter:editions"),
        edition.get_absolute_url(),
        "/sitemap.xml",
    ]
    for url in urls:
        response = client.get(url)
        assert page_keys.is_public(response), url
        assert b"csrfmiddlewaretoken" not in response.content, url
        assert not response.cookies, url


def test_admin_pages_are_not_compressed(client):
    editor = Client()
    editor.force_login(EditorFactory())
    response = editor.get("/admin/", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response


def test_pages_are_served_uncached_while_the_cache_is_down(client, settings, article):
    settings.CACHES = {
        "default": {
            "BACKEND": "careerhub.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_free_port()}/0",  # nobody there
        }
    }
    settings.PAGE_CACHE_SECONDS = 600
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "Ask for the raise" in response.content.decode()


def test_page_rendered_during_a_change_gets_no_date(client, article, monkeypatch):
    """It may show the content before or after the change: only its ETag, which
    comes from its bytes, can be trusted."""
    later = pagecache.Generation("t", time.time() + 60, None)
    monkeypatch.setattr(page_middleware, "current_generation", lambda **kw: later)
    response = client.get(article.get_absolute_url())
    assert response["ETag"]
    assert "Last-Modified" not in response


# -- First in the middleware: what the others add still applies ----------------


def test_a_stored_page_keeps_the_headers_the_other_middleware_added(
    client, page_cache, article
):
    url = article.get_absolute_url()
    rendered = client.get(url)
    behind_the_cache(article, title="Changed without a signal")
    stored = client.get(url)
    assert "Ask for the raise" in stored.content.decode()  # from the cache
    for header in (
        "Content-Security-Policy",
        "Permissions-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "X-Frame-Options",
        "Cache-Control",
        "ETag",
    ):
        assert stored[header] == rendered[header], header


def test_a_page_stored_over_https_is_not_served_over_http(
    client, page_cache, settings, article
):
    settings.SECURE_SSL_REDIRECT = True
    url = article.get_absolute_url()
    assert client.get(url, secure=True).status_code == 200  # stored
    response = client.get(url)
    assert response.status_code == 301  # SecurityMiddleware's redirect
    assert response["Location"] == f"https://testserver{url}"


def test_a_refused_host_is_never_stored_or_served(client, page_cache, article):
    url = article.get_absolute_url()
    assert client.get(url, HTTP_HOST="evil.example").status_code == 400
    assert client.get(url, HTTP_HOST="evil.example").status_code == 400


def test_each_app_server_serves_its_own_copy_only_while_current(page_cache, article):
    """Two app servers (two handlers, each with its copies) sharing a cache."""
    one, other = Client(), Client()
    url = article.get_absolute_url()
    assert "Ask for the raise" in text_of(one, url)
    assert "Ask for the raise" in text_of(other, url)
    behind_the_cache(article, title="Changed without a signal")
    assert "Ask for the raise" in text_of(one, url)  # its own copy
    pagecache.invalidate()  # a change saved anywhere
    assert "Changed without a signal" in text_of(one, url)
    behind_the_cache(article, title="Changed again")
    # The other server's copy is stale: it reads the one stored by the first.
    assert "Changed without a signal" in text_of(other, url)


def test_copies_kept_in_a_process_are_bounded_in_bytes():
    pages = page_middleware.LocalPages(max_bytes=10)
    pages.put("a", ("t", b"12345", {}))
    pages.put("b", ("t", b"12345", {}))
    assert pages.get("a", "t") is not None  # a is now the most recent
    pages.put("c", ("t", b"123", {}))
    assert "b" not in pages
    assert pages.get("a", "t") and pages.get("c", "t")
    assert pages.get("a", "another token") is None
