"""A word most articles contain costs what a rare one costs (issue 25): on
PostgreSQL only the best candidates are ranked (the newest matches and the
newest title matches), and the count is then "about N results"."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from articles import search as search_module
from articles.search_pages import estimate
from tests.factories import NOW, ArticleFactory

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("articles:search")
PLAIN_BODY = "Nothing to see in this body.\n"
requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="candidates are PostgreSQL's"
)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def lede(response) -> str:
    text = response.text.split('class="page-header__lede" role="status">', 1)[1]
    return text.split("</p>", 1)[0]


def test_estimate_scales_the_sample_to_every_live_article():
    # 500 matches among the newest 1,000 of 100,000 live articles: about half.
    assert estimate(500, 99_001, 100_000) == 50_000
    # Rounded to two significant figures: it is an estimate.
    assert estimate(500, 99_496, 100_000) == 99_000
    # Never fewer than were found; nothing to scale without positions.
    assert estimate(500, 1, 400) == 500
    assert estimate(500, None, 100_000) == 500


@pytest.mark.postgres
@requires_postgres
def test_common_word_is_counted_as_about_n_results(client, monkeypatch):
    monkeypatch.setattr(search_module, "CANDIDATES", 4)
    monkeypatch.setattr(search_module, "TITLE_CANDIDATES", 1)
    # Every other article has the word in its body: 10 of 20.
    for n in range(20):
        ArticleFactory(
            title=f"Story {n}",
            body="Talk to a recruiter.\n" if n % 2 else PLAIN_BODY,
            published_at=NOW - timedelta(days=n),
        )
    response = client.get(SEARCH_URL, {"q": "recruiter"})
    assert lede(response).startswith("About 10 results for")
    # Only the candidates are ranked and paged: the four newest matches.
    titles = [a.title for a in response.context["articles"]]
    assert titles == ["Story 1", "Story 3", "Story 5", "Story 7"]


@pytest.mark.postgres
@requires_postgres
def test_an_old_title_match_still_ranks_first_among_common_words(client, monkeypatch):
    monkeypatch.setattr(search_module, "CANDIDATES", 3)
    old = ArticleFactory(
        title="Recruiter secrets",
        body=PLAIN_BODY,
        published_at=NOW - timedelta(days=30),
    )
    for n in range(6):
        ArticleFactory(
            title=f"Story {n}",
            body="Talk to a recruiter.\n",
            published_at=NOW - timedelta(days=n),
        )
    response = client.get(SEARCH_URL, {"q": "recruiter"})
    titles = [a.title for a in response.context["articles"]]
    assert titles == [old.title, "Story 0", "Story 1", "Story 2"]
    assert lede(response).startswith("About ")


def test_a_word_with_few_matches_is_counted_exactly(client):
    for n in range(3):
        ArticleFactory(title=f"Recruiter talk {n}", body=PLAIN_BODY)
    response = client.get(SEARCH_URL, {"q": "recruiter"})
    assert lede(response).startswith("3 results for")
    assert response.context["page_obj"].paginator.estimate is None


# Outside a transaction, as a request runs (see test_search.py).
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count", [5, 40])
def test_common_word_search_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, monkeypatch, count
):
    monkeypatch.setattr(search_module, "CANDIDATES", 10)
    for n in range(count):
        ArticleFactory(title=f"Interview {n}", body=PLAIN_BODY, topics=[f"T{n}"])
    # 1 ranks the candidates, counts them and samples the estimate, 1 loads
    # the page's articles with their snippets, 1 topics of that page; on
    # PostgreSQL 2 more first ask the planner how many articles match, and 3
    # set the ranking's time limit in a transaction of its own
    with django_assert_num_queries(3 + 5 * (connection.vendor == "postgresql")):
        response = client.get(SEARCH_URL, {"q": "interview"})
    assert len(response.context["articles"]) == min(count, 12)
