"""Readers' figures, editions and review items for the dashboard's tests:
what each section should show is worked out in the tests from these."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from audience.models import ArticleDay, ReferrerDay, SearchDay, SignupDay, SiteDay
from newsletter.models import Delivery, EditionClick
from tests.factories import (
    ArticleFactory,
    DraftArticleFactory,
    EditionFactory,
    SubscriberFactory,
)


@dataclass
class Seeded:
    salary: object  # most read over 30 days, brought 2 sign-ups
    cv: object  # most read over 7 days
    old: object  # read 40 days ago only
    own_draft: object  # the writer's, waiting for review
    other_draft: object  # the other writer's, waiting for review
    own_soon: object  # the writer's, live in 3 days
    other_soon: object  # the other writer's, live in 2 days
    later: object  # live in 10 days
    last: object  # the edition that went out 5 days ago
    upcoming: object  # the edition scheduled for tomorrow


def _day(days_ago: int):
    return timezone.localdate() - timedelta(days=days_ago)


def _articles(writer, other_writer, now):
    salary = ArticleFactory(title="Salary talks that work")
    cv = ArticleFactory(title="Five CV fixes")
    old = ArticleFactory(title="An old favourite")
    ArticleDay.objects.bulk_create(
        [
            ArticleDay(day=_day(0), article=salary, views=5),
            ArticleDay(day=_day(3), article=salary, views=10),
            ArticleDay(day=_day(20), article=salary, views=100),
            ArticleDay(day=_day(0), article=cv, views=40),
            ArticleDay(day=_day(40), article=old, views=1000),
        ]
    )
    waiting = {"review_requested_at": now - timedelta(hours=5)}
    own_draft = DraftArticleFactory(
        title="Wanda's draft", author=writer.author, **waiting
    )
    other_draft = DraftArticleFactory(
        title="Walt's draft",
        author=other_writer.author,
        review_requested_at=now - timedelta(days=1),
    )
    own_soon = ArticleFactory(
        title="Wanda's coming piece",
        author=writer.author,
        published_at=now + timedelta(days=3),
    )
    other_soon = ArticleFactory(
        title="Walt's coming piece",
        author=other_writer.author,
        published_at=now + timedelta(days=2),
    )
    later = ArticleFactory(title="Far ahead", published_at=now + timedelta(days=10))
    return salary, cv, old, own_draft, other_draft, own_soon, other_soon, later


def _site_figures(salary, cv):
    SiteDay.objects.bulk_create(
        [
            SiteDay(day=_day(0), views=300, visitors=120, signups=2),
            SiteDay(day=_day(10), views=100, visitors=50, signups=1),
            SiteDay(day=_day(45), views=9999, visitors=999, signups=99),
        ]
    )
    SignupDay.objects.bulk_create(
        [
            SignupDay(day=_day(0), article=salary, signups=2),
            SignupDay(day=_day(10), article=cv, signups=1),
        ]
    )
    SearchDay.objects.bulk_create(
        [
            SearchDay(day=_day(0), term="remote work", searches=5, empty=3),
            SearchDay(day=_day(1), term="remote work", searches=2, empty=2),
            SearchDay(day=_day(0), term="=cmd", searches=1, empty=1),
            SearchDay(day=_day(0), term="cv", searches=10, empty=0),
        ]
    )
    ReferrerDay.objects.bulk_create(
        [
            ReferrerDay(day=_day(0), domain="news.example", views=25),
            ReferrerDay(day=_day(2), domain="social.example", views=7),
        ]
    )


def _editions(salary, cv, now):
    last = EditionFactory(
        subject="Last week's digest",
        status="sent",
        started_at=now - timedelta(days=5),
        articles=[salary, cv],
    )
    EditionClick.objects.create(edition=last, article=salary, clicks=12)
    readers = [SubscriberFactory() for _ in range(3)]
    leaver = SubscriberFactory(
        status="unsubscribed", unsubscribed_at=now - timedelta(days=4)
    )
    SubscriberFactory(status="pending", confirmed_at=None)
    for subscriber in [*readers, leaver]:
        Delivery.objects.create(
            edition=last,
            subscriber=subscriber,
            status=Delivery.Status.SENT,
            sent_at=now - timedelta(days=5),
        )
    upcoming = EditionFactory(
        subject="Tomorrow's digest",
        status="scheduled",
        scheduled_for=now + timedelta(days=1),
        articles=[cv],
    )
    return last, upcoming


def seed(*, writer, other_writer, now) -> Seeded:
    articles = _articles(writer, other_writer, now)
    _site_figures(articles[0], articles[1])
    last, upcoming = _editions(articles[0], articles[1], now)
    return Seeded(*articles, last=last, upcoming=upcoming)
