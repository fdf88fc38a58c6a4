"""An article reaches subscribers once, whichever way it went out (issue 20
item 1): the weekly job starts its week where the last edition that went out
ends, made by hand or not, and "Send now" says what it does to another
scheduled edition."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from newsletter import editions
from newsletter.models import Edition
from tests.factories import ArticleFactory, EditionFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

# Tuesdays at 08:00 in London (BST, UTC+1) are the configured send moments.
TUESDAY_0800 = datetime(2026, 6, 16, 7, 0, tzinfo=UTC)
LAST_TUESDAY_0800 = TUESDAY_0800 - timedelta(days=7)
MONDAY_1000 = TUESDAY_0800 - timedelta(hours=22)
EDITIONS = "/admin/newsletter/edition/"


@pytest.fixture
def last_weekly():
    return EditionFactory(
        status=Edition.Status.SENT,
        started_at=LAST_TUESDAY_0800 + timedelta(hours=1),
        period_start=LAST_TUESDAY_0800 - timedelta(days=7),
        period_end=LAST_TUESDAY_0800,
    )


@pytest.fixture
def week(last_weekly):
    """Four articles published this week."""
    return [
        ArticleFactory(
            title=f"This week {n}",
            published_at=LAST_TUESDAY_0800 + timedelta(days=n, hours=2),
        )
        for n in range(4)
    ]


def article_titles(edition):
    return [entry.article.title for entry in edition.edition_articles.all()]


def send_by_hand(at, *, subject="Sent by hand"):
    """An editor's own edition: this week's articles added, then Send now."""
    with time_machine.travel(at, tick=False):
        edition = EditionFactory(subject=subject)
        editions.edition_add_week_articles(edition=edition)
        editions.edition_schedule(edition=edition, when=at)  # sends (immediate)
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT
    return edition


def test_weekly_job_repeats_nothing_sent_by_hand(week, mailoutbox):
    SubscriberFactory(email="reader@example.com")
    by_hand = send_by_hand(MONDAY_1000)
    assert len(article_titles(by_hand)) == 4
    later = ArticleFactory(
        title="After the hand-made one", published_at=MONDAY_1000 + timedelta(hours=3)
    )

    with time_machine.travel(TUESDAY_0800 + timedelta(minutes=1), tick=False):
        weekly = editions.edition_create_due()

    # The week starts where the hand-made edition's contents end.
    assert weekly.period_start == MONDAY_1000
    assert article_titles(weekly) == [later.title]


def test_no_weekly_edition_when_everything_went_out_by_hand(week, mailoutbox):
    SubscriberFactory(email="reader@example.com")
    send_by_hand(TUESDAY_0800 - timedelta(minutes=30))

    with time_machine.travel(TUESDAY_0800 + timedelta(minutes=1), tick=False):
        assert editions.edition_create_due() is None

    assert Edition.objects.count() == 2


def test_hand_made_edition_sent_after_the_weekly_moment_covers_that_week(
    week, mailoutbox
):
    # The clock was down at 08:00; the editor sent the week by hand at 09:00.
    send_by_hand(TUESDAY_0800 + timedelta(hours=1))

    with time_machine.travel(TUESDAY_0800 + timedelta(hours=1, minutes=5)):
        assert editions.edition_create_due() is None


def test_an_article_already_sent_never_goes_in_a_weekly_edition(last_weekly):
    # Went out by hand on Saturday, then re-dated by an editor to Monday.
    article = ArticleFactory(
        title="Re-dated", published_at=MONDAY_1000 - timedelta(days=2)
    )
    EditionFactory(
        status=Edition.Status.SENT,
        started_at=MONDAY_1000 - timedelta(days=2, hours=-1),
        articles=[article],
    )
    type(article).objects.filter(pk=article.pk).update(published_at=MONDAY_1000)
    other = ArticleFactory(title="New", published_at=MONDAY_1000)

    with time_machine.travel(TUESDAY_0800 + timedelta(minutes=1), tick=False):
        weekly = editions.edition_create_due()

    assert article_titles(weekly) == [other.title]


# Send now, with another edition scheduled --------------------------------------
@pytest.fixture
def weekly_scheduled(week):
    with time_machine.travel(TUESDAY_0800 + timedelta(minutes=1), tick=False):
        weekly = editions.edition_create_due()
    assert weekly.status == Edition.Status.SCHEDULED
    return weekly


def test_send_now_says_the_scheduled_weekly_edition_goes_back_to_draft(
    admin_client, weekly_scheduled, week, mailoutbox
):
    SubscriberFactory(email="reader@example.com")
    at = TUESDAY_0800 + timedelta(minutes=20)
    with time_machine.travel(at, tick=False):
        by_hand = EditionFactory(subject="Our own", articles=week)
        page = admin_client.get(f"{EDITIONS}{by_hand.pk}/send-now/")
        assert page.status_code == 200
        assert f"“{weekly_scheduled}”, scheduled for" in page.text
        assert "<strong>goes back to draft</strong>" in page.text

        admin_client.post(f"{EDITIONS}{by_hand.pk}/send-now/")

    weekly_scheduled.refresh_from_db()
    assert weekly_scheduled.status == Edition.Status.DRAFT
    assert weekly_scheduled.scheduled_for is None
    assert article_titles(weekly_scheduled) == []
    assert len(mailoutbox) == 1  # the hand-made edition, once


def test_send_now_says_the_weekly_edition_keeps_the_rest(
    admin_client, weekly_scheduled, week, mailoutbox
):
    SubscriberFactory(email="reader@example.com")
    with time_machine.travel(TUESDAY_0800 + timedelta(minutes=20), tick=False):
        by_hand = EditionFactory(subject="Our own", articles=week[:1])
        page = admin_client.get(f"{EDITIONS}{by_hand.pk}/send-now/")
        assert (
            "<strong>stays scheduled without the 1 article this edition sends "
            "now</strong>, so nobody gets it twice"
        ) in page.text
        admin_client.post(f"{EDITIONS}{by_hand.pk}/send-now/")

    weekly_scheduled.refresh_from_db()
    assert weekly_scheduled.status == Edition.Status.SCHEDULED
    assert week[0].title not in article_titles(weekly_scheduled)
    assert len(article_titles(weekly_scheduled)) == 3


def test_send_now_warns_that_a_scheduled_hand_made_edition_repeats_articles(
    admin_client, week
):
    at = TUESDAY_0800 + timedelta(minutes=20)
    other = EditionFactory(
        subject="Also by hand",
        status=Edition.Status.SCHEDULED,
        scheduled_for=at + timedelta(days=1),
        articles=week[:2],
    )
    with time_machine.travel(at, tick=False):
        edition = EditionFactory(subject="Ours", articles=week)
        page = admin_client.get(f"{EDITIONS}{edition.pk}/send-now/")

    assert f"“{other}”, scheduled for" in page.text
    assert "goes out at its time as it is, with 2 articles this edition" in page.text
    assert "subscribers would get them twice" in page.text
