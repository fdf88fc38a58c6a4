import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import time_machine
from django.urls import reverse

from articles.models import Article
from tests.factories import NOW, ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db

SITE = "https://careerhub.example"
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "media": "http://search.yahoo.com/mrss/",
}
RENDITIONS = {
    "jpeg": [[480, "/media/r/c-480w.jpg"], [1200, "/media/r/c-1200w.jpg"]],
    "webp": [],
    "fallback": "/media/r/c-480w.jpg",
    "width": 1200,
    "height": 800,
}


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def site_articles():
    """Three live articles, plus a draft and a scheduled one that must not show."""
    live = [ArticleFactory(title=f"Live {n}", topics=["Interviews"]) for n in range(3)]
    ArticleFactory(title="Draft", status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(title="Scheduled", published_at=NOW + timedelta(days=1))
    return live


def rss_items(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    return root.find("channel"), root.findall("channel/item")


def atom_entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{NS['atom']}}}feed"
    return root, root.findall("atom:entry", NS)


def test_rss_feed_lists_exactly_the_live_articles_with_their_details(
    client, site_articles
):
    channel, items = rss_items(client, reverse("articles:feed"))

    assert channel.findtext("link") == f"{SITE}/"
    assert channel.find("atom:link", NS).get("href") == f"{SITE}/feed/"
    by_link = {item.findtext("link"): item for item in items}
    assert set(by_link) == {SITE + a.get_absolute_url() for a in site_articles}
    for article in site_articles:
        item = by_link[SITE + article.get_absolute_url()]
        assert item.findtext("title") == article.title
        assert item.findtext("description") == article.summary
        assert item.findtext("dc:creator", namespaces=NS) == article.author.name
        assert parsedate_to_datetime(item.findtext("pubDate")) == article.published_at
        assert item.findtext("category") == "Interviews"
        assert "Some useful advice" in item.findtext("content:encoded", namespaces=NS)
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false"
        assert guid.text == f"tag:careerhub.example,2026-06-15:article-{article.pk}"


def test_rss_dates_are_rfc_822(client, site_articles):
    channel, items = rss_items(client, reverse("articles:feed"))

    rfc822 = re.compile(
        r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}$"
    )
    dates = [channel.findtext("lastBuildDate")] + [i.findtext("pubDate") for i in items]
    assert all(rfc822.match(value) for value in dates), dates


def test_atom_feed_lists_exactly_the_live_articles_with_rfc_3339_dates(
    client, site_articles
):
    root, entries = atom_entries(client, reverse("articles:feed_atom"))

    assert root.find("atom:link[@rel='self']", NS).get("href") == f"{SITE}/feed/atom/"
    links = {e.find("atom:link[@rel='alternate']", NS).get("href") for e in entries}
    assert links == {SITE + a.get_absolute_url() for a in site_articles}
    rfc3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
    for entry in entries:
        for name in ("published", "updated"):
            value = entry.findtext(f"atom:{name}", namespaces=NS)
            assert rfc3339.match(value), value
            assert datetime.fromisoformat(value).tzinfo is not None
        assert entry.findtext("atom:author/atom:name", namespaces=NS)
        assert entry.findtext("atom:author/atom:uri", namespaces=NS).startswith(SITE)
        assert entry.find("atom:content", NS).get("type") == "html"


def test_feed_updated_date_is_the_review_date_when_that_is_latest(client):
    article = ArticleFactory(
        published_at=datetime(2025, 1, 1, 9, tzinfo=NOW.tzinfo),
        reviewed_at=date(2026, 3, 2),
    )

    _, entries = atom_entries(client, reverse("articles:feed_atom"))

    updated = datetime.fromisoformat(entries[0].findtext("atom:updated", namespaces=NS))
    assert updated.date() == article.reviewed_at
    published = entries[0].findtext("atom:published", namespaces=NS)
    assert datetime.fromisoformat(published) == article.published_at


def test_feed_links_use_the_site_url_not_the_request_host(client, site_articles):
    response = client.get(reverse("articles:feed"), HTTP_HOST="localhost")

    assert "localhost" not in response.text
    assert "testserver" not in response.text


def test_cover_image_is_an_absolute_share_size_rendition(client):
    ArticleFactory(
        cover_image="covers/c.jpg",
        cover_alt="A desk by a window",
        cover_renditions=RENDITIONS,
    )

    _, items = rss_items(client, reverse("articles:feed"))
    _, entries = atom_entries(client, reverse("articles:feed_atom"))

    for item in (items[0], entries[0]):
        media = item.find("media:content", NS)
        assert media.get("url") == f"{SITE}/media/r/c-1200w.jpg"
        assert (media.get("width"), media.get("height")) == ("1200", "800")
        assert media.get("medium") == "image"
        assert media.findtext("media:description", namespaces=NS) == (
            "A desk by a window"
        )


def test_full_content_is_sanitised_and_its_links_absolute(client):
    target = ArticleFactory(title="Target article")
    hidden = ArticleFactory(title="Secret draft", status=Article.Status.DRAFT)
    ArticleFactory(
        title="Source",
        body=(
            "Read [this](/topics/cvs/) first.\n\n"
            "<script>alert(1)</script>\n\n"
            '<p><a href="javascript:alert(1)">bad</a></p>\n\n'
            f"[[read-more:{target.pk}]]\n\n[[read-more:{hidden.pk}]]\n"
        ),
    )

    _, items = rss_items(client, reverse("articles:feed"))
    source = next(i for i in items if i.findtext("title") == "Source")
    content = source.findtext("content:encoded", namespaces=NS)

    assert f'href="{SITE}/topics/cvs/"' in content
    assert f'href="{SITE}{target.get_absolute_url()}"' in content
    assert "Secret draft" not in content
    assert "<script" not in content
    assert "javascript:" not in content
    assert ">bad</a>" in content


def test_summary_text_cannot_inject_markup_into_readers(client):
    ArticleFactory(excerpt="Pay <b onclick=x>& perks</b>")

    _, items = rss_items(client, reverse("articles:feed"))

    # Readers treat the description as HTML: it must arrive escaped.
    assert (
        items[0].findtext("description")
        == "Pay &lt;b onclick=x&gt;&amp; perks&lt;/b&gt;"
    )


def test_topic_feeds_list_only_that_topics_live_articles(client):
    cv = ArticleFactory(topics=["CVs"])
    ArticleFactory(topics=["Interviews"])
    ArticleFactory(topics=["CVs"], status=Article.Status.DRAFT)

    _, items = rss_items(client, reverse("articles:topic_feed", args=["cvs"]))
    _, entries = atom_entries(client, reverse("articles:topic_feed_atom", args=["cvs"]))

    assert [i.findtext("link") for i in items] == [SITE + cv.get_absolute_url()]
    assert len(entries) == 1


def test_author_feeds_list_only_that_authors_live_articles(client):
    author = AuthorFactory(name="Dana Fox")
    theirs = ArticleFactory(author=author)
    ArticleFactory()
    ArticleFactory(author=author, published_at=NOW + timedelta(days=1))

    channel, items = rss_items(
        client, reverse("articles:author_feed", args=[author.slug])
    )
    _, entries = atom_entries(
        client, reverse("articles:author_feed_atom", args=[author.slug])
    )

    assert "Dana Fox" in channel.findtext("title")
    assert [i.findtext("link") for i in items] == [SITE + theirs.get_absolute_url()]
    assert len(entries) == 1


def test_unknown_topic_or_author_feed_is_not_found(client):
    assert client.get("/topics/nothing/feed/").status_code == 404
    assert client.get("/authors/nobody/feed/atom/").status_code == 404


def test_feed_holds_the_twenty_newest_articles(client):
    articles = ArticleFactory.create_batch(23)

    _, items = rss_items(client, reverse("articles:feed"))

    newest = sorted(articles, key=lambda a: a.published_at, reverse=True)[:20]
    assert [i.findtext("title") for i in items] == [a.title for a in newest]


@pytest.mark.parametrize("count", [3, 30])
def test_feed_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    target = ArticleFactory()
    for n in range(count):
        ArticleFactory(topics=[f"T{n}"], body=f"Text.\n\n[[read-more:{target.pk}]]\n")

    # 1 the items' ids and dates, 1 articles with authors, 1 their topics,
    # 1 "Read more" targets of all items
    with django_assert_num_queries(4):
        first = client.get(reverse("articles:feed")).content
    # Every item stored as a fragment (reader/fragments.py): ids and dates.
    with django_assert_num_queries(1):
        assert client.get(reverse("articles:feed")).content == first


def test_pages_announce_their_feeds(client):
    author = AuthorFactory()
    ArticleFactory(author=author, topics=["CVs"])

    home = client.get(reverse("articles:home")).text
    topic = client.get(reverse("articles:topic", args=["cvs"])).text
    author_page = client.get(author.get_absolute_url()).text

    assert (
        f'<link rel="alternate" type="application/rss+xml" title="CareerHub" '
        f'href="{SITE}/feed/">' in home
    )
    assert (
        f'type="application/atom+xml" title="CareerHub (Atom)" href="{SITE}/feed/atom/"'
        in home
    )
    assert f'href="{SITE}/topics/cvs/feed/"' in topic
    assert f'href="{SITE}/topics/cvs/feed/atom/"' in topic
    assert f'href="{SITE}/authors/{author.slug}/feed/"' in author_page
    assert f'href="{SITE}/authors/{author.slug}/feed/atom/"' in author_page
