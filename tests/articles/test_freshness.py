from datetime import UTC, date, datetime

import pytest
import time_machine
from django.contrib import admin
from django.test import RequestFactory

from articles.models import Article
from desk.admin_filters import ReviewFreshnessFilter, a_year_before
from tests.factories import NOW, ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_time():
    # NOW is 15 June 2026: "the last 12 months" began on 15 June 2025.
    with time_machine.travel(NOW, tick=False):
        yield


def test_article_page_shows_when_it_was_last_reviewed(client):
    article = ArticleFactory(reviewed_at=date(2026, 3, 2))

    response = client.get(article.get_absolute_url())

    assert 'Reviewed on <time datetime="2026-03-02">2 Mar 2026</time>' in response.text


def test_never_reviewed_article_shows_no_review_date(client):
    article = ArticleFactory(reviewed_at=None)

    assert "Reviewed on" not in client.get(article.get_absolute_url()).text


def test_date_modified_is_the_latest_of_publish_update_and_review():
    published = datetime(2025, 1, 1, 9, tzinfo=UTC)
    article = Article(published_at=published)
    assert article.date_modified == published

    article.reviewed_at = date(2025, 6, 1)
    assert article.date_modified.date() == date(2025, 6, 1)

    article.updated_at = datetime(2025, 7, 1, 9, tzinfo=UTC)
    assert article.date_modified == article.updated_at

    assert Article().date_modified is None


@pytest.fixture
def review_states():
    return {
        "never": ArticleFactory(reviewed_at=None),
        "13 months ago": ArticleFactory(reviewed_at=date(2025, 5, 14)),
        "a day over a year ago": ArticleFactory(reviewed_at=date(2025, 6, 14)),
        "exactly a year ago": ArticleFactory(reviewed_at=date(2025, 6, 15)),
        "last month": ArticleFactory(reviewed_at=date(2026, 5, 15)),
    }


def changelist_results(params):
    """The admin change list of articles, filtered as an editor would."""

    class ArticleListAdmin(admin.ModelAdmin):
        list_filter = [ReviewFreshnessFilter]

    request = RequestFactory().get("/admin/articles/article/", params)
    request.user = UserFactory(is_staff=True, is_superuser=True)
    changelist = ArticleListAdmin(Article, admin.site).get_changelist_instance(request)
    return set(changelist.get_queryset(request)), changelist


def test_admin_filter_lists_articles_not_reviewed_in_the_last_12_months(review_states):
    results, _ = changelist_results({"review": "stale"})

    assert results == {
        review_states["never"],
        review_states["13 months ago"],
        review_states["a day over a year ago"],
    }


def test_admin_filter_offers_its_choice_and_changes_nothing_when_unset(review_states):
    results, changelist = changelist_results({})

    assert results == set(review_states.values())
    [spec] = changelist.filter_specs
    assert spec.lookup_choices == [("stale", "Not reviewed in the last 12 months")]


def test_a_year_before_a_leap_day_is_the_28th_of_february():
    assert a_year_before(date(2028, 2, 29)) == date(2027, 2, 28)
    assert a_year_before(date(2026, 6, 15)) == date(2025, 6, 15)
