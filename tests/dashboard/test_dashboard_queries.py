"""The dashboard costs a fixed number of queries, whatever the number of
articles, days of figures or editions: every section is one bounded query,
the titles of every table's articles one more (no query per row). Counted
with nothing kept (dashboard/memo.py), then within the minute the costly
sums are kept."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from audience.models import ArticleDay, SignupDay, SiteDay
from tests.factories import ArticleFactory, EditionFactory

pytestmark = pytest.mark.django_db

# The admin's own: session, user, the user's and their groups' permissions,
# and the sidebar's recent actions.
ADMIN = 5
REVIEW = 3  # the waiting list, how many wait, what is scheduled
NEXT_EDITION = 3  # the edition, its articles, how many receive it
LAST_EDITION = 1 + 2 + 1  # with delivery counts; outcomes; clicks per article
FIGURES = 2 + 1 + 1 + 1 + 1  # most read (7, 30 days), daily, sign-ups, searches, sites
TITLES = 1  # every figures table's article titles at once
EDITOR = ADMIN + REVIEW + NEXT_EDITION + LAST_EDITION + FIGURES + TITLES
# Kept a minute: the last edition's counts and outcomes, the most-read sums.
KEPT = 1 + 2 + 2
WRITER = ADMIN + REVIEW  # no newsletter, no figures: no titles to fetch either


@pytest.fixture
def many_more(seeded, now):
    """Forty more articles read every day of 60, more editions sent."""
    articles = [ArticleFactory() for _ in range(40)]
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in range(60)]
    ArticleDay.objects.bulk_create(
        ArticleDay(day=day, article=article, views=n + 1)
        for n, article in enumerate(articles)
        for day in days
    )
    SignupDay.objects.bulk_create(
        SignupDay(day=day, article=article, signups=1)
        for article in articles[:20]
        for day in days[:20]
    )
    SiteDay.objects.bulk_create(
        (SiteDay(day=day, views=5) for day in days[1:40]), ignore_conflicts=True
    )
    for weeks in range(2, 6):
        EditionFactory(
            status="sent",
            started_at=now - timedelta(weeks=weeks),
            articles=articles[weeks * 5 : weeks * 5 + 5],
        )


@pytest.mark.parametrize("size", ["few", "many"])
def test_editor_dashboard_queries(
    editor_client, seeded, request, size, django_assert_num_queries
):
    if size == "many":
        request.getfixturevalue("many_more")
    editor_client.get("/admin/")  # the session's first read is not counted
    cache.clear()

    with django_assert_num_queries(EDITOR):
        answer = editor_client.get("/admin/")
    with django_assert_num_queries(EDITOR - KEPT):
        editor_client.get("/admin/")

    assert answer.status_code == 200


@pytest.mark.parametrize("size", ["few", "many"])
def test_writer_dashboard_queries(
    writer_client, seeded, request, size, django_assert_num_queries
):
    if size == "many":
        request.getfixturevalue("many_more")
    writer_client.get("/admin/")

    with django_assert_num_queries(WRITER + 1):  # + their author profile
        answer = writer_client.get("/admin/")

    assert answer.status_code == 200
