"""The sign-up page sells the digest: what it is and when it comes, the latest
edition's articles, the past editions and, above the editors' threshold, the
rounded number of readers (issue 22, item 5)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from newsletter.models import Edition, NewsletterSettings
from newsletter.showcase import reader_count_floor
from reader import pagecache
from tests.factories import (
    ArticleFactory,
    EditionFactory,
    SubscriberFactory,
    make_subscribers,
)

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/newsletter/"
SENT_AT = datetime(2026, 6, 9, 9, 0, tzinfo=UTC)


def sent_edition(articles=(), *, days_ago=0, **kwargs):
    return EditionFactory(
        status=Edition.Status.SENT,
        started_at=SENT_AT - timedelta(days=days_ago),
        articles=articles,
        **kwargs,
    )


def threshold(value: int) -> None:
    row = NewsletterSettings.load()
    row.reader_count_threshold = value
    row.save()


def page_text(client) -> str:
    response = client.get(SIGNUP_URL)
    assert response.status_code == 200
    return response.text


# What the digest is and when it comes -------------------------------------------
@pytest.mark.parametrize(
    ("weekday", "at", "day", "shown"),
    [(1, "08:00", "Tuesday", "9:00"), (4, "17:30", "Friday", "18:30")],
)
def test_pitch_says_the_day_and_time_the_digest_comes(
    client, settings, weekday, at, day, shown
):
    """The time it arrives: made at NEWSLETTER_SEND_TIME, sent after the
    editors' review (the welcome mail says the same)."""
    settings.NEWSLETTER_SEND_WEEKDAY = weekday
    settings.NEWSLETTER_SEND_TIME = at
    settings.NEWSLETTER_REVIEW_MINUTES = 60
    settings.TIME_ZONE = "Europe/London"

    text = page_text(client)

    assert f"every {day}." in text
    assert f"Every {day}" in text
    assert f">{shown}</time> London time" in text


def test_page_carries_the_one_sign_up_form_with_its_consent_text(client):
    text = page_text(client)

    assert text.count('class="signup-form"') == 1
    assert 'action="/newsletter/"' in text
    assert "We will email you our weekly digest of new articles" in text
    assert "csrfmiddlewaretoken" not in text


# The latest edition and the past ones ---------------------------------------------
def test_latest_edition_shows_its_articles_with_summary_and_link(client):
    raise_article = ArticleFactory(
        title="Ask for the raise", excerpt="Bring numbers, not feelings."
    )
    cv_article = ArticleFactory(title="A CV in one page", excerpt="Cut the rest.")
    sent_edition([ArticleFactory(title="Old news")], days_ago=7, subject="Last week")
    latest = sent_edition([raise_article, cv_article], subject="Raises and CVs")

    text = page_text(client)

    assert "Raises and CVs" in text
    assert f'href="{latest.get_absolute_url()}"' in text
    for article, summary in [
        (raise_article, "Bring numbers, not feelings."),
        (cv_article, "Cut the rest."),
    ]:
        assert f'<a href="{article.get_absolute_url()}">{article.title}</a>' in text
        assert summary in text
    # In the edition's own order.
    assert text.index("Ask for the raise") < text.index("A CV in one page")
    assert "Old news" not in text  # only the latest edition's articles


def test_latest_edition_leaves_out_articles_no_longer_published(client):
    live = ArticleFactory(title="Still online")
    withdrawn = ArticleFactory(title="Taken down")
    sent_edition([live, withdrawn])
    withdrawn.status = "draft"
    withdrawn.save()

    text = page_text(client)

    assert "Still online" in text
    assert "Taken down" not in text


def test_a_long_edition_shows_its_first_articles_and_links_to_the_rest(client):
    articles = [ArticleFactory(title=f"Piece {n:02d}") for n in range(9)]
    edition = sent_edition(articles)

    text = page_text(client)

    assert "Piece 05" in text and "Piece 06" not in text
    assert "with 3 more articles" in text
    assert f'href="{edition.get_absolute_url()}"' in text


def test_past_editions_are_listed_newest_first_with_the_archive_linked(client):
    past = [sent_edition(subject=f"Edition {n}", days_ago=7 * n) for n in range(1, 8)]
    sent_edition(subject="This week's edition")

    text = page_text(client)

    shown = [edition for edition in past if edition.subject in text]
    assert [edition.subject for edition in shown] == [
        f"Edition {n}" for n in range(1, 6)
    ]
    for edition in shown:
        assert f'href="{edition.get_absolute_url()}"' in text
    assert f'href="{reverse("newsletter:editions")}"' in text


@pytest.mark.parametrize("status", ["draft", "scheduled"])
def test_editions_not_gone_out_are_not_shown(client, status):
    sent_edition(subject="Gone out", days_ago=7)
    EditionFactory(
        subject="Not yet sent",
        status=status,
        articles=[ArticleFactory(title="Coming soon")],
    )

    text = page_text(client)

    assert "Gone out" in text
    assert "Not yet sent" not in text and "Coming soon" not in text


def test_before_the_first_edition_the_page_says_when_it_comes(client):
    text = page_text(client)

    assert "No edition has gone out yet" in text
    assert "In the latest edition" not in text


# The number of readers ------------------------------------------------------------
@pytest.mark.parametrize(
    ("count", "floor"),
    [
        (0, None),
        (1, None),
        (10, None),  # "more than 0" says nothing
        (11, 10),
        (20, 10),  # never the exact count
        (21, 20),
        (99, 90),
        (100, 90),
        (101, 100),
        (987, 980),
        (1000, 990),
        (1001, 1000),
        (1200, 1100),
        (1201, 1200),
        (1234, 1200),
        (10_000, 9900),
        (10_001, 10_000),
        (1_234_567, 1_200_000),
    ],
)
def test_reader_count_is_rounded_down_below_the_true_count(count, floor):
    assert reader_count_floor(count) == floor


def test_rounded_count_is_always_below_the_count_and_within_ten_percent():
    for count in range(11, 30_000):
        floor = reader_count_floor(count)
        assert floor < count
        assert count - floor <= max(10, count // 10), count


@pytest.mark.parametrize(
    ("readers", "minimum", "shown"),
    [
        (24, 25, None),  # one short of the threshold
        (25, 25, "more than 20 readers"),
        (26, 25, "more than 20 readers"),
        (1234, 1000, "more than 1,200 readers"),
    ],
)
def test_reader_count_shows_from_the_threshold(client, readers, minimum, shown):
    make_subscribers(readers)
    threshold(minimum)

    text = page_text(client)

    if shown:
        assert f"Join {shown}" in text
    else:
        assert "readers</strong>" not in text


def test_threshold_zero_never_shows_the_count(client):
    make_subscribers(5000)
    threshold(0)

    assert "readers</strong>" not in page_text(client)


def test_only_confirmed_subscribers_count_as_readers(client):
    make_subscribers(15)
    make_subscribers(30, status="pending", name="pending")
    SubscriberFactory(email="gone@example.com", status="unsubscribed")
    threshold(20)

    assert "readers</strong>" not in page_text(client)

    make_subscribers(10, name="late")
    threshold(25)  # saving the settings refreshes the page
    assert "Join more than 20 readers" in page_text(client)


def test_a_bad_address_gets_the_whole_page_again_with_the_message(client):
    sent_edition([ArticleFactory(title="Ask for the raise")], subject="Raises")

    response = client.post(SIGNUP_URL, {"email": "not an address"})

    assert response.status_code == 400
    assert 'class="signup-form__error"' in response.text
    assert "Ask for the raise" in response.text
    assert "no-cache" in response["Cache-Control"]


# Queries and the page cache --------------------------------------------------------
def editions_with(articles_each: int, editions: int) -> None:
    for number in range(editions):
        sent_edition(
            [ArticleFactory() for _ in range(articles_each)],
            days_ago=7 * number,
        )


@pytest.mark.parametrize(("articles_each", "editions"), [(1, 1), (12, 9)])
def test_page_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, articles_each, editions
):
    """However many editions, articles and readers: no query per row."""
    editions_with(articles_each, editions)
    make_subscribers(600)
    threshold(500)

    # 1 settings row, 1 count of readers, 1 latest editions, 1 the latest
    # one's live articles with their authors
    with django_assert_max_num_queries(4):
        text = page_text(client)
    assert "Join more than 590 readers" in text


def test_page_without_a_threshold_does_not_count_readers(
    client, django_assert_max_num_queries
):
    editions_with(3, 2)
    threshold(0)

    # 1 settings row, 1 latest editions, 1 the latest one's articles
    with django_assert_max_num_queries(3):
        page_text(client)


@pytest.fixture
def page_cache(settings):
    """The page cache on (per process, its generation in the database)."""
    settings.PAGE_CACHE_SECONDS = 600
    pagecache.page_cache().clear()
    yield
    pagecache.page_cache().clear()


def test_page_is_served_from_the_page_cache(
    client, page_cache, django_assert_num_queries
):
    edition = sent_edition([ArticleFactory()], subject="Raises")
    threshold(10)
    page_text(client)
    # Changed behind the cache's back (no signal): the stored copy is served,
    # with no query at all.
    Edition.objects.filter(pk=edition.pk).update(subject="Changed quietly")
    make_subscribers(50)

    with django_assert_num_queries(0):
        text = page_text(client)
    assert "Raises" in text
    assert "readers</strong>" not in text


def test_page_is_fresh_at_once_when_an_edition_goes_out(client, page_cache):
    sent_edition(subject="Last week", days_ago=7)
    going_out = EditionFactory(
        subject="This week: raises",
        status="scheduled",
        articles=[ArticleFactory(title="Ask for the raise")],
    )
    assert "This week: raises" not in page_text(client)

    # Sending moves editions on with queryset updates, not save().
    Edition.objects.filter(pk=going_out.pk).update(
        status=Edition.Status.SENDING, started_at=SENT_AT
    )

    text = page_text(client)
    assert "This week: raises" in text and "Ask for the raise" in text


def test_page_is_fresh_at_once_when_the_editors_change_the_threshold(
    client, page_cache
):
    make_subscribers(300)
    threshold(500)
    assert "readers</strong>" not in page_text(client)

    threshold(200)
    assert "Join more than 290 readers" in page_text(client)

    threshold(0)
    assert "readers</strong>" not in page_text(client)
