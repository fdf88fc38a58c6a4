import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from articles.models import Article
from articles.search import MAX_QUERY_LENGTH, Query
from articles.services import article_write
from tests.factories import NOW, ArticleFactory

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("articles:search")
PLAIN_BODY = "Nothing to see in this body.\n"
requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="websearch syntax is PostgreSQL's"
)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def result_titles(response) -> list[str]:
    return [article.title for article in response.context["articles"]]


def search(client, query, **params):
    return client.get(SEARCH_URL, {"q": query, **params})


def test_title_match_ranks_above_excerpt_match_above_body_match(client):
    # Newest first by date, so only relevance can put the title match on top.
    in_title = ArticleFactory(
        title="Mentoring that works", body=PLAIN_BODY, published_at=NOW - timedelta(3)
    )
    in_excerpt = ArticleFactory(
        title="Growing at work",
        excerpt="Why mentoring matters.",
        body=PLAIN_BODY,
        published_at=NOW - timedelta(2),
    )
    in_body = ArticleFactory(
        title="Your first year",
        body="Find some mentoring early.\n",
        published_at=NOW - timedelta(1),
    )

    response = search(client, "mentoring")

    assert result_titles(response) == [in_title.title, in_excerpt.title, in_body.title]


def test_an_edited_title_ranks_by_its_new_words(client):
    # What a match is ranked by is kept on save, like what it is matched by.
    older = ArticleFactory(
        title="Your first year",
        body="Find some mentoring early.\n",
        published_at=NOW - timedelta(2),
    )
    newer = ArticleFactory(
        title="Growing at work",
        body="Mentoring helps.\n",
        published_at=NOW - timedelta(1),
    )
    assert result_titles(search(client, "mentoring")) == [newer.title, older.title]

    older.title = "Mentoring in your first year"
    article_write(article=older)

    assert result_titles(search(client, "mentoring")) == [older.title, newer.title]


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("interviews", "How to prepare for an interview"),
        ("interview", "Three interviews in one week"),
        ("negotiating", "Salary negotiation for beginners"),
        ("negotiation", "Negotiating a raise"),
    ],
)
def test_other_forms_of_a_word_are_found(client, query, text):
    ArticleFactory(title=text, body=PLAIN_BODY)
    ArticleFactory(title="Unrelated advice", body=PLAIN_BODY)

    assert result_titles(search(client, query)) == [text]


def test_every_word_of_the_query_must_match(client):
    ArticleFactory(title="Salary talks", body="Ask for a raise.\n")
    ArticleFactory(title="Salary bands", body=PLAIN_BODY)

    assert result_titles(search(client, "salary raise")) == ["Salary talks"]


def test_a_minus_word_excludes_articles(client):
    ArticleFactory(title="Salary talks", body="Ask for a raise.\n")
    ArticleFactory(title="Salary bands", body=PLAIN_BODY)

    assert result_titles(search(client, "salary -raise")) == ["Salary bands"]


def test_only_words_to_leave_out_find_nothing(client):
    """Nothing to look for is not every article without the words (on
    PostgreSQL that read every article: 350 ms at 100,000)."""
    ArticleFactory(title="Salary talks", body="Ask for a raise.\n")
    ArticleFactory(title="Salary bands", body=PLAIN_BODY)

    for query in ("-raise", "-raise -salary", '-"ask for"'):
        response = search(client, query)
        assert result_titles(response) == [], query
        assert "0 results for" in response.text
        # The empty page says why, and what to do.
        assert "only says what to leave out" in response.text, query
        assert "Add a word to look for" in response.text, query


def test_an_empty_search_with_a_word_to_look_for_gets_the_usual_advice(client):
    ArticleFactory(title="Salary talks", body="Ask for a raise.\n")

    for query in ("salary -raise", "zebra", "zebra -raise", '"raise salary"'):
        response = search(client, query)
        assert result_titles(response) == [], query
        assert "only says what to leave out" not in response.text, query
        assert "Try fewer words" in response.text, query


@pytest.mark.parametrize(
    ("text", "only_leaves_out"),
    [
        ("-career", True),
        ('-career -"pay rise"', True),
        ("career -pay", False),
        ('"-career"', False),
        ("-", False),
        ("", False),
    ],
)
def test_a_query_knows_when_it_only_leaves_words_out(text, only_leaves_out):
    assert Query.parse(text).only_leaves_out is only_leaves_out


def test_draft_and_scheduled_articles_are_never_found(client):
    live = ArticleFactory(title="Remote work, live", body=PLAIN_BODY)
    ArticleFactory(
        title="Remote work, draft", status=Article.Status.DRAFT, published_at=None
    )
    ArticleFactory(title="Remote work, scheduled", published_at=NOW + timedelta(1))

    assert result_titles(search(client, "remote")) == [live.title]


def test_scheduled_article_is_found_once_its_time_comes(client):
    ArticleFactory(title="Remote work, scheduled", published_at=NOW + timedelta(1))

    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        assert result_titles(search(client, "remote")) == ["Remote work, scheduled"]


def test_an_edited_article_is_found_by_its_new_words(client):
    article = ArticleFactory(title="Old title", body=PLAIN_BODY)
    article = Article.objects.get(pk=article.pk)
    article.title = "Portfolio reviews for designers"
    article_write(article=article)

    assert result_titles(search(client, "portfolio")) == [article.title]
    assert result_titles(search(client, "old")) == []


def test_matches_are_highlighted_in_the_excerpt(client):
    ArticleFactory(
        title="Pay",
        excerpt="A calm script for your salary negotiation.",
        body=PLAIN_BODY,
    )

    response = search(client, "negotiation")

    assert "<mark>negotiation</mark>" in response.text
    assert "<mark>calm</mark>" not in response.text


def test_snippet_shows_the_match_from_deep_in_the_body(client):
    body = "Opening words about careers. " * 30 + "Ask about the salary band early.\n"
    ArticleFactory(title="Pay talk", excerpt="", body=body)

    response = search(client, "salary")

    snippet = str(response.context["articles"][0].highlight)
    assert "<mark>salary</mark> band" in snippet
    # Around the match, not the whole body: a line or two, marked as cut.
    assert snippet.startswith("…")
    assert len(snippet) < 300


def test_other_word_forms_are_highlighted(client):
    ArticleFactory(title="Pay", excerpt="Negotiating well takes practice.")

    response = search(client, "negotiation")

    assert "<mark>Negotiating</mark>" in response.text


def test_hostile_article_text_is_escaped_around_the_highlight(client):
    ArticleFactory(
        title="Pay",
        excerpt='<img src=x onerror="alert(1)"> salary </mark><script>x</script>',
        body=PLAIN_BODY,
    )

    response = search(client, "salary")

    assert "<mark>salary</mark>" in response.text
    assert "<img src=x" not in response.text
    assert "<script>x" not in response.text
    # The snippet's only markup is the highlight (PostgreSQL may drop the tags
    # as it cuts the snippet; elsewhere they show escaped).
    snippet = str(response.context["articles"][0].highlight)
    assert "<" not in re.sub(r"</?mark>", "", snippet)


@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script>",
        "\x00",
        "interview\x00s",
        "' OR 1=1 --",
        '"unclosed phrase',
        "&|!():*<->",
        "-",
        "or",
        "%_\\",
        "🙂 emoji",
        "\ue000marker\ue001",
    ],
)
def test_odd_or_hostile_queries_give_a_clear_page(client, query):
    ArticleFactory(title="Interview basics", body=PLAIN_BODY)

    response = search(client, query)

    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "\ue000" not in response.text
    assert "Search" in response.text


def test_undecodable_or_repeated_query_parameters_give_a_page(client):
    ArticleFactory(title="Interview basics", body=PLAIN_BODY)

    assert client.get(f"{SEARCH_URL}?q=%ff%fe%00").status_code == 200
    assert client.get(f"{SEARCH_URL}?q=x&q=interview").status_code == 200
    assert client.get(f"{SEARCH_URL}?q=interview&page=abc").status_code == 404


def test_very_long_query_is_cut_and_the_page_says_so(client):
    ArticleFactory(title="Interview basics", body=PLAIN_BODY)
    query = "interview " + "x" * 500

    response = search(client, query)

    assert response.status_code == 200
    assert f"longer than {MAX_QUERY_LENGTH} characters" in response.text
    assert len(response.context["query"]) <= MAX_QUERY_LENGTH


def test_query_parsing_caps_length_and_drops_control_characters():
    assert Query.parse("  salary\x00 \t talks \n") == Query("salary talks")
    assert Query.parse(None) == Query("")
    long = Query.parse("a" * (MAX_QUERY_LENGTH + 1))
    assert long.truncated and len(long.text) == MAX_QUERY_LENGTH
    words = Query.parse("salary " * 60)
    assert words.truncated and words.text.endswith(" salary")
    assert len(words.text) <= MAX_QUERY_LENGTH


def test_empty_query_invites_a_search_and_offers_topics(client):
    ArticleFactory(topics=["Interviews"])

    response = search(client, "  ")

    assert response.status_code == 200
    assert "Type a word or two" in response.text
    assert reverse("articles:topic", kwargs={"slug": "interviews"}) in response.text
    assert "results for" not in response.text


def test_no_results_says_so_and_suggests_topics(client):
    ArticleFactory(title="Interview basics", topics=["Interviews"])

    response = search(client, "zebra")

    assert "0 results for" in response.text
    assert "No articles match" in response.text
    assert reverse("articles:topic", kwargs={"slug": "interviews"}) in response.text


def test_results_are_counted_and_paginated_keeping_the_query(client):
    for n in range(13):
        ArticleFactory(title=f"Career change story {n}", body=PLAIN_BODY)

    first = search(client, "career change")
    second = search(client, "career change", page=2)

    assert "13 results for" in first.text
    assert len(first.context["articles"]) == 12
    assert 'href="?page=2&amp;q=career+change">Next →</a>' in first.text
    assert len(second.context["articles"]) == 1
    assert second.context["page_obj"].number == 2


def test_page_beyond_the_results_is_not_found(client):
    ArticleFactory(title="Career change", body=PLAIN_BODY)

    assert search(client, "career", page=5).status_code == 404
    # Far beyond any offset the database could take.
    assert search(client, "career", page=10**30).status_code == 404
    assert search(client, "career", page=0).status_code == 404


def test_last_page_is_the_page_the_count_says(client):
    for n in range(13):
        ArticleFactory(
            title=f"Career change story {n}",
            body=PLAIN_BODY,
            published_at=NOW - timedelta(days=n),
        )

    response = search(client, "career change", page="last")

    assert response.context["page_obj"].number == 2
    assert result_titles(response) == ["Career change story 12"]


def test_search_pages_are_kept_out_of_search_engines(client):
    response = search(client, "career")

    assert response.headers["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.text


def test_every_page_has_a_search_box_in_the_header(client):
    article = ArticleFactory()

    for url in (reverse("articles:home"), article.get_absolute_url()):
        header = re.search(
            r"<header class=\"site-header\">.*?</header>", client.get(url).text, re.S
        )
        assert f'action="{SEARCH_URL}"' in header[0]
        assert 'name="q"' in header[0]


# Outside a transaction, as a request runs: in a test's own, the time limit's
# transaction would be a savepoint, and the limit reset before its release.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count", [5, 60])
def test_results_page_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, count
):
    for n in range(count):
        ArticleFactory(
            title=f"Interview {n}", body=PLAIN_BODY, topics=["Interviews", f"T{n}"]
        )

    # 1 ranks and counts the matches, 1 loads the page's articles with their
    # authors and snippets, 1 topics of that page; on PostgreSQL 2 more first
    # ask the planner how many articles match (how to find the newest), and
    # the ranking runs in a transaction of its own that sets its time limit
    # (BEGIN, the limit, COMMIT)
    with django_assert_num_queries(3 + 5 * (connection.vendor == "postgresql")):
        response = search(client, "interview")

    assert len(response.context["articles"]) == min(count, 12)


@pytest.mark.django_db(transaction=True)
def test_empty_results_page_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries
):
    for n in range(20):
        ArticleFactory(title=f"Interview {n}", topics=[f"T{n}"])

    # 1 ranks and counts the matches (none), 1 topics to suggest; on
    # PostgreSQL 2 more ask the planner how many articles match, 3 set the
    # ranking's time limit in a transaction of its own
    with django_assert_num_queries(2 + 5 * (connection.vendor == "postgresql")):
        search(client, "zebra")


@pytest.mark.postgres
@requires_postgres
def test_phrase_and_or_queries_use_full_text_syntax(client):
    ArticleFactory(title="Cover letter tips", body=PLAIN_BODY)
    ArticleFactory(title="Letter to a cover band", body=PLAIN_BODY)
    ArticleFactory(title="CV basics", body=PLAIN_BODY)

    assert result_titles(search(client, '"cover letter"')) == ["Cover letter tips"]
    assert sorted(result_titles(search(client, "cv or tips"))) == [
        "CV basics",
        "Cover letter tips",
    ]
