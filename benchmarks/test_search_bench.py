"""Search at scale: 100,000 articles on PostgreSQL, answered from the GIN index.

Run with `make bench-budgets` (not part of `make test`). Loading takes a minute or so:
one bulk insert, then one UPDATE computing every search vector, as a backfill
would in production.
"""

import random
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from django.db import connection

from articles.models import Article, Author
from articles.search_pages import ResultPages
from benchmarks.corpus import VOCABULARY
from reader.search_views import result_cards
from reader.views import ARTICLES_PER_PAGE

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search is PostgreSQL's"
)

ARTICLE_COUNT = 100_000
BATCH = 5_000
# A word in a few dozen articles, and one in about one article in ten.
RARE_WORD, RARE_EVERY = "ombudsman", 2_500
COMMON_WORD, COMMON_EVERY = "negotiation", 10


def article_rows(author: Author, rng: random.Random):
    start = datetime(2015, 1, 1, tzinfo=UTC)
    for n in range(ARTICLE_COUNT):
        words = rng.choices(VOCABULARY, k=80)
        if n % RARE_EVERY == 0:
            words.insert(rng.randrange(len(words)), RARE_WORD)
        if n % COMMON_EVERY == 0:
            words.insert(rng.randrange(len(words)), COMMON_WORD)
        yield Article(
            title=" ".join(rng.choices(VOCABULARY, k=6)).capitalize(),
            slug=f"bench-{n}",
            author=author,
            excerpt=" ".join(rng.choices(VOCABULARY, k=20)),
            body=" ".join(words),
            status=Article.Status.PUBLISHED,
            published_at=start + timedelta(minutes=45 * n),
        )


@pytest.fixture(scope="module")
def many_articles(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        author = Author.objects.create(name="Bench Writer", slug="bench-writer")
        rows = article_rows(author, random.Random(42))
        while batch := [row for _, row in zip(range(BATCH), rows, strict=False)]:
            Article.objects.bulk_create(batch)
        Article.objects.refresh_search_vectors()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE articles_article")
        yield
        Article.objects.filter(author=author).delete()
        author.delete()


def search_page(word: str):
    """The first page of results as the search page gets it: ranked and
    counted in one query, then the page's cards with their snippets."""
    pages = ResultPages(
        Article.objects.live().search(word),
        ARTICLES_PER_PAGE,
        load=partial(result_cards, text=word),
    )
    page = pages.page(1)
    return pages.count, list(page.object_list)


def uses_search_index(word: str) -> bool:
    plan = Article.objects.live().search(word).explain()
    return "article_search_idx" in plan


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("word", "expected"),
    [
        (RARE_WORD, ARTICLE_COUNT // RARE_EVERY),
        (COMMON_WORD, ARTICLE_COUNT // COMMON_EVERY),
    ],
)
def test_search_results_page_at_100k_articles(many_articles, benchmark, word, expected):
    assert uses_search_index(word)

    count, page = benchmark(search_page, word)

    assert count == expected
    assert len(page) == 12
