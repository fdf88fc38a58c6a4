"""Only live articles (published, publish date come) are visible anywhere public."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from articles.models import Article
from articles.services import article_write
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    DraftArticleFactory,
    ScheduledArticleFactory,
)

pytestmark = pytest.mark.django_db

# The clock is frozen at NOW (2026-06-15 12:00 UTC) by the `now` fixture.
SCHEDULED_AT = datetime(2026, 6, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def site(now):
    """One live article and three hidden ones sharing its author and topic.

    The hidden ones are featured, newer and hand-picked, so nothing but their
    state keeps them off a page.
    """
    author = AuthorFactory(name="Grace Hopper", slug="grace-hopper")
    live = ArticleFactory(
        title="Live guide to interviews",
        author=author,
        published_at=datetime(2026, 6, 14, 9, 0, tzinfo=UTC),
        topics=["interviews"],
    )
    hidden = {
        "scheduled": ScheduledArticleFactory(
            title="Scheduled salary piece",
            author=author,
            published_at=SCHEDULED_AT,
            featured=True,
            topics=["interviews", "secret-plans"],
        ),
        "draft": DraftArticleFactory(
            title="Draft rejection notes",
            author=author,
            featured=True,
            topics=["interviews", "secret-plans"],
        ),
        # Published once, then taken down: the past date must not show it.
        "unpublished": DraftArticleFactory(
            title="Withdrawn CV tips",
            author=author,
            published_at=datetime(2026, 6, 1, 9, 0, tzinfo=UTC),
            featured=True,
            topics=["interviews", "secret-plans"],
        ),
    }
    return live, hidden


def page_text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.text


def assert_hidden(text: str, articles) -> None:
    for article in articles:
        assert article.title not in text
        assert article.get_absolute_url() not in text


PUBLIC_LISTS = {
    "home": lambda live: reverse("articles:home"),
    "article list": lambda live: reverse("articles:list"),
    "topic page": lambda live: reverse("articles:topic", args=["interviews"]),
    "author page": lambda live: live.author.get_absolute_url(),
}


@pytest.mark.parametrize("url", PUBLIC_LISTS.values(), ids=PUBLIC_LISTS.keys())
def test_lists_show_live_articles_and_hide_scheduled_and_drafts(client, site, url):
    live, hidden = site
    text = page_text(client, url(live))
    assert live.title in text
    assert live.get_absolute_url() in text
    assert_hidden(text, hidden.values())


def test_published_queryset_holds_only_live_articles(site):
    live, _ = site
    assert list(Article.objects.live()) == [live]


@pytest.mark.parametrize("state", ["scheduled", "draft", "unpublished"])
def test_article_page_of_an_unpublished_article_is_not_found(client, site, state):
    _, hidden = site
    response = client.get(hidden[state].get_absolute_url())
    assert response.status_code == 404
    assert hidden[state].title not in response.text


def test_counts_on_topic_and_author_pages_leave_out_hidden_articles(client, site):
    live, _ = site
    topic = page_text(client, reverse("articles:topic", args=["interviews"]))
    assert "1 article<" in topic
    author = page_text(client, live.author.get_absolute_url())
    assert '<span class="muted">(1)</span>' in author


def test_home_topic_list_counts_only_live_articles(client, site):
    response = client.get(reverse("articles:home"))
    text = response.text
    assert reverse("articles:topic", args=["interviews"]) in text
    counts = {topic.slug: topic.article_count for topic in response.context["topics"]}
    assert counts["interviews"] == 1
    assert '<span class="topic-list__count">1<span class="visually-hidden">' in text
    # Used only by hidden articles: not offered to readers.
    assert "secret-plans" not in text


def test_related_list_never_shows_hidden_articles_even_hand_picked(client, site):
    live, hidden = site
    other = ArticleFactory(title="Another live interview guide", topics=["interviews"])
    live.related.set(hidden.values())
    text = page_text(client, live.get_absolute_url())
    assert other.title in text
    assert_hidden(text, hidden.values())


def test_read_more_to_hidden_articles_shows_nothing_of_them(client, site):
    live, hidden = site
    live.body = "Intro.\n\n" + "".join(
        f"[[read-more:{article.pk}]]\n\n" for article in hidden.values()
    )
    article_write(article=live)
    text = page_text(client, live.get_absolute_url())
    assert_hidden(text, hidden.values())
    assert "Read more" not in text
    assert "[[read-more" not in text


def test_scheduled_article_appears_by_itself_when_its_time_comes(
    client, site, time_machine
):
    live, hidden = site
    scheduled = hidden["scheduled"]
    live.body = f"Intro.\n\n[[read-more:{scheduled.pk}]]\n"
    article_write(article=live)
    pages = [url(live) for url in PUBLIC_LISTS.values()] + [live.get_absolute_url()]
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    for url in pages:
        assert scheduled.title not in page_text(client, url)

    # No job runs in between: only the clock moves.
    time_machine.move_to(SCHEDULED_AT + timedelta(seconds=1), tick=False)

    assert scheduled.title in page_text(client, scheduled.get_absolute_url())
    for url in pages:
        text = page_text(client, url)
        assert scheduled.title in text
        assert scheduled.get_absolute_url() in text
    read_more = f'<a href="{scheduled.get_absolute_url()}">{scheduled.title}</a>'
    assert read_more in page_text(client, live.get_absolute_url())


def test_scheduled_article_is_live_at_its_exact_publish_time(
    client, site, time_machine
):
    _, hidden = site
    scheduled = hidden["scheduled"]
    time_machine.move_to(SCHEDULED_AT - timedelta(seconds=1), tick=False)
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    time_machine.move_to(SCHEDULED_AT, tick=False)
    assert client.get(scheduled.get_absolute_url()).status_code == 200


# ---------------------------------------------------------------------------
# What a live article's page shows
# ---------------------------------------------------------------------------


def test_article_page_shows_title_byline_and_publish_date(client, site):
    live, _ = site
    text = page_text(client, live.get_absolute_url())
    assert '<h1 class="article__title">Live guide to interviews</h1>' in text
    assert (
        f'By <a rel="author" href="{live.author.get_absolute_url()}">Grace Hopper</a>'
        in text
    )
    assert (
        'Published <time datetime="2026-06-14T10:00:00+01:00">14 Jun 2026</time>'
        in text
    )
    assert "Updated" not in text


def test_updated_date_shows_when_the_text_changes_after_publishing(
    client, site, time_machine
):
    live, hidden = site
    time_machine.move_to(datetime(2026, 6, 20, 9, 0, tzinfo=UTC), tick=False)
    live.body += "\nA new paragraph.\n"
    article_write(article=live)
    draft = hidden["draft"]
    draft.body += "\nDraft edits do not count as updates.\n"
    article_write(article=draft)
    text = page_text(client, live.get_absolute_url())
    assert (
        'Updated <time datetime="2026-06-20T10:00:00+01:00">20 Jun 2026</time>' in text
    )
    assert draft.updated_at is None
