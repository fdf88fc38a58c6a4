"""Query budgets: every public page costs the same number of queries with 10 or
2,000 articles, so a list that loads authors, topics, images or links row by row
shows up here as a failure."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from articles.models import Article
from articles.services import article_write
from benchmarks import corpus
from tests.factories import ArticleFactory, AuthorFactory, DraftArticleFactory

pytestmark = pytest.mark.django_db

TOPICS = [f"topic-{n}" for n in range(15)]
START = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)


def make_articles(count: int, *, start: datetime, authors, offset: int = 0):
    articles = []
    for i in range(offset, offset + count):
        # Half by the first author, the rest spread over the others.
        author = authors[0] if i % 2 == 0 else authors[1 + i % (len(authors) - 1)]
        articles.append(
            ArticleFactory(
                author=author,
                published_at=start + timedelta(hours=i),
                featured=i % 4 == 0,
                cover_image=f"covers/cover-{i}.jpg",
                cover_alt=f"Cover {i}",
                cover_renditions=corpus.renditions(f"covers/cover-{i}"),
                topics=sorted(
                    {TOPICS[i % 15], TOPICS[i * 7 % 15], TOPICS[i * 11 % 15]}
                ),
            )
        )
    return articles


RICH = 10


@pytest.fixture(params=[10, 2_000], ids=["10 articles", "2,000 articles"])
def site(request, now):
    """``n`` live articles with varied authors, topics and covers; the newest ten
    with hand-picked related and read-more references; plus some drafts that
    must cost nothing. Beyond ten, older articles are inserted in bulk."""
    count = request.param
    if count > RICH:
        older = START - timedelta(days=365)
        corpus.build(count - RICH, start=older, topic_names=TOPICS)
    authors = [
        AuthorFactory(
            photo=f"authors/author-{n}.jpg",
            photo_renditions=corpus.renditions(f"authors/author-{n}"),
        )
        for n in range(2)
    ]
    articles = make_articles(RICH, start=START, authors=authors)
    drafts = [
        DraftArticleFactory(author=authors[0], topics=TOPICS[:2]) for _ in range(3)
    ]
    for i, article in enumerate(articles):
        others = [a for a in articles if a != article]
        article.related.set(others[i % len(others) :][:2] + drafts[:1])
        targets = others[:3] + drafts[:1]
        article.body += "".join(f"\n[[read-more:{t.pk}]]\n" for t in targets)
        article_write(article=article)
    return {"count": count, "authors": authors, "articles": articles}


def get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_home_queries(client, site, django_assert_num_queries):
    """Featured and latest cards load authors and topics in bulk; the topic list
    counts articles in one grouped query (no count per topic)."""
    with django_assert_num_queries(4):
        # 1 featured articles + authors
        # 1 latest articles + authors
        # 1 topics of the featured and latest articles, together
        # 1 topics in use with their article counts
        get_ok(client, reverse("articles:home"))


def test_article_list_queries(client, site, django_assert_num_queries):
    """Each card's author and first topic come with the page, not one per card."""
    with django_assert_num_queries(3):
        # 1 position of the newest live article (the number of pages)
        # 1 page of articles + authors
        # 1 topics of those articles
        get_ok(client, reverse("articles:list"))


def test_last_list_page_queries(client, site, django_assert_num_queries):
    """The last page costs what the first costs: no count, no OFFSET."""
    live = Article.objects.live()
    last = -(-live.count() // 12)
    oldest = live.order_by("published_at").first()
    with django_assert_num_queries(3):
        # 1 position of the newest live article (the number of pages)
        # 1 page of articles + authors, by position
        # 1 topics of those articles
        response = get_ok(client, reverse("articles:list") + f"?page={last}")
    assert oldest.get_absolute_url() in response.text


@pytest.fixture
def second_page(site):
    """Twelve more, older articles: page 2 holds 5 or 12 of them."""
    extra = make_articles(
        12,
        start=START - timedelta(days=30),
        authors=site["authors"],
        offset=site["count"],
    )
    return site | {"articles": site["articles"] + extra}


def test_article_list_second_page_queries(
    client, second_page, django_assert_num_queries
):
    """Page 2 costs what page 1 costs: no query per row, whatever the offset."""
    with django_assert_num_queries(3):
        # 1 position of the newest live article (the number of pages)
        # 1 page of articles + authors
        # 1 topics of those articles
        response = get_ok(client, reverse("articles:list") + "?page=2")
    assert "Page 2 of" in response.text


def test_article_page_queries(client, site, django_assert_num_queries):
    """Topics, read-more targets and related articles each load in one query,
    however many there are (no query per link or per related card)."""
    article = site["articles"][-1]
    with django_assert_num_queries(5):
        # 1 the article + author (and the author's card)
        # 1 its topics
        # 1 read-more targets, all at once
        # 1 related articles, ranked when the article was saved
        # 1 more in its main topic, besides the related ones
        response = get_ok(client, article.get_absolute_url())
    assert 'class="read-more"' in response.text
    assert 'class="related__item"' in response.text


def test_old_slug_redirect_queries(client, site, django_assert_num_queries):
    """Answering an old address does not load the article's page."""
    article = Article.objects.get(pk=site["articles"][-1].pk)
    article.slug = "a-brand-new-slug"
    article_write(article=article)
    with django_assert_num_queries(2):
        # 1 no live article has the old slug
        # 1 the redirect + its live article
        response = client.get(
            reverse("articles:detail", args=[site["articles"][-1].slug])
        )
    assert response.status_code == 301


def test_topic_page_queries(client, site, django_assert_num_queries):
    """Cards on a topic page load authors and topics in bulk."""
    with django_assert_num_queries(3):
        # 1 the topic with its live article count (kept as data)
        # 1 page of articles + authors
        # 1 topics of those articles
        get_ok(client, reverse("articles:topic", args=[TOPICS[0]]))


def test_author_page_queries(client, site, django_assert_num_queries):
    """The author is loaded once, not again for every card."""
    author = site["authors"][0]
    with django_assert_num_queries(4):
        # 1 the author
        # 1 count of their live articles (paginator)
        # 1 page of their articles
        # 1 topics of those articles
        get_ok(client, author.get_absolute_url())


def test_topics_index_queries(client, site, django_assert_num_queries):
    """Article counts per topic come from one grouped query, not one per topic."""
    with django_assert_num_queries(1):
        # 1 topics with their live article counts
        get_ok(client, reverse("articles:topics"))
