"""Daily figures kept AudienceSettings.keep_days; the housekeeping task."""

from datetime import date, timedelta

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from audience.models import (
    ArticleDay,
    AudienceSettings,
    DaySalt,
    SearchDay,
    SiteDay,
    VisitorMark,
)
from audience.retention import figures_delete_expired
from audience.tasks import tidy_figures
from taskqueue.policy import start_recurring
from tests.factories import NOW, ArticleFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


def figures_on(day: date, article) -> None:
    SiteDay.objects.create(day=day, views=3)
    ArticleDay.objects.create(day=day, article=article, views=3)
    SearchDay.objects.create(day=day, term="cv", searches=1)


def test_figures_older_than_the_editors_days_are_deleted():
    settings_row = AudienceSettings.load()
    settings_row.keep_days = 30
    settings_row.save()
    article = ArticleFactory()
    for age in (0, 29, 30, 400):
        figures_on(TODAY - timedelta(days=age), article)

    deleted = figures_delete_expired(today=TODAY)

    assert deleted == 6
    kept = sorted(SiteDay.objects.values_list("day", flat=True))
    assert kept == [TODAY - timedelta(days=29), TODAY]
    assert ArticleDay.objects.count() == SearchDay.objects.count() == 2


def test_two_years_are_kept_by_default():
    article = ArticleFactory()
    figures_on(TODAY - timedelta(days=729), article)
    figures_on(TODAY - timedelta(days=730), article)

    figures_delete_expired(today=TODAY)

    assert list(SiteDay.objects.values_list("day", flat=True)) == [
        TODAY - timedelta(days=729)
    ]


def test_the_recurring_task_closes_days_expires_figures_and_runs_again(db_tasks):
    VisitorMark.objects.create(day=TODAY - timedelta(days=1), digest="a" * 32)
    DaySalt.objects.create(day=TODAY - timedelta(days=1), salt="s")
    SiteDay.objects.create(day=TODAY - timedelta(days=800), views=1)

    with time_machine.travel(NOW, tick=False):
        start_recurring()
        db_tasks.run()

    assert not VisitorMark.objects.exists()
    assert not DaySalt.objects.exists()
    assert SiteDay.objects.get().day == TODAY - timedelta(days=1)
    (done,) = [r for r in db_tasks.rows(tidy_figures) if r.status == "SUCCESSFUL"]
    assert done.return_value == "1 day(s) closed, 1 expired row(s) deleted"
    waiting = DBTaskResult.objects.get(
        task_path=tidy_figures.module_path, status="READY"
    )
    assert waiting.run_after == NOW + timedelta(minutes=30)


def test_the_privacy_page_says_what_is_counted_and_for_how_long(client):
    settings_row = AudienceSettings.load()
    settings_row.keep_days = 400
    settings_row.save()

    text = client.get("/privacy/").text

    assert "kept for 400 days" in text
    for promise in (
        "each article was read",
        "different visitors",
        "deleted",
        "by its name only",
        "searches found nothing",
        "sign-ups",
        "no cookie, no local storage",
        "Global Privacy Control or Do Not Track",
    ):
        assert promise in text, promise
