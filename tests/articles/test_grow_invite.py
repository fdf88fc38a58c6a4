"""Readers who finish an article are invited further (issue 22, item 7): the
author's card, share links that load nothing from the networks, "More in
<topic>", a 404 page with a search box and the latest articles, and topic
pages in the colours their covers already have."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError
from taggit.models import Tag

from articles.models import Article, Author
from articles.topics import TOPIC_TONES, topic_tone
from benchmarks import corpus
from reader.share import share_links
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    DraftArticleFactory,
    ScheduledArticleFactory,
)

pytestmark = pytest.mark.django_db

SITE = "https://careerhub.example"  # settings.SITE_URL in tests
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def day(n: int) -> datetime:
    return START + timedelta(days=n)


def between(page: str, start: str, end: str | None = None) -> str:
    """The part of ``page`` from ``start`` to ``end`` (or to the end)."""
    assert start in page, f"{start!r} not on the page"
    part = page.split(start, 1)[1]
    return part.split(end, 1)[0] if end else part


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="related__title"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def author():
    return AuthorFactory(
        name="Maya Okafor",
        slug="maya-okafor",
        job_title="Recruiter turned coach",
        bio="Eleven years of hiring, now coaching people through their searches.",
        photo="authors/maya.jpg",
        photo_renditions=corpus.renditions("authors/maya"),
    )


@pytest.fixture
def article(now, author):
    return ArticleFactory(
        title="Ask for the raise",
        slug="ask-for-the-raise",
        author=author,
        topics=["Salary"],
        published_at=day(30),
    )


# ---------------------------------------------------------------------------
# The author's card
# ---------------------------------------------------------------------------
def test_article_ends_with_the_authors_card_photo_bio_and_their_page(client, article):
    page = client.get(article.get_absolute_url()).text
    card = between(page, '<section class="author-card"', "</section>")
    assert "Maya Okafor</a></h2>" in card
    assert "Recruiter turned coach" in card
    assert "Eleven years of hiring, now coaching people" in card
    assert 'href="/authors/maya-okafor/">More articles by Maya Okafor' in card
    # A responsive photo of known size, loaded when scrolled to.
    img = re.search(r"<img [^>]+>", card).group(0)
    assert 'srcset="/media/renditions/authors/maya-' in img
    assert re.search(r'width="\d+" height="\d+"', img)
    assert 'loading="lazy"' in img
    # Inside the article, after its text: what a reader reaches on finishing.
    assert page.index("author-card") < page.index("</article>")
    assert page.index('class="prose"') < page.index("author-card")


def test_an_author_without_a_photo_gets_their_initial(client, now):
    article = ArticleFactory(author=AuthorFactory(name="Priya Raman", photo=""))
    card = between(
        client.get(article.get_absolute_url()).text,
        '<section class="author-card"',
        "</section>",
    )
    assert "<img" not in card
    assert 'author-card__photo--initial" aria-hidden="true">P<' in card


# ---------------------------------------------------------------------------
# Sharing
# ---------------------------------------------------------------------------
def test_share_links_are_plain_links_carrying_the_canonical_address(client, article):
    page = client.get(article.get_absolute_url()).text
    share = between(page, '<section class="share"', "</section>")
    links = dict(re.findall(r'href="([^"]+)"[^>]*>.*?</span>(\w+)</a>', share))
    by_name = {name: url.replace("&amp;", "&") for url, name in links.items()}
    assert set(by_name) == {"LinkedIn", "X", "Facebook", "Email"}
    address = f"{SITE}/articles/ask-for-the-raise/"
    linkedin = urlsplit(by_name["LinkedIn"])
    assert linkedin.netloc == "www.linkedin.com"
    assert parse_qs(linkedin.query) == {"url": [address]}
    x = urlsplit(by_name["X"])
    assert parse_qs(x.query) == {"url": [address], "text": ["Ask for the raise"]}
    assert parse_qs(urlsplit(by_name["Facebook"]).query) == {"u": [address]}
    assert by_name["Email"].startswith("mailto:?subject=Ask%20for%20the%20raise&")
    # Read out as what they do.
    assert '<span class="visually-hidden">Share on </span>LinkedIn' in share
    assert '<span class="visually-hidden">Share by </span>Email' in share
    # The buttons needing a script stay hidden until it finds them usable.
    assert '<li data-share-native hidden><button type="button"' in share
    assert '<li data-share-copy hidden><button type="button"' in share
    assert f'data-share-url="{address}"' in share


def test_the_article_page_loads_nothing_from_another_site(client, article):
    """No script, image, frame, font or style of the networks: a reader who
    does not share tells nobody they read the article."""
    response = client.get(article.get_absolute_url())
    page = response.text
    loaded = re.findall(r"<(?:script|img|iframe|source|link)\b[^>]*>", page)
    for tag in loaded:
        if tag.startswith("<link") and "stylesheet" not in tag and "preload" not in tag:
            continue  # canonical, alternate: addresses, not loads
        for address in re.findall(r'(?:src|srcset|href)="([^"]+)"', tag):
            assert address.startswith("/"), f"{tag} loads from elsewhere"
    assert "<iframe" not in page
    # The scripts are the site's own (the readers' figures' beacon, issue
    # 23, and sharing), and no inline script runs.
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts == [
        '<script src="/static/js/count.js" data-url="/count/" defer>',
        '<script type="application/ld+json">',
        '<script src="/static/js/share.js" defer>',
    ]
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy + ";"
    assert not response.cookies  # nothing stored on the reader's device


def test_the_share_script_stores_nothing_and_calls_no_one():
    script = (Path(settings.BASE_DIR) / "static/js/share.js").read_text()
    assert "navigator.share(" in script
    assert "clipboard.writeText(" in script
    for call in (
        "fetch(",
        "XMLHttpRequest",
        "localStorage",
        "sessionStorage",
        "document.cookie",
        "indexedDB",
        "sendBeacon",
        "http",
    ):
        assert call not in script


def test_mail_share_link_encodes_spaces_as_mail_programs_read_them():
    mail = share_links("https://example.org/a/", "Pay & perks")[-1]
    assert (
        mail.url
        == "mailto:?subject=Pay%20%26%20perks&body=https%3A%2F%2Fexample.org%2Fa%2F"
    )


# ---------------------------------------------------------------------------
# More in <topic>
# ---------------------------------------------------------------------------
def test_more_in_topic_lists_the_newest_of_the_main_topic_not_related_ones(
    client, article
):
    salary = [
        ArticleFactory(title=f"Salary {n}", topics=["Salary"], published_at=day(n))
        for n in range(1, 12)
    ]
    other = ArticleFactory(
        title="Networking", topics=["Networking"], published_at=day(29)
    )
    DraftArticleFactory(title="Salary draft", topics=["Salary"])
    ScheduledArticleFactory(title="Salary later", topics=["Salary"])
    article.related.set([salary[0]])  # hand-picked: the oldest first
    Article.objects.filter(pk=article.pk).update(related_ids=None)  # ranked at view

    page = client.get(article.get_absolute_url()).text
    related = titles(between(page, 'id="related-title"', 'id="more-in-topic-title"'))
    more_part = between(page, 'id="more-in-topic-title"', "</section>")
    more = titles(more_part)
    assert related[0] == salary[0].title and len(related) == 6
    # The three newest live ones of the topic not in the related list.
    shown = set(related) | {"Ask for the raise"}
    expected = [a.title for a in reversed(salary) if a.title not in shown][:3]
    assert more == expected
    assert not set(more) & shown
    assert other.title not in more
    assert 'More in <a href="/topics/salary/">Salary</a>' in more_part
    assert 'href="/topics/salary/">Every article in Salary' in more_part


def test_more_in_topic_is_the_main_topic_the_kicker_shows(client, now):
    article = ArticleFactory(title="Cover letters", topics=["CVs", "Interviews"])
    main = article.main_topic
    for n in range(8):  # more than the related list shows
        ArticleFactory(title=f"Same topic {n}", topics=[main.name], published_at=day(n))
    page = client.get(article.get_absolute_url()).text
    kicker = between(page, '<p class="article__kicker">', "</p>")
    assert f">{main.name}</a>" in kicker
    assert f'More in <a href="/topics/{main.slug}/">{main.name}</a>' in page


def test_no_more_in_topic_when_the_related_list_has_them_all(client, article):
    ArticleFactory(title="Salary 1", topics=["Salary"], published_at=day(1))
    page = client.get(article.get_absolute_url()).text
    assert "Salary 1" in between(page, 'id="related-title"')
    assert "more-in-topic" not in page


def test_an_article_without_topics_has_no_more_in_topic(client, now):
    article = ArticleFactory(title="Untagged")
    ArticleFactory(title="Another")
    assert "more-in-topic" not in client.get(article.get_absolute_url()).text


@pytest.mark.parametrize("count", [10, 40])
def test_the_new_blocks_cost_one_query_whatever_the_topics_size(
    client, article, count, django_assert_num_queries
):
    """The author's card comes with the article; "More in" is one query
    however many articles the topic has (no query per card)."""
    for n in range(count):
        ArticleFactory(topics=["Salary", f"t{n % 5}"], published_at=day(n % 29))
    with django_assert_num_queries(4):
        # 1 the article + author (the author's card)
        # 1 its topics
        # 1 related articles
        # 1 more in its main topic
        # (no read-more references in its body: no query for them)
        response = client.get(article.get_absolute_url())
    assert len(titles(between(response.text, 'id="more-in-topic-title"'))) == 3


@pytest.fixture
def pages_uncached(settings):
    settings.PAGE_CACHE_SECONDS = 0


def test_the_new_blocks_come_from_the_stored_fragments(
    client, article, pages_uncached, django_assert_num_queries
):
    for n in range(10):
        ArticleFactory(title=f"Salary {n}", topics=["Salary"], published_at=day(n))
    first = client.get(article.get_absolute_url()).text
    with django_assert_num_queries(1):  # the article + author only
        again = client.get(article.get_absolute_url()).text
    assert between(again, "author-card") == between(first, "author-card")


def test_stored_fragments_follow_the_author_and_the_topic(
    client, article, pages_uncached
):
    for n in range(10):
        ArticleFactory(title=f"Salary {n}", topics=["Salary"], published_at=day(n))
    client.get(article.get_absolute_url())

    author = Author.objects.get(pk=article.author_id)
    author.bio = "Now writing a book about offers."
    author.save()
    page = client.get(article.get_absolute_url()).text
    assert "Now writing a book about offers." in between(page, "author-card")

    ArticleFactory(title="Fresh salary news", topics=["Salary"], published_at=day(31))
    page = client.get(article.get_absolute_url()).text
    shown = titles(between(page, 'id="related-title"'))
    assert "Fresh salary news" in shown  # in the related list or "More in"

    topic = Tag.objects.get(slug="salary")
    topic.name = "Pay"  # renamed in the admin
    topic.save()
    page = client.get(article.get_absolute_url()).text
    assert 'More in <a href="/topics/salary/">Pay</a>' in page


# ---------------------------------------------------------------------------
# The 404 page
# ---------------------------------------------------------------------------
def test_404_offers_the_search_box_and_the_latest_articles(client, now):
    live = [ArticleFactory(title=f"Live {n}", published_at=day(n)) for n in range(8)]
    DraftArticleFactory(title="Draft")
    ScheduledArticleFactory(title="Scheduled")
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.text
    form = between(page, '<form class="search-form search-form--page"', "</form>")
    assert 'action="/search/"' in form and 'name="q"' in form
    latest = titles(between(page, 'id="latest-title"'))
    assert latest == [a.title for a in reversed(live)][:6]
    assert "noindex" in page


def test_404_for_a_missing_article_lists_the_latest_too(client, now):
    ArticleFactory(title="Still here")
    response = client.get("/articles/gone-for-good/")
    assert response.status_code == 404
    assert "Still here" in between(response.text, 'id="latest-title"')


def test_404_costs_one_query_however_many_articles(
    client, now, django_assert_num_queries
):
    for n in range(20):
        ArticleFactory(title=f"Live {n}", published_at=day(n))
    client.get("/warm-up/")  # the page cache's generation, read once
    cache.clear()
    with django_assert_num_queries(1):  # the latest articles + authors
        response = client.get("/also-missing/")
    assert "Live 19" in response.text


def test_404_without_a_database_still_answers_404_without_the_list(
    client, now, monkeypatch
):
    ArticleFactory(title="Still here")

    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.models.query.QuerySet._fetch_all", unreachable)
    monkeypatch.setattr("reader.pagecache._next_publish_moment", unreachable)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.text
    assert 'action="/search/"' in response.text
    assert "latest-title" not in response.text

    monkeypatch.undo()  # back: the list is shown, nothing was kept from then
    assert "Still here" in client.get("/no-such-page/").text


# ---------------------------------------------------------------------------
# Topic colours
# ---------------------------------------------------------------------------
def test_topic_pages_and_the_index_wear_the_covers_topic_colour(client, now):
    ArticleFactory(title="Remote", topics=["Remote work"])
    ArticleFactory(title="Pay", topics=["Salary"])
    for tag in Tag.objects.all():
        tone = topic_tone(tag)
        topic_page = client.get(f"/topics/{tag.slug}/").text
        assert f'<header class="page-header topic-banner tone-{tone}">' in topic_page
        index = client.get("/topics/").text
        item = between(index, f'href="/topics/{tag.slug}/"')
        assert f'<li class="topic-index__item tone-{tone}">' in index
        assert item  # listed
    # The cover-less card of an article shows the same number.
    home = client.get("/").text
    remote = Tag.objects.get(slug="remote-work")
    assert f"card__fallback--{topic_tone(remote)}" in home


def test_every_tone_has_its_colours_in_the_stylesheet():
    css = (Path(settings.BASE_DIR) / "static/css/site.css").read_text()
    for tone in range(TOPIC_TONES):
        assert re.search(
            rf"\.tone-{tone}, \.card__fallback--{tone} \{{ --tone-deep: #[0-9a-f]{{6}};"
            rf" --tone-light: #[0-9a-f]{{6}}; \}}",
            css,
        )
