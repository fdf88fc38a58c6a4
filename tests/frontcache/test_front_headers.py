"""What shared caches in front may keep, and the keys pages carry (issue 25, 1)."""

import pytest

from careerhub.settings.frontcache import front_cache_from_url
from reader import front_keys
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


def cache_control(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.fixture
def front(settings):
    settings.FRONT_CACHE = front_cache_from_url("varnish://127.0.0.1:6081")
    settings.SHARED_CACHE_SECONDS = 3600
    settings.SHARED_CACHE_STALE_WHILE_REVALIDATE = 30
    settings.SHARED_CACHE_STALE_IF_ERROR = 86400


@pytest.fixture
def article():
    from taggit.models import Tag

    related = ArticleFactory(title="Negotiating a raise")
    shown = ArticleFactory(
        title="Preparing for interviews",
        topics=[Tag.objects.create(name="Interviews", slug="interviews")],
    )
    shown.related.add(related)
    return shown


def test_public_pages_tell_browsers_to_revalidate_and_shared_caches_to_keep(
    client, front, article
):
    response = client.get(article.get_absolute_url())
    assert cache_control(response) == {
        "public",
        "max-age=0",
        "must-revalidate",
        "s-maxage=3600",
        "stale-while-revalidate=30",
        "stale-if-error=86400",
    }
    assert response.has_header("ETag")


def test_article_page_carries_its_article_author_topics_and_related(
    client, front, article
):
    keys = client.get(article.get_absolute_url())["xkey"].split()
    topic = article.tags.get()
    assert {
        "all",
        f"a{article.pk}",
        f"b{article.author_id}",
        f"n{topic.pk}",
    } <= set(keys)
    # Not the author's and topic's own pages' keys, which every article
    # change by that author or on that topic purges.
    assert {f"u{article.author_id}", f"t{topic.pk}"}.isdisjoint(keys)
    assert len(keys) == len(set(keys)) <= 32
    assert all(len(key) <= 12 for key in keys)


def test_article_page_served_from_fragments_keeps_its_topic_key(
    client, front, article, settings
):
    """The second render reads the body from fragments, not the topics."""
    settings.PAGE_CACHE_SECONDS = 0
    first = client.get(article.get_absolute_url())["xkey"]
    again = client.get(article.get_absolute_url())["xkey"]
    assert again == first
    assert f"n{article.tags.get().pk}" in again.split()


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/", "home"),
        ("/articles/", "list"),
        ("/topics/", "topics"),
        ("/feed/", "feed"),
        ("/sitemap.xml", "sitemap"),
        ("/newsletter/", "signup"),
        ("/newsletter/editions/", "editions"),
    ],
)
def test_list_pages_carry_the_lists_key_not_one_per_article(client, front, path, key):
    ArticleFactory.create_batch(40)
    keys = client.get(path)["xkey"].split()
    assert key in keys
    assert not [k for k in keys if front_keys.is_article(k)]


def test_topic_and_author_feeds_carry_their_subject(client, front, article):
    topic = article.tags.get()
    assert f"t{topic.pk}" in client.get(f"/topics/{topic.slug}/feed/")["xkey"]
    author = article.author
    assert f"u{author.pk}" in client.get(f"/authors/{author.slug}/feed/")["xkey"]
    assert f"u{author.pk}" in client.get(author.get_absolute_url())["xkey"]


@pytest.mark.parametrize(
    ("scheme", "header", "separator"),
    [
        ("fastly://svc?token=t", "Surrogate-Key", " "),
        ("cloudflare://zone?token=t", "Cache-Tag", ","),
    ],
)
def test_each_front_cache_gets_its_own_key_header(
    client, settings, article, scheme, header, separator
):
    settings.FRONT_CACHE = front_cache_from_url(scheme)
    response = client.get(article.get_absolute_url())
    assert f"a{article.pk}" in response[header].split(separator)
    assert not response.has_header("xkey")


def test_cloudfront_pages_carry_no_key_header(client, settings, article):
    settings.FRONT_CACHE = front_cache_from_url("cloudfront://E123")
    settings.SHARED_CACHE_SECONDS = 60
    response = client.get(article.get_absolute_url())
    assert "s-maxage=60" in cache_control(response)
    assert not any(h in response for h in ("xkey", "Surrogate-Key", "Cache-Tag"))


def test_requests_with_a_session_cookie_get_no_shared_headers(client, front, article):
    client.cookies["sessionid"] = "abc"
    response = client.get(article.get_absolute_url())
    assert not any(p.startswith("s-maxage") for p in cache_control(response))
    assert not response.has_header("xkey")


def test_private_pages_get_no_shared_headers(client, front, admin_client, article):
    for response in (
        admin_client.get(f"/admin/articles/article/{article.pk}/change/"),
        client.get("/newsletter/preferences/not-a-token/"),
        client.post("/newsletter/", {"email": "a@example.com"}),
    ):
        assert "s-maxage" not in response.get("Cache-Control", "")
        assert not response.has_header("xkey")


def test_errors_get_no_shared_headers(client, front):
    response = client.get("/articles/no-such-article/")
    assert response.status_code == 404
    assert "s-maxage" not in response.get("Cache-Control", "")
    assert not response.has_header("xkey")


def test_without_a_front_cache_no_keys_and_no_s_maxage(client, article):
    response = client.get(article.get_absolute_url())
    assert not any(p.startswith("s-maxage") for p in cache_control(response))
    assert not response.has_header("xkey")


def test_a_page_showing_more_articles_than_the_cap_carries_the_articles_key(
    rf, settings
):
    from django.template.response import TemplateResponse
    from django.urls import resolve

    settings.FRONT_CACHE_MAX_KEYS = 8
    request = rf.get("/newsletter/editions/1/")
    request.resolver_match = resolve("/newsletter/editions/1/")
    edition = type("Edition", (), {"pk": 1})()
    articles = [type("A", (), {"pk": pk})() for pk in range(20)]
    response = TemplateResponse(
        request, "x", {"edition": edition, "articles": articles}
    )
    keys = front_keys.page_keys(request, response)
    # Past the cap no article's key is kept: "articles" stands for them all.
    assert keys == ["all", "e1", "articles"]


def test_an_author_unknown_elsewhere_is_keyed_on_their_page(client, front):
    author = AuthorFactory()
    assert f"u{author.pk}" in client.get(author.get_absolute_url())["xkey"]


@pytest.mark.parametrize("path_of", ["article", "home", "topic", "feed"])
def test_keys_cost_no_query(client, settings, article, path_of):
    """Keys come from what the view already read: the same queries with a
    front cache as without, first render and from fragments."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_SECONDS = 0  # every request rendered
    topic = article.tags.get()
    path = {
        "article": article.get_absolute_url(),
        "home": "/",
        "topic": f"/topics/{topic.slug}/",
        "feed": f"/topics/{topic.slug}/feed/",
    }[path_of]

    def queries():
        from django.core.cache import cache

        cache.clear()
        counts = []
        for _ in range(2):  # rendered, then from fragments
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200
            counts.append(len(captured))
        return counts

    without = queries()
    settings.FRONT_CACHE = front_cache_from_url("varnish://127.0.0.1:6081")
    assert queries() == without


def test_a_page_varying_on_the_cookie_gets_no_shared_headers(rf):
    from django.http import HttpResponse

    from reader.cache_headers import cache_publicly
    from reader.page_keys import shared_cache_may_keep

    request = rf.get("/")
    plain = cache_publicly(HttpResponse("page"))
    assert shared_cache_may_keep(request, plain)
    per_session = cache_publicly(HttpResponse("page", headers={"Vary": "Cookie"}))
    assert not shared_cache_may_keep(request, per_session)
