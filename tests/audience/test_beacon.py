"""The beacon (POST /count/): what it counts, what it refuses, and that it
tells and sets nothing either way."""

from datetime import date

import pytest

from audience.events import WITHHELD
from audience.flush import flush
from audience.models import ArticleDay, ReferrerDay, SearchDay, SiteDay
from tests.audience.conftest import BROWSER
from tests.factories import ArticleFactory, DraftArticleFactory, EditorFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)  # NOW in London
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def site_views() -> int:
    row = SiteDay.objects.filter(day=TODAY).first()
    return row.views if row else 0


def article_views(article) -> int:
    row = ArticleDay.objects.filter(day=TODAY, article=article).first()
    return row.views if row else 0


def test_a_beacon_counts_a_view_of_the_article_once_written(now, send):
    article = ArticleFactory()

    response = send(article=article.pk)
    assert ArticleDay.objects.count() == 0  # held, not written per view
    flush()

    assert response.status_code == 204
    assert response.content == b""
    assert article_views(article) == 1
    assert site_views() == 1


def test_beacon_sets_nothing_and_is_never_cached(now, send):
    article = ArticleFactory()

    response = send(article=article.pk)

    assert "Set-Cookie" not in response.headers
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]


def test_reader_page_and_its_beacon_set_no_cookie(now, client, send):
    """What a reader's browser gets: the page (twice, the second from the
    page cache) and the beacon; not one cookie."""
    article = ArticleFactory()

    responses = [client.get(article.get_absolute_url()) for _ in range(2)]
    responses.append(send(article=article.pk))

    assert [r.status_code for r in responses] == [200, 200, 204]
    for response in responses:
        assert "Set-Cookie" not in response.headers
    assert not client.cookies


@pytest.mark.parametrize(
    "ua, headers",
    [
        pytest.param(GOOGLEBOT, {}, id="crawler"),
        pytest.param("curl/8.5.0", {}, id="script"),
        pytest.param("", {}, id="no user agent"),
        pytest.param(BROWSER, {"DNT": "1"}, id="do not track"),
        pytest.param(BROWSER, {"Sec-GPC": "1"}, id="global privacy control"),
    ],
)
def test_robots_and_readers_asking_not_to_be_tracked_are_not_counted(
    now, send, ua, headers
):
    article = ArticleFactory()

    response = send(article=article.pk, ua=ua, headers=headers)
    flush()

    assert response.status_code == 204
    assert site_views() == 0


def test_a_logged_in_editor_is_not_counted(now, client, send):
    article = ArticleFactory()
    client.force_login(EditorFactory())

    response = send(article=article.pk)
    flush()

    assert response.status_code == 204
    assert site_views() == 0


def test_a_stale_session_cookie_is_still_a_reader(now, client, send):
    client.cookies["sessionid"] = "no-such-session"
    send(article=ArticleFactory().pk)
    flush()

    assert site_views() == 1


def test_get_is_refused_with_405(client):
    response = client.get("/count/")

    assert response.status_code == 405
    assert response["Allow"] == "POST"


@pytest.mark.parametrize(
    "body, content_type",
    [
        pytest.param(
            b"page=other&x=" + b"a" * 2000,
            "application/x-www-form-urlencoded",
            id="oversize",
        ),
        pytest.param(
            b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded", id="garbage"
        ),
        pytest.param(b'{"page": "other"}', "application/json", id="json"),
        pytest.param(
            b"--x\r\nbroken", "multipart/form-data; boundary=x", id="multipart"
        ),
        pytest.param(
            b"page=everything", "application/x-www-form-urlencoded", id="unknown kind"
        ),
        pytest.param(
            b"page=article&article=abc",
            "application/x-www-form-urlencoded",
            id="bad id",
        ),
    ],
)
def test_odd_bodies_are_answered_204_and_not_counted(now, client, body, content_type):
    response = client.generic(
        "POST",
        "/count/",
        body,
        content_type=content_type,
        headers={"User-Agent": BROWSER},
    )
    flush()

    assert response.status_code == 204
    assert site_views() == 0


def test_views_of_articles_that_are_not_live_are_dropped_when_written(now, send):
    draft = DraftArticleFactory()
    send(article=draft.pk)
    send(article=987654321)
    send()  # a list page: counted

    report = flush()

    assert report.dropped == 2
    assert ArticleDay.objects.count() == 0
    assert site_views() == 1


def test_referrer_is_kept_as_a_bare_domain_and_our_own_host_is_none(now, send):
    send(referrer="WWW.Example.org:443")
    send(referrer="news.example.net")
    send(referrer="careerhub.example")  # SITE_URL's host
    send(referrer="testserver")  # the request's own host
    send(referrer="not a host/!")
    flush()

    assert dict(ReferrerDay.objects.values_list("domain", "views")) == {
        "example.org": 1,
        "news.example.net": 1,
    }
    assert site_views() == 5


def test_searches_are_counted_by_normalised_term_with_their_empty_ones(now, send):
    send(page="search", search="  Job   Interview ", found="1")
    send(page="search", search="job interview", found="0", address="198.51.100.1")
    send(page="search", search="x" * 300, found="0", address="198.51.100.2")
    flush()

    rows = {
        term: (searches, empty)
        for term, searches, empty in SearchDay.objects.values_list(
            "term", "searches", "empty"
        )
    }
    assert rows == {"job interview": (2, 1), "x" * 100: (1, 1)}


def test_a_flood_from_one_client_is_bounded_per_minute(now, send, settings):
    settings.AUDIENCE_VIEWS_PER_MINUTE = 5
    article = ArticleFactory()

    answers = {send(article=article.pk).status_code for _ in range(20)}
    send(article=article.pk, address="198.51.100.9")  # someone else
    flush()

    assert answers == {204}
    assert article_views(article) == 6


def test_counting_switched_off_counts_nothing(now, send, settings):
    settings.AUDIENCE_COUNTING = False
    send(article=ArticleFactory().pk)
    flush()

    assert site_views() == 0


@pytest.mark.parametrize(
    "typed",
    ["jane.doe@example.com", "call 020 7946 0958", "+44 7700 900123 recruiter"],
)
def test_a_search_for_an_address_or_number_is_counted_without_its_words(
    now, send, typed
):
    send(page="search", search=typed, found="0")
    send(page="search", search="2026-2027 salaries", found="1", address="192.0.2.9")
    flush()

    terms = set(SearchDay.objects.values_list("term", flat=True))
    assert terms == {WITHHELD, "2026-2027 salaries"}
    assert not any(typed.casefold() in term for term in terms)
