"""A topic's pages are ranges of places kept on write (issue 25): page 600
costs what page 1 costs, and every live article of the topic is on exactly
one page, in order, whatever was published, re-dated or untagged since."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from articles.models import Article, TopicPosition
from articles.services import article_unpublish
from tests.factories import ArticleFactory, ScheduledArticleFactory

pytestmark = pytest.mark.django_db

PER_PAGE = 12


def day(n: int, hours: int = 0) -> datetime:
    return datetime(2026, 1, 1, 9, tzinfo=UTC) + timedelta(days=n, hours=hours)


def topic_url(page_number: int | None = None) -> str:
    url = reverse("articles:topic", kwargs={"slug": "pay"})
    return url if page_number is None else f"{url}?page={page_number}"


def every_page(client) -> list[list[str]]:
    first = client.get(topic_url())
    assert first.status_code == 200
    pages = [[a.title for a in first.context["articles"]]]
    for number in range(2, first.context["paginator"].num_pages + 1):
        response = client.get(topic_url(number))
        assert response.status_code == 200
        pages.append([a.title for a in response.context["articles"]])
    return pages


def live_in_topic() -> list[str]:
    return list(
        Article.objects.live()
        .filter(tags__slug="pay")
        .order_by("-published_at", "-pk")
        .values_list("title", flat=True)
    )


@pytest.fixture
def topic(now):
    # Two pages and one article: the boundaries show.
    return [
        ArticleFactory(title=f"Pay {n}", topics=["Pay"], published_at=day(n))
        for n in range(2 * PER_PAGE + 1)
    ]


def test_pages_split_the_topic_at_their_boundaries(client, topic):
    pages = every_page(client)
    assert [len(p) for p in pages] == [12, 12, 1]
    assert pages[0][0] == "Pay 24" and pages[0][-1] == "Pay 13"
    assert pages[1][0] == "Pay 12" and pages[1][-1] == "Pay 1"
    assert pages[2] == ["Pay 0"]
    assert sum(pages, []) == live_in_topic()


def test_pages_stay_whole_after_inserts_redating_and_removals(client, topic):
    ArticleFactory(title="Newest", topics=["Pay"], published_at=day(40))
    ArticleFactory(
        title="Backdated", topics=["Pay"], published_at=day(5) + timedelta(hours=1)
    )
    ArticleFactory(title="Elsewhere", topics=["Careers"], published_at=day(41))
    ScheduledArticleFactory(title="Not yet", topics=["Pay"])
    article_unpublish(article=topic[7])
    topic[3].tags.remove("Pay")
    moved = topic[20]
    moved.published_at = day(-1)
    moved.save()

    pages = every_page(client)
    titles = sum(pages, [])
    assert titles == live_in_topic()
    assert len(titles) == len(set(titles)) == 25  # 25 + 2 new - 2 gone
    assert titles[0] == "Newest" and titles[-1] == "Pay 20"
    assert "Not yet" not in titles and "Elsewhere" not in titles
    assert [len(p) for p in pages] == [12, 12, 1]
    assert titles.index("Backdated") == titles.index("Pay 5") - 1


def test_places_are_numbered_oldest_first_without_gaps(topic):
    article_unpublish(article=topic[0])
    places = list(
        TopicPosition.objects.filter(tag__slug="pay")
        .order_by("position")
        .values_list("article__title", "position")
    )
    assert places == [(f"Pay {n}", n) for n in range(1, 25)]


def test_a_scheduled_article_takes_its_place_at_its_time(client, now, topic):
    ScheduledArticleFactory(title="Later", topics=["Pay"])
    assert "Later" not in sum(every_page(client), [])
    later = Article.objects.get(title="Later")
    with time_machine.travel(later.published_at + timedelta(minutes=1), tick=False):
        pages = every_page(client)
    assert pages[0][0] == "Later"
    assert sum(pages, []) == ["Later", *(f"Pay {n}" for n in range(24, -1, -1))]


@pytest.mark.parametrize("number", [1, 3])
def test_topic_page_queries_whatever_the_depth(
    client, topic, django_assert_num_queries, number
):
    """A deep page costs what the first costs: no count, no OFFSET."""
    with django_assert_num_queries(3):
        # 1 the topic with its live count and description
        # 1 the page's articles by their places + authors
        # 1 topics of those articles
        response = client.get(topic_url(number))
    assert response.status_code == 200


def test_page_past_the_last_is_not_found(client, topic):
    assert client.get(topic_url(4)).status_code == 404
    assert client.get(topic_url(0)).status_code == 404
