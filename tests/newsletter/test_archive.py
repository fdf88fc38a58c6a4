from datetime import UTC, datetime

import pytest

from newsletter.models import Edition
from tests.factories import ArticleFactory, EditionFactory

pytestmark = pytest.mark.django_db

SENT_AT = datetime(2026, 6, 9, 7, 0, tzinfo=UTC)


def sent_edition(articles=(), **kwargs):
    return EditionFactory(
        status=Edition.Status.SENT, started_at=SENT_AT, articles=articles, **kwargs
    )


def test_sent_edition_is_readable_in_the_browser(client):
    article = ArticleFactory(title="Negotiating your first raise")
    edition = sent_edition([article], subject="Raises and reviews")

    response = client.get(f"/newsletter/editions/{edition.pk}/")

    assert response.status_code == 200
    assert "Raises and reviews" in response.text
    assert "Here is what we wrote this week." in response.text
    assert article.get_absolute_url() in response.text
    assert "public" in response["Cache-Control"]


@pytest.mark.parametrize("status", ["draft", "scheduled"])
def test_editions_not_yet_sending_are_not_public(client, status):
    edition = EditionFactory(status=status, subject="Secret draft")

    detail = client.get(f"/newsletter/editions/{edition.pk}/")
    listing = client.get("/newsletter/editions/")

    assert detail.status_code == 404
    assert "Secret draft" not in listing.text


def test_edition_being_sent_is_already_readable(client):
    edition = EditionFactory(status="sending", started_at=SENT_AT)

    assert client.get(f"/newsletter/editions/{edition.pk}/").status_code == 200


def test_unpublished_article_disappears_from_the_archive(client):
    live = ArticleFactory(title="Still live")
    withdrawn = ArticleFactory(title="Withdrawn later")
    edition = sent_edition([live, withdrawn])
    withdrawn.status = "draft"
    withdrawn.save()

    response = client.get(edition.get_absolute_url())

    assert "Still live" in response.text
    assert "Withdrawn later" not in response.text


def test_archive_list_shows_sent_editions_newest_first(client):
    older = sent_edition(subject="Older one")
    newer = sent_edition(subject="Newer one")
    Edition.objects.filter(pk=older.pk).update(started_at=SENT_AT.replace(day=2))

    response = client.get("/newsletter/editions/")

    assert response.text.index(newer.subject) < response.text.index(older.subject)


@pytest.mark.parametrize("count", [1, 12])
def test_edition_page_query_budget(client, django_assert_num_queries, count):
    articles = ArticleFactory.create_batch(count, topics=["interviews", "cv"])
    edition = sent_edition(articles)

    # 1 edition, 1 entries with articles and authors, 1 topics of the articles
    with django_assert_num_queries(3):
        response = client.get(edition.get_absolute_url())

    assert response.text.count('class="card__title"') == count


@pytest.mark.parametrize("count", [1, 30])
def test_edition_list_query_budget(client, django_assert_num_queries, count):
    for _ in range(count):
        sent_edition()

    # 1 count for the paginator, 1 page of editions
    with django_assert_num_queries(2):
        response = client.get("/newsletter/editions/")

    assert response.text.count('class="edition-card"') == min(count, 20)
