"""Sign-ups counted when confirmed, per day and per article they came from."""

from datetime import date, timedelta

import pytest
import time_machine

from audience.models import SignupDay, SiteDay
from audience.signups import article_of
from newsletter.models import Subscriber
from newsletter.subscribers import subscriber_confirm
from tests.factories import NOW, ArticleFactory, DraftArticleFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


def sign_up(source: str) -> Subscriber:
    return Subscriber.objects.create(
        email=f"reader{Subscriber.objects.count()}@example.com",
        status=Subscriber.Status.PENDING,
        source=source,
        signed_up_at=NOW - timedelta(hours=1),
    )


def confirm(subscriber, django_capture_on_commit_callbacks) -> bool:
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(NOW, tick=False):
            return subscriber_confirm(
                subscriber=subscriber, issued_at=NOW - timedelta(minutes=30)
            )


def test_a_confirmation_counts_a_sign_up_for_its_article(
    django_capture_on_commit_callbacks,
):
    article = ArticleFactory()
    subscriber = sign_up(article.get_absolute_url())

    assert confirm(subscriber, django_capture_on_commit_callbacks)

    assert SiteDay.objects.get(day=TODAY).signups == 1
    assert SignupDay.objects.get(day=TODAY, article=article).signups == 1


def test_a_second_click_counts_nothing(django_capture_on_commit_callbacks):
    article = ArticleFactory()
    subscriber = sign_up(article.get_absolute_url())
    confirm(subscriber, django_capture_on_commit_callbacks)

    assert not confirm(subscriber, django_capture_on_commit_callbacks)

    assert SiteDay.objects.get(day=TODAY).signups == 1
    assert SignupDay.objects.get().signups == 1


@pytest.mark.parametrize("source", ["/newsletter/", "", "/articles/no-such-one/"])
def test_a_sign_up_from_elsewhere_counts_for_the_site_only(
    source, django_capture_on_commit_callbacks
):
    confirm(sign_up(source), django_capture_on_commit_callbacks)

    assert SiteDay.objects.get(day=TODAY).signups == 1
    assert not SignupDay.objects.exists()


def test_only_a_live_article_is_an_articles_page():
    live = ArticleFactory()
    draft = DraftArticleFactory()

    assert article_of(live.get_absolute_url()) == live.pk
    assert article_of(live.get_absolute_url() + "?utm=x") == live.pk
    assert article_of(draft.get_absolute_url()) is None
    assert article_of("/topics/interviews/") is None
    assert article_of("not a path") is None
