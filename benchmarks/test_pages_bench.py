"""Reader pages at scale: 10,000 live articles over 40 topics.

Run with `make bench-budgets` (not part of `make test`), on SQLite or, with
DATABASE_URL set, on PostgreSQL. Each page must answer within its time budget
and allocate less than MEMORY_BUDGET while rendering.
"""

import tracemalloc

import pytest
from django.test import Client

from articles.models import Article
from benchmarks import corpus

ARTICLE_COUNT = 10_000
# Mean time per request, in seconds, measured through the full Django stack.
TIME_BUDGET = {"home": 0.15, "list": 0.1, "article": 0.15, "topic": 0.15}
MEMORY_BUDGET = 16 * 1024 * 1024  # peak bytes allocated by one request


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ids = corpus.build(ARTICLE_COUNT)
        corpus.rank_related([ids[len(ids) // 2]])  # as saving it would
        yield list(Article.objects.filter(pk__in=ids).order_by("pk"))
        corpus.wipe()


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
