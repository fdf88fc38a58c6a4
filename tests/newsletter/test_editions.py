from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from newsletter import editions
from newsletter.models import Edition
from tests.factories import ArticleFactory, EditionFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

# Tuesdays at 08:00 in London (BST, UTC+1) are the configured send moments.
TUESDAY_0800 = datetime(2026, 6, 16, 7, 0, tzinfo=UTC)
LAST_TUESDAY_0800 = TUESDAY_0800 - timedelta(days=7)


@pytest.fixture
def previous_edition():
    return EditionFactory(
        status=Edition.Status.SENT,
        period_start=LAST_TUESDAY_0800 - timedelta(days=7),
        period_end=LAST_TUESDAY_0800,
    )


def published(when, **kwargs):
    return ArticleFactory(published_at=when, **kwargs)


def test_latest_send_moment_is_the_configured_weekday_and_local_time():
    just_before = TUESDAY_0800 - timedelta(seconds=1)

    assert editions.latest_send_moment(TUESDAY_0800) == TUESDAY_0800
    assert editions.latest_send_moment(just_before) == LAST_TUESDAY_0800
    assert editions.latest_send_moment(TUESDAY_0800 + timedelta(days=6)) == (
        TUESDAY_0800
    )


def test_winter_time_keeps_the_local_hour():
    # 8:00 in London in January is 8:00 UTC.
    january_tuesday = datetime(2026, 1, 13, 9, 0, tzinfo=UTC)

    moment = editions.latest_send_moment(january_tuesday)

    assert moment == datetime(2026, 1, 13, 8, 0, tzinfo=UTC)


def test_week_edition_collects_articles_since_the_previous_one(previous_edition):
    old = published(LAST_TUESDAY_0800 - timedelta(hours=1))
    first = published(LAST_TUESDAY_0800 + timedelta(hours=1), title="First")
    second = published(TUESDAY_0800 - timedelta(hours=1), title="Second")
    published(TUESDAY_0800 - timedelta(hours=2), status="draft")
    too_late = TUESDAY_0800 + timedelta(minutes=5)

    with time_machine.travel(TUESDAY_0800 + timedelta(minutes=10), tick=False):
        published(too_late)  # belongs to next week
        edition = editions.edition_create_due()

    assert edition.period_start == LAST_TUESDAY_0800
    assert edition.period_end == TUESDAY_0800
    assert [entry.article for entry in edition.edition_articles.all()] == [
        second,
        first,
    ]
    assert old not in [entry.article for entry in edition.edition_articles.all()]
    assert edition.status == "scheduled"
    # Editors get the review time to edit it before it goes.
    assert edition.scheduled_for == TUESDAY_0800 + timedelta(minutes=70)


def test_nothing_is_created_before_the_weekday_and_time(previous_edition):
    published(TUESDAY_0800 - timedelta(days=2))

    with time_machine.travel(TUESDAY_0800 - timedelta(minutes=1), tick=False):
        assert editions.edition_create_due() is None

    assert Edition.objects.count() == 1


def test_creating_is_idempotent(previous_edition):
    published(TUESDAY_0800 - timedelta(days=2))

    with time_machine.travel(TUESDAY_0800 + timedelta(minutes=3), tick=False):
        first = editions.edition_create_due()
        again = editions.edition_create_due()
        call_command("send_newsletter")

    assert first is not None
    assert again is None
    assert Edition.objects.count() == 2


def test_week_without_articles_is_skipped_and_next_week_covers_both(
    previous_edition,
):
    with time_machine.travel(TUESDAY_0800 + timedelta(minutes=3), tick=False):
        assert editions.edition_create_due() is None
    article = published(TUESDAY_0800 + timedelta(days=1))

    with time_machine.travel(TUESDAY_0800 + timedelta(days=7, minutes=3), tick=False):
        edition = editions.edition_create_due()

    assert edition.period_start == LAST_TUESDAY_0800
    assert [entry.article for entry in edition.edition_articles.all()] == [article]


def test_empty_week_gets_an_edition_when_skipping_is_off(previous_edition, settings):
    settings.NEWSLETTER_SKIP_EMPTY_WEEKS = False

    with time_machine.travel(TUESDAY_0800 + timedelta(minutes=3), tick=False):
        edition = editions.edition_create_due()

    assert edition is not None
    assert edition.edition_articles.count() == 0


def test_first_edition_covers_the_past_week():
    article = published(TUESDAY_0800 - timedelta(days=3))
    published(TUESDAY_0800 - timedelta(days=8))

    with time_machine.travel(TUESDAY_0800 + timedelta(hours=1), tick=False):
        edition = editions.edition_create_due()

    assert [entry.article for entry in edition.edition_articles.all()] == [article]


def test_cron_creates_then_sends_after_the_review_time(previous_edition, mailoutbox):
    SubscriberFactory(email="reader@example.com")
    published(TUESDAY_0800 - timedelta(days=1), title="Fresh advice")

    with time_machine.travel(TUESDAY_0800 + timedelta(minutes=5), tick=False):
        call_command("send_newsletter")
    assert mailoutbox == []  # created, waiting for editors
    with time_machine.travel(TUESDAY_0800 + timedelta(minutes=70), tick=False):
        call_command("send_newsletter")
        call_command("send_newsletter")

    assert len(mailoutbox) == 1
    assert "Fresh advice" in mailoutbox[0].body
    assert Edition.objects.get(period_end=TUESDAY_0800).status == "sent"


def test_schedule_and_unschedule_only_before_sending(db_tasks):
    edition = EditionFactory()
    when = TUESDAY_0800

    assert editions.edition_schedule(edition=edition, when=when)
    edition.refresh_from_db()
    assert (edition.status, edition.scheduled_for) == ("scheduled", when)
    assert editions.edition_schedule(edition=edition, when=None)
    edition.refresh_from_db()
    assert edition.status == "draft"

    Edition.objects.filter(pk=edition.pk).update(status="sending")
    assert not editions.edition_schedule(edition=edition, when=when)
    assert not editions.edition_update(
        edition=edition, subject="Changed", intro="", scheduled_for=when
    )
    edition.refresh_from_db()
    assert edition.status == "sending"
    assert edition.subject != "Changed"
