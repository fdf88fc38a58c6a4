"""The dashboard's read API (audience/figures.py)."""

from datetime import date, timedelta

import pytest
import time_machine

from audience import figures
from audience.models import ArticleDay, ReferrerDay, SearchDay, SignupDay, SiteDay
from tests.factories import NOW, ArticleFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def test_most_read_sums_the_period_only():
    old, new = ArticleFactory(), ArticleFactory()
    ArticleDay.objects.create(day=ago(0), article=new, views=5)
    ArticleDay.objects.create(day=ago(6), article=old, views=4)
    ArticleDay.objects.create(day=ago(6), article=new, views=1)
    ArticleDay.objects.create(day=ago(7), article=old, views=100)

    assert figures.most_read(7) == [(new.pk, 6), (old.pk, 4)]
    assert figures.most_read(8) == [(old.pk, 104), (new.pk, 6)]
    assert figures.most_read(7, limit=1) == [(new.pk, 6)]


def test_daily_totals_has_every_day_with_zeros():
    SiteDay.objects.create(day=ago(1), views=10, visitors=4, signups=1)

    totals = figures.daily_totals(3)

    assert [(t.day, t.views, t.visitors, t.signups) for t in totals] == [
        (ago(2), 0, 0, 0),
        (ago(1), 10, 4, 1),
        (ago(0), 0, 0, 0),
    ]


def test_referrers_searches_and_signups_by_article():
    article = ArticleFactory()
    ReferrerDay.objects.create(day=ago(0), domain="example.org", views=3)
    ReferrerDay.objects.create(day=ago(2), domain="example.org", views=2)
    ReferrerDay.objects.create(day=ago(1), domain="news.example", views=4)
    SearchDay.objects.create(day=ago(0), term="cv", searches=5, empty=0)
    SearchDay.objects.create(day=ago(0), term="zebra", searches=2, empty=2)
    SignupDay.objects.create(day=ago(3), article=article, signups=2)

    assert figures.referrers(7) == [("example.org", 5), ("news.example", 4)]
    assert figures.empty_searches(7) == [("zebra", 2)]
    assert figures.searches(7) == [("cv", 5, 0), ("zebra", 2, 2)]
    assert figures.signups_by_article(7) == [(article.pk, 2)]
    assert figures.signups_by_article(3) == []


def test_article_daily_views_fills_missing_days():
    article = ArticleFactory()
    ArticleDay.objects.create(day=ago(1), article=article, views=7)

    assert figures.article_daily_views(article.pk, 3) == [
        (ago(2), 0),
        (ago(1), 7),
        (ago(0), 0),
    ]
