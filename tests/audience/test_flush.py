"""Batches: counts held in the process, written by upserts that add."""

from datetime import date, timedelta

import pytest
import time_machine

from audience import flush as flushing
from audience.buffer import Buffer
from audience.events import Hit
from audience.flush import flush, write
from audience.models import ArticleDay, SiteDay, VisitorMark
from tests.factories import NOW, ArticleFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


def test_counts_add_up_across_batches(now, send):
    article = ArticleFactory()
    for _ in range(3):
        send(article=article.pk)
    first = flush()
    for _ in range(2):
        send(article=article.pk)
    second = flush()

    assert (first.views, second.views) == (3, 2)
    assert ArticleDay.objects.get(day=TODAY, article=article).views == 5
    assert SiteDay.objects.get(day=TODAY).views == 5


def test_a_beacon_makes_no_query_once_the_days_salt_is_known(
    now, send, django_assert_num_queries
):
    article = ArticleFactory()
    send(article=article.pk)  # the day's salt: made and remembered

    with django_assert_num_queries(0):
        send(article=article.pk)


def test_a_batch_is_one_statement_per_table_whatever_the_views(now, send):
    articles = ArticleFactory.create_batch(3)
    for number in range(30):
        send(
            article=articles[number % 3].pk,
            referrer=f"site{number % 4}.example",
            address=f"198.51.100.{number}",
        )
    send(page="search", search="salary", found="0")

    report = flush()

    # ArticleDay, the marks, SiteDay, ReferrerDay, SearchDay.
    assert report.statements == 5
    assert report.views == 31


def test_the_buffer_asks_to_be_written_at_its_size_or_age():
    seconds = [100.0]
    buffer = Buffer(max_events=3, max_seconds=5, clock=lambda: seconds[0])
    assert buffer.add(TODAY, Hit(), "a") is False
    assert buffer.add(TODAY, Hit(), "b") is False
    assert buffer.add(TODAY, Hit(), "c") is True
    assert buffer.take().events == 3
    assert buffer.add(TODAY, Hit(), "d") is False
    seconds[0] += 4.9
    assert buffer.due() is False
    seconds[0] += 0.2
    assert buffer.due() is True


def test_a_full_batch_is_written_by_the_beacon_that_fills_it(now, send, settings):
    article = ArticleFactory()
    small = Buffer(max_events=4, max_seconds=3600)
    settings.AUDIENCE_VIEWS_PER_MINUTE = 100
    original, flushing.buffer = flushing.buffer, small
    try:
        for _ in range(4):
            send(article=article.pk)
    finally:
        flushing.buffer = original

    assert ArticleDay.objects.get(article=article).views == 4
    assert len(small) == 0


def test_visitors_are_counted_once_per_client_per_day(now, send):
    article = ArticleFactory()
    for _ in range(3):
        send(article=article.pk)  # one reader, three pages
    send(article=article.pk, address="198.51.100.2")  # another
    flush()
    send(article=article.pk)  # the first again, in a later batch
    flush()

    assert SiteDay.objects.get(day=TODAY).visitors == 2
    assert VisitorMark.objects.filter(day=TODAY).count() == 2


def test_another_browser_on_one_address_is_another_visitor(now, send):
    send(ua="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1")
    send()
    flush()

    assert SiteDay.objects.get(day=TODAY).visitors == 2


def test_a_batch_that_cannot_be_written_is_dropped_and_logged(
    now, send, monkeypatch, caplog
):
    send(article=ArticleFactory().pk)

    def broken(batch):
        raise RuntimeError("database down")

    monkeypatch.setattr(flushing, "write", broken)
    assert flush() is None

    assert "1 view(s) could not be written" in caplog.text
    assert len(flushing.buffer) == 0


def test_write_keeps_each_view_on_the_day_it_was_made(now, send):
    article = ArticleFactory()
    send(article=article.pk)
    batch = flushing.buffer.take()
    # Written the next morning (a process held it over midnight).
    with time_machine.travel(NOW + timedelta(hours=12), tick=False):
        write(batch)

    assert list(ArticleDay.objects.values_list("day", "views")) == [(TODAY, 1)]
