import json
from datetime import date, datetime
from html.parser import HTMLParser

import pytest
import time_machine

from articles.services import article_write
from reader import seo
from tests.factories import NOW, ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db

SITE = "https://careerhub.example"
RENDITIONS = {
    "jpeg": [
        [480, "/media/renditions/covers/c-480w.jpg"],
        [800, "/media/renditions/covers/c-800w.jpg"],
        [1200, "/media/renditions/covers/c-1200w.jpg"],
        [1600, "/media/renditions/covers/c-1600w.jpg"],
    ],
    "webp": [],
    "fallback": "/media/renditions/covers/c-800w.jpg",
    "width": 1600,
    "height": 900,
}


class Head(HTMLParser):
    """The <link>, <meta> and JSON-LD blocks of a page."""

    def __init__(self, text):
        super().__init__()
        self.links, self.meta, self.json_ld = [], {}, []
        self._in_json_ld = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            self.links.append(attrs)
        elif tag == "meta" and ("property" in attrs or "name" in attrs):
            key = attrs.get("property") or attrs.get("name")
            self.meta.setdefault(key, []).append(attrs.get("content"))
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True

    def handle_endtag(self, tag):
        self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld.append(json.loads(data))

    def canonicals(self):
        return [link["href"] for link in self.links if link.get("rel") == "canonical"]

    def one(self, key):
        values = self.meta.get(key, [])
        assert len(values) == 1, (key, values)
        return values[0]


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def article():
    author = AuthorFactory(name="Sam Lee", slug="sam-lee", job_title="Recruiter")
    return ArticleFactory(
        title="Salary talks that work",
        slug="salary-talks",
        author=author,
        excerpt="Ask calmly, with a number.",
        meta_description="Ask calmly, with a number.",
        cover_image="covers/c.jpg",
        cover_alt="Two people at a table",
        cover_renditions=RENDITIONS,
        published_at=datetime(2026, 1, 10, 9, tzinfo=NOW.tzinfo),
        topics=["Salary", "Negotiation"],
    )


def head(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return Head(response.text)


def test_every_public_page_has_exactly_one_absolute_canonical_url(client, article):
    ArticleFactory.create_batch(12)
    pages = {
        "/": f"{SITE}/",
        "/articles/": f"{SITE}/articles/",
        "/articles/?page=1": f"{SITE}/articles/",
        "/articles/?page=2": f"{SITE}/articles/?page=2",
        "/articles/?utm_source=x": f"{SITE}/articles/",
        "/articles/salary-talks/": f"{SITE}/articles/salary-talks/",
        "/topics/": f"{SITE}/topics/",
        "/topics/salary/": f"{SITE}/topics/salary/",
        "/authors/sam-lee/": f"{SITE}/authors/sam-lee/",
        "/search/?q=salary": f"{SITE}/search/?q=salary",
        "/search/": f"{SITE}/search/",
    }
    for url, canonical in pages.items():
        assert head(client, url).canonicals() == [canonical], url


def test_page_titles_and_descriptions_are_set(client, article):
    response = client.get(article.get_absolute_url())

    assert "<title>Salary talks that work · CareerHub</title>" in response.text
    assert Head(response.text).one("description") == "Ask calmly, with a number."


def test_article_page_has_share_tags_with_the_share_size_cover(client, article):
    page = head(client, article.get_absolute_url())

    assert page.one("og:type") == "article"
    assert page.one("og:title") == "Salary talks that work"
    assert page.one("og:description") == "Ask calmly, with a number."
    assert page.one("og:url") == f"{SITE}/articles/salary-talks/"
    assert page.one("og:site_name") == "CareerHub"
    assert page.one("og:image") == f"{SITE}/media/renditions/covers/c-1200w.jpg"
    assert (page.one("og:image:width"), page.one("og:image:height")) == ("1200", "675")
    assert page.one("og:image:alt") == "Two people at a table"
    assert page.one("twitter:card") == "summary_large_image"
    assert page.one("article:published_time") == "2026-01-10T09:00:00+00:00"
    assert page.one("article:author") == f"{SITE}/authors/sam-lee/"
    assert sorted(page.meta["article:tag"]) == ["Negotiation", "Salary"]


def test_pages_without_a_cover_share_the_site_image(client):
    plain = ArticleFactory()
    for url in ("/", "/articles/", plain.get_absolute_url()):
        page = head(client, url)
        assert page.one("og:image") == f"{SITE}/static/img/share-default.png"
        assert (page.one("og:image:width"), page.one("og:image:height")) == (
            "1200",
            "630",
        )
        assert page.one("twitter:card") == "summary_large_image"


def test_article_json_ld_describes_the_article(client, article):
    article.reviewed_at = date(2026, 5, 1)
    article_write(article=article)

    page = head(client, article.get_absolute_url())

    [data] = page.json_ld
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Article"
    assert data["headline"] == "Salary talks that work"
    assert data["description"] == "Ask calmly, with a number."
    assert data["url"] == f"{SITE}/articles/salary-talks/"
    assert data["mainEntityOfPage"] == {
        "@type": "WebPage",
        "@id": f"{SITE}/articles/salary-talks/",
    }
    assert data["author"] == {
        "@type": "Person",
        "name": "Sam Lee",
        "url": f"{SITE}/authors/sam-lee/",
        "jobTitle": "Recruiter",
    }
    assert datetime.fromisoformat(data["datePublished"]) == article.published_at
    modified = datetime.fromisoformat(data["dateModified"])
    assert modified.date() == date(2026, 5, 1) and modified.tzinfo is not None
    assert data["image"] == {
        "@type": "ImageObject",
        "url": f"{SITE}/media/renditions/covers/c-1200w.jpg",
        "width": 1200,
        "height": 675,
    }
    publisher = data["publisher"]
    assert publisher["@type"] == "Organization"
    assert publisher["name"] == "CareerHub"
    assert publisher["logo"]["url"] == f"{SITE}/static/img/logo.png"
    assert set(data["keywords"]) == {"Salary", "Negotiation"}


def test_json_ld_date_modified_is_the_latest_change(client, article):
    article.reviewed_at = date(2026, 2, 1)
    article_write(article=article)
    article.refresh_from_db()
    article.body = "New text after the review."
    with time_machine.travel(datetime(2026, 3, 5, 10, tzinfo=NOW.tzinfo), tick=False):
        article_write(article=article)

    [data] = head(client, article.get_absolute_url()).json_ld

    assert datetime.fromisoformat(data["dateModified"]) == datetime(
        2026, 3, 5, 10, tzinfo=NOW.tzinfo
    )


def test_json_ld_cannot_be_broken_out_of_by_a_title(client):
    hostile = ArticleFactory(title="</script><script>alert(1)</script> & more")

    response = client.get(hostile.get_absolute_url())

    assert "<script>alert(1)" not in response.text
    [data] = Head(response.text).json_ld
    assert data["headline"] == "</script><script>alert(1)</script> & more"


def test_author_page_json_ld_is_a_profile_page(client, article):
    author = article.author
    author.bio = "Hires engineers."
    author.save()

    page = head(client, author.get_absolute_url())

    [data] = page.json_ld
    assert data["@type"] == "ProfilePage"
    assert data["url"] == f"{SITE}/authors/sam-lee/"
    assert data["mainEntity"] == {
        "@type": "Person",
        "name": "Sam Lee",
        "url": f"{SITE}/authors/sam-lee/",
        "jobTitle": "Recruiter",
        "description": "Hires engineers.",
    }
    assert page.one("og:type") == "profile"
    assert page.one("og:title") == "Sam Lee"


def test_not_found_page_has_no_canonical_url(client):
    response = client.get("/articles/no-such-article/")

    assert response.status_code == 404
    assert Head(response.text).canonicals() == []


def test_share_rendition_prefers_1200_and_falls_back_to_the_largest_smaller():
    assert seo.rendition(RENDITIONS)["url"].endswith("c-1200w.jpg")
    small = {"jpeg": [[480, "/a.jpg"], [900, "/b.jpg"]], "width": 900, "height": 600}
    assert seo.rendition(small) == {
        "url": f"{SITE}/b.jpg",
        "width": 900,
        "height": 600,
    }
    assert seo.rendition({}) is None


def test_absolute_url_keeps_urls_on_other_hosts():
    assert seo.absolute_url("/x/") == f"{SITE}/x/"
    assert seo.absolute_url("https://cdn.example/x.jpg") == "https://cdn.example/x.jpg"
    assert seo.absolute_url("//cdn.example/x.jpg") == "https://cdn.example/x.jpg"


@pytest.mark.parametrize("topic_count", [1, 8])
def test_share_metadata_adds_no_queries_to_the_article_page(
    client, django_assert_num_queries, topic_count
):
    article = ArticleFactory(topics=[f"Topic {n}" for n in range(topic_count)])
    for n in range(6):
        ArticleFactory(topics=["Topic 0"], title=f"Related {n}")

    # 1 article with author, 1 its topics, 1 related articles with authors,
    # 1 more in its main topic
    with django_assert_num_queries(4):
        client.get(article.get_absolute_url())
