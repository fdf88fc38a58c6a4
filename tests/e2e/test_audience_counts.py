"""Readers' figures in a real browser: reading an article counts one view
(once the batch is written) and leaves nothing on the device; a browser
sending Do Not Track is not counted (issue 23, items 1 and 2)."""

from datetime import date

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from audience import flush as flushing
from audience import quota, visitors
from audience.models import ArticleDay, ReferrerDay, SiteDay

pytestmark = pytest.mark.django_db(transaction=True)

# Headless Chromium names itself HeadlessChrome, a robot by the rule the
# counts use (httpguard/robots.py): the test browses as a reader's Chromium.
READER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture
def counting(demo_site, monkeypatch):
    """Nothing held from earlier tests' pages, no view counted per client."""
    monkeypatch.setattr(quota, "views", quota.PerMinute())
    flushing.buffer.take()
    visitors._salts.clear()
    cache.clear()
    yield
    flushing.buffer.take()


def views_of(article, day: date) -> int:
    row = ArticleDay.objects.filter(day=day, article=article).first()
    return row.views if row else 0


def read(page, article):
    """Open the article and wait for its beacon's answer."""
    with page.expect_response(lambda r: r.url.endswith("/count/")) as beacon:
        page.goto(article.get_absolute_url())
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    return beacon.value


def test_reading_an_article_counts_one_view_and_stores_nothing(
    new_context, page_watch, step, counting
):
    article = Article.objects.live().newest_first().first()
    today = timezone.localdate()
    context = new_context(user_agent=READER)
    page_watch.attach(context)
    tab = context.new_page()

    with step("read an article", page=tab):
        answer = read(tab, article)
        assert answer.status == 204
        assert answer.request.method == "POST"
        assert "page=article" in answer.request.post_data
        assert f"article={article.pk}" in answer.request.post_data

    with step("the view is counted once the batch is written", page=tab):
        assert views_of(article, today) == 0
        flushing.flush()
        assert views_of(article, today) == 1
        assert SiteDay.objects.get(day=today).visitors == 1
        assert not ReferrerDay.objects.exists()  # came from nowhere

    with step("nothing is stored on the device", page=tab):
        assert context.cookies() == []
        stored = tab.evaluate("localStorage.length + sessionStorage.length")
        assert stored == 0

    with step("a headless browser as it names itself is a robot", page=tab):
        robot = new_context()
        answer = read(robot.new_page(), article)
        flushing.flush()
        assert answer.status == 204
        assert "HeadlessChrome" in answer.request.headers["user-agent"]
        assert views_of(article, today) == 1
        robot.close()
    context.close()


def test_a_browser_sending_do_not_track_is_not_counted(new_context, counting):
    article = Article.objects.live().newest_first().first()
    context = new_context(user_agent=READER, extra_http_headers={"DNT": "1"})
    page = context.new_page()

    answer = read(page, article)
    flushing.flush()

    assert answer.status == 204
    assert answer.request.headers.get("dnt") == "1"
    assert views_of(article, timezone.localdate()) == 0
    assert context.cookies() == []
    context.close()
