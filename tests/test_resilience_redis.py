"""Redis stopped or unreachable: readers still get every page (rendered
afresh, no error), sign-ups and editors' logins still work, and the cache is
used again once Redis is back, without a restart of the application.

A real redis-server, killed, frozen (SIGSTOP: reachable by nobody, as in a
network partition) and started again during the test; the cache is the
production one (careerhub.redis_cache with settings.REDIS_OPTIONS).
"""

import time

import pytest
from django.test import Client

from articles.models import Article
from careerhub.settings.caches import REDIS_OPTIONS
from httpguard import ratelimit
from newsletter.models import Subscriber
from reader import pagecache
from tests.factories import ArticleFactory, EditorFactory
from tests.resilience import RedisServer
from tests.services import Processes, free_port

pytestmark = pytest.mark.django_db

# Short, so the test need not wait the production 5 s for a retry.
RETRY_AFTER = 0.3


@pytest.fixture
def redis_server(tmp_path, settings):
    processes = Processes(tmp_path)
    server = RedisServer(processes, free_port())
    try:
        server.start()
        settings.CACHES = {
            "default": {
                "BACKEND": "careerhub.redis_cache.RedisCache",
                "LOCATION": server.url,
                "OPTIONS": {**REDIS_OPTIONS, "retry_after": RETRY_AFTER},
            }
        }
        settings.PAGE_CACHE_SECONDS = 600
        pagecache.Outage.seen = False
        yield server
    finally:
        processes.stop_all()
        pagecache.Outage.seen = False


@pytest.fixture
def article():
    return ArticleFactory(title="Ask for the raise", slug="ask-for-the-raise")


def behind_the_cache(article, title):
    """A change the page cache is not told of: a page still showing the old
    title came from the cache."""
    Article.objects.filter(pk=article.pk).update(title=title)


def title_shown(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    text = response.content.decode()
    return next(t for t in ("Ask for the raise", "Changed") if t in text)


PUBLIC_PAGES = ["/", "/articles/", "/newsletter/", "/feed/"]


def test_pages_are_served_while_redis_is_stopped_and_cached_again_after(
    client, redis_server, article
):
    url = article.get_absolute_url()
    assert title_shown(client, url) == "Ask for the raise"
    behind_the_cache(article, "Changed once")
    assert title_shown(client, url) == "Ask for the raise"  # from the cache

    redis_server.stop()
    assert title_shown(client, url) == "Changed"  # rendered afresh, no error
    for path in PUBLIC_PAGES:
        assert client.get(path).status_code == 200, path

    redis_server.start()  # empty, as after a crash
    time.sleep(RETRY_AFTER)
    assert title_shown(client, url) == "Changed"
    behind_the_cache(article, "Ask for the raise again")
    assert title_shown(client, url) == "Changed"  # cached again


def test_an_unreachable_redis_costs_its_timeout_once_per_retry_not_per_page(
    client, redis_server, article, settings
):
    production_retry = REDIS_OPTIONS["retry_after"]
    settings.CACHES["default"]["OPTIONS"]["retry_after"] = production_retry
    settings.CACHES = {**settings.CACHES}  # new cache objects with it
    url = article.get_absolute_url()
    client.get(url)
    redis_server.freeze()
    try:
        started = time.monotonic()
        assert client.get(url).status_code == 200  # waits for the socket timeout
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(10):
            assert client.get(url).status_code == 200
        ten_more = time.monotonic() - started
    finally:
        redis_server.thaw()
    assert first >= REDIS_OPTIONS["socket_timeout"]
    # Ten pages rendered without waiting for Redis: waiting, each would
    # take the timeout at least (ten together 5 s); rendering alone takes a
    # small part of that even on a busy machine.
    assert ten_more < 10 * REDIS_OPTIONS["socket_timeout"] / 2


def test_changes_made_while_redis_was_unreachable_show_when_it_returns(
    client, redis_server, article
):
    """A Redis that comes back with its data (it was frozen, not restarted)
    still holds the old pages and their token: the first request after the
    outage starts a new generation, so the change is shown."""
    url = article.get_absolute_url()
    assert title_shown(client, url) == "Ask for the raise"
    redis_server.freeze()
    try:
        article.title = "Changed while Redis was away"
        article.save()  # its signal cannot reach the cache
        assert title_shown(client, url) == "Changed"
    finally:
        redis_server.thaw()
    time.sleep(RETRY_AFTER)
    assert title_shown(client, url) == "Changed"
    assert title_shown(client, url) == "Changed"


def test_sign_ups_go_through_while_redis_is_down_the_limit_fails_open(
    client, redis_server, settings
):
    settings.NEWSLETTER_RATE_LIMIT = "2/hour"
    redis_server.stop()
    for number in range(4):
        response = client.post("/newsletter/", {"email": f"reader{number}@example.com"})
        assert response.status_code == 200
        assert "Check your inbox" in response.content.decode()
    assert Subscriber.objects.count() == 4


def test_the_sign_up_limit_counts_again_when_redis_returns(
    client, redis_server, settings
):
    settings.NEWSLETTER_RATE_LIMIT = "2/hour"
    redis_server.stop()
    redis_server.start()
    time.sleep(RETRY_AFTER)
    statuses = [
        client.post("/newsletter/", {"email": f"r{n}@example.com"}).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_editors_log_in_and_work_while_redis_is_down(redis_server):
    """Sessions and login lockouts (django-axes) are kept in the database."""
    EditorFactory(username="editor", password="a long passphrase")
    redis_server.stop()
    editor = Client()
    response = editor.post(
        "/admin/login/?next=/admin/",
        {"username": "editor", "password": "a long passphrase"},
    )
    assert response.status_code == 302
    assert editor.get("/admin/articles/article/").status_code == 200


def test_every_rate_limit_lets_requests_through_while_redis_is_down(rf, redis_server):
    """Editors' preview budgets and webhook login limits fail open too."""
    request = rf.get("/")
    redis_server.stop()
    assert ratelimit.hit(request, scope="test", rate="1/hour") is None
    assert ratelimit.hit(request, scope="test", rate="1/hour") is None
    assert ratelimit.over(request, scope="test", rate="1/hour") is None


def test_an_outage_is_logged_once_not_once_per_page(
    client, redis_server, article, caplog
):
    redis_server.stop()
    for _ in range(10):
        assert client.get(article.get_absolute_url()).status_code == 200
    outage = [r for r in caplog.records if r.name == "careerhub.redis_cache"]
    assert [r.getMessage()[:17] for r in outage] == ["Redis unreachable"]
