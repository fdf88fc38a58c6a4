import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from articles.models import Article
from reader.sitemaps import ArticleSitemap
from tests.factories import NOW, ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db

SITE = "https://careerhub.example"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def get_xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def sitemap_locations(client) -> list[str]:
    """The sitemap files the index lists (absolute URLs)."""
    index = get_xml(client, "/sitemap.xml")
    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    return [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]


def all_urls(client) -> dict[str, str | None]:
    """Every page URL in every sitemap, with its lastmod."""
    urls = {}
    for location in sitemap_locations(client):
        assert location.startswith(SITE + "/")
        urlset = get_xml(client, location.removeprefix(SITE))
        for url in urlset.findall("sm:url", NS):
            loc = url.findtext("sm:loc", namespaces=NS)
            assert loc not in urls, f"{loc} listed twice"
            urls[loc] = url.findtext("sm:lastmod", namespaces=NS)
    return urls


def test_sitemap_lists_exactly_the_live_pages(client):
    author = AuthorFactory()
    live = [
        ArticleFactory(author=author, topics=["CVs"]),
        ArticleFactory(topics=["Interviews"]),
    ]
    draft_author = AuthorFactory()
    ArticleFactory(
        author=draft_author,
        status=Article.Status.DRAFT,
        published_at=None,
        topics=["Draft topic"],
    )
    ArticleFactory(published_at=NOW + timedelta(days=1), topics=["Future topic"])

    urls = all_urls(client)

    expected = {
        f"{SITE}/",
        f"{SITE}/articles/",
        f"{SITE}/topics/",
        f"{SITE}/newsletter/",
        f"{SITE}/newsletter/editions/",
        f"{SITE}/about/",
        f"{SITE}/privacy/",
        *(SITE + article.get_absolute_url() for article in live),
        f"{SITE}/topics/cvs/",
        f"{SITE}/topics/interviews/",
        *(SITE + article.author.get_absolute_url() for article in live),
    }
    assert set(urls) == expected


def test_article_lastmod_is_its_latest_change(client):
    reviewed = ArticleFactory(
        published_at=datetime(2025, 1, 1, 9, tzinfo=NOW.tzinfo),
        reviewed_at=date(2026, 2, 1),
    )
    untouched = ArticleFactory(published_at=datetime(2025, 3, 1, 9, tzinfo=NOW.tzinfo))

    urls = all_urls(client)

    # W3C dates, as Django's sitemap template writes them.
    assert urls[SITE + reviewed.get_absolute_url()] == "2026-02-01"
    assert urls[SITE + untouched.get_absolute_url()] == "2025-03-01"


def test_sitemap_urls_use_the_site_url_not_the_request_host(client):
    ArticleFactory(topics=["CVs"])

    response = client.get("/sitemap.xml", HTTP_HOST="localhost")
    section = client.get("/sitemap-articles.xml", HTTP_HOST="localhost")

    assert "localhost" not in response.text + section.text
    assert SITE in section.text


def test_large_sections_are_split_into_pages(client, monkeypatch):
    # 50,000 URLs per file in production; five articles over pages of two here.
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    articles = ArticleFactory.create_batch(5)

    locations = sitemap_locations(client)
    article_files = [loc for loc in locations if "sitemap-articles" in loc]
    urls = all_urls(client)

    assert article_files == [
        f"{SITE}/sitemap-articles.xml",
        f"{SITE}/sitemap-articles.xml?p=2",
        f"{SITE}/sitemap-articles.xml?p=3",
    ]
    assert {SITE + a.get_absolute_url() for a in articles} <= set(urls)
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404
    assert client.get("/sitemap-articles.xml?p=x").status_code == 404


def test_unknown_sitemap_section_is_not_found(client):
    assert client.get("/sitemap-nothing.xml").status_code == 404


@pytest.mark.parametrize("count", [3, 30])
def test_sitemap_index_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, count
):
    for n in range(count):
        ArticleFactory(topics=[f"T{n}"])

    # Per section with rows: 1 count for its pages, 1 aggregate for its lastmod
    # (articles, topics, authors); the fixed pages need none.
    with django_assert_num_queries(6):
        client.get("/sitemap.xml")


def test_robots_txt_points_to_the_sitemap_and_keeps_private_pages_out(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    for path in ("/admin/", "/preview/", reverse("articles:search")):
        assert f"Disallow: {path}" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
