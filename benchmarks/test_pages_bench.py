"""Reader pages at scale: 10,000 live articles over 40 topics.

Run with `make bench` (not part of `make test`), on SQLite or, with
DATABASE_URL set, on PostgreSQL. Each page must answer within its time budget
and allocate less than MEMORY_BUDGET while rendering.
"""

import random
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from taggit.models import Tag, TaggedItem

from articles.models import Article, Author

ARTICLE_COUNT = 10_000
TOPIC_COUNT = 40
# Mean time per request, in seconds, measured through the full Django stack.
TIME_BUDGET = {"home": 0.15, "list": 0.1, "article": 0.15, "topic": 0.15}
MEMORY_BUDGET = 16 * 1024 * 1024  # peak bytes allocated by one request

BODY = (
    "## Why it matters\n\n"
    + "Practical advice about interviews, pay and careers. " * 40
    + "\n\n- one point\n- another point\n\n> A quote worth keeping.\n"
)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    rng = random.Random(7)
    with django_db_blocker.unblock():
        authors = Author.objects.bulk_create(
            Author(name=f"Writer {n}", slug=f"writer-{n}") for n in range(20)
        )
        topics = Tag.objects.bulk_create(
            Tag(name=f"Topic {n}", slug=f"topic-{n}") for n in range(TOPIC_COUNT)
        )
        template = Article(body=BODY)
        template.render()
        start = datetime(2020, 1, 1, tzinfo=UTC)
        articles = Article.objects.bulk_create(
            (
                Article(
                    title=f"Benchmark article {n}",
                    slug=f"bench-{n}",
                    author=authors[n % len(authors)],
                    body=BODY,
                    body_html=template.body_html,
                    auto_excerpt=template.auto_excerpt,
                    word_count=template.word_count,
                    status=Article.Status.PUBLISHED,
                    published_at=start + timedelta(hours=n),
                )
                for n in range(ARTICLE_COUNT)
            ),
            batch_size=2_000,
        )
        content_type = TaggedItem.objects.model._meta.get_field("content_type")
        article_type = content_type.related_model.objects.get_for_model(Article)
        TaggedItem.objects.bulk_create(
            (
                TaggedItem(tag=tag, content_type=article_type, object_id=article.pk)
                for article in articles
                for tag in rng.sample(topics, 3)
            ),
            batch_size=5_000,
        )
        yield articles
        Article.objects.all().delete()
        Author.objects.all().delete()
        Tag.objects.all().delete()


def measure(benchmark, url: str, budget: float):
    client = Client()
    response = client.get(url)
    assert response.status_code == 200

    tracemalloc.start()
    client.get(url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < MEMORY_BUDGET, f"{url} allocated {peak / 1e6:.1f} MB"

    benchmark.pedantic(client.get, args=(url,), rounds=20, iterations=1)
    assert benchmark.stats.stats.mean < budget, f"{url} is slower than {budget}s"


@pytest.mark.django_db
def test_home_page_at_scale(benchmark, site):
    measure(benchmark, "/", TIME_BUDGET["home"])


@pytest.mark.django_db
def test_article_list_at_scale(benchmark, site):
    measure(benchmark, "/articles/?page=50", TIME_BUDGET["list"])


@pytest.mark.django_db
def test_article_page_with_related_articles_at_scale(benchmark, site):
    measure(benchmark, site[len(site) // 2].get_absolute_url(), TIME_BUDGET["article"])


@pytest.mark.django_db
def test_topic_page_at_scale(benchmark, site):
    measure(benchmark, "/topics/topic-3/", TIME_BUDGET["topic"])
