"""The newest matches of a word are found the cheaper way (issue 25 item 5).

PostgreSQL can walk the newest articles testing each one's search vector, or
read every match through the GIN index and keep the newest. It counts both
well but leaves out what the walk costs (each vector decompressed), and so
walked for words in 3-10% of articles: 21 ms for a word in 5% of 100,000,
against 3 ms reading its matches. ``_candidates_order`` asks the planner for
the counts and weighs them itself.
"""

import pytest
from django.db import connection

from articles import search as search_module
from articles.models import Article
from benchmarks import corpus

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the plans are PostgreSQL's"
    ),
]

ARTICLES = 2_000


@pytest.fixture
def analyzed_corpus():
    """2,000 live articles: "ombudsman" in one body in fifty, "career" in
    nearly all (see benchmarks/corpus.py), with planner statistics."""
    corpus.build(ARTICLES)


def plan(word: str) -> str:
    return Article.objects.live().search(word).explain()


def test_a_word_in_few_articles_is_read_through_its_index(analyzed_corpus, monkeypatch):
    # Two candidates among 40 matches: walking finds them in about 100
    # articles, which costs more than reading the 40 (the planner thinks not).
    monkeypatch.setattr(search_module, "CANDIDATES", 2)
    assert "article_search_idx" in plan("ombudsman")


def test_a_word_in_most_articles_is_walked_newest_first(analyzed_corpus):
    # 500 candidates among nearly 2,000 matches: the walk stops after about
    # 500 articles, where reading the index would read all 2,000.
    assert "article_search_idx" not in plan("career")


def test_either_way_the_results_are_the_same(analyzed_corpus, monkeypatch):
    # 30 candidates of 40 matches: the newest 30, whichever way found.
    monkeypatch.setattr(search_module, "CANDIDATES", 30)
    monkeypatch.setattr(search_module, "WALK_COST", 1e9)  # always read
    read = list(Article.objects.live().search("ombudsman").values_list("pk"))
    monkeypatch.setattr(search_module, "WALK_COST", 0)  # the planner's choice
    chosen = list(Article.objects.live().search("ombudsman").values_list("pk"))
    assert len(read) == 30
    assert chosen == read
