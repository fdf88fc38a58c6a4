"""Clicks arriving together on one counter, on PostgreSQL (SQLite runs one
writer): each is counted once, the first ones racing to create the row."""

import pytest
from django.test import Client

from newsletter.clicks import click_url, edition_click_count
from newsletter.models import Edition, EditionClick
from tests.factories import ArticleFactory, EditionFactory
from tests.newsletter.test_concurrency import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CLICKS = 20


@pytest.fixture(autouse=True)
def _needs_postgres(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (concurrent writers)")


def test_clicks_at_the_same_moment_are_each_counted_once(settings):
    settings.NEWSLETTER_CLICK_RATE_LIMIT = "1000/hour"
    article = ArticleFactory()
    edition = EditionFactory(status=Edition.Status.SENT, articles=[article])
    url = click_url(edition_id=edition.pk, article_id=article.pk)
    path = url.removeprefix(settings.SITE_URL)

    def click(index):
        response = Client().get(
            path, headers={"User-Agent": BROWSER}, REMOTE_ADDR=f"192.0.2.{index}"
        )
        return response.status_code

    assert run_together(CLICKS, click) == [302] * CLICKS
    assert EditionClick.objects.get(edition=edition, article=article).clicks == CLICKS


def test_first_clicks_racing_to_create_the_row_are_all_counted():
    """Without the request around it, the threads meet at the INSERT."""
    article = ArticleFactory()
    edition = EditionFactory(status=Edition.Status.SENT, articles=[article])

    for _ in range(5):  # a fresh row each round: the race is at its creation
        EditionClick.objects.all().delete()
        run_together(
            CLICKS,
            lambda index: edition_click_count(
                edition_id=edition.pk, article_id=article.pk
            ),
        )
        assert EditionClick.objects.get().clicks == CLICKS
