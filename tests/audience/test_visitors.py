"""Visitors per day: a salted hash kept only for its day, salt and all."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from audience import visitors
from audience.flush import flush
from audience.models import DaySalt, SiteDay, VisitorMark
from audience.visitors import close_days, open_since, visitor_digest

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 6, 15)
EVENING = datetime(2026, 6, 15, 23, 59, tzinfo=LONDON)


def test_the_digest_is_the_same_all_day_and_another_the_next(now):
    first = visitor_digest(DAY, "203.0.113.7", "Firefox")
    again = visitor_digest(DAY, "203.0.113.7", "Firefox")
    visitors._salts.clear()  # another process: same salt, from the database
    other_process = visitor_digest(DAY, "203.0.113.7", "Firefox")
    next_day = visitor_digest(DAY + timedelta(days=1), "203.0.113.7", "Firefox")

    assert first == again == other_process
    assert len(first) == 32
    assert next_day != first
    assert "203.0.113.7" not in first
    assert DaySalt.objects.count() == 2


def test_a_day_stays_open_ten_minutes_past_midnight():
    assert open_since(EVENING) == DAY
    assert open_since(EVENING + timedelta(minutes=10)) == DAY
    assert open_since(EVENING + timedelta(minutes=12)) == DAY + timedelta(days=1)


def test_closing_a_day_freezes_its_visitors_and_deletes_marks_and_salt(send):
    with time_machine.travel(EVENING, tick=False):
        send()
        send(address="198.51.100.2")
        flush()
        assert close_days() == 0  # still open
    with time_machine.travel(EVENING + timedelta(minutes=1), tick=False):
        send()  # the next day's first visitor
        flush()

    with time_machine.travel(EVENING + timedelta(minutes=15), tick=False):
        assert close_days() == 1
        assert close_days() == 0  # nothing left to close

    assert SiteDay.objects.get(day=DAY).visitors == 2
    assert not VisitorMark.objects.filter(day=DAY).exists()
    assert not DaySalt.objects.filter(day=DAY).exists()
    # The new day is untouched.
    assert VisitorMark.objects.filter(day=DAY + timedelta(days=1)).count() == 1
    assert DaySalt.objects.filter(day=DAY + timedelta(days=1)).exists()


def test_marks_of_a_closed_day_are_not_written_again(send):
    with time_machine.travel(EVENING, tick=False):
        send()
        flush()
        send(address="198.51.100.2")  # held by a process past midnight
    with time_machine.travel(EVENING + timedelta(minutes=30), tick=False):
        close_days()
        flush()

    assert not VisitorMark.objects.exists()
    row = SiteDay.objects.get(day=DAY)
    assert (row.views, row.visitors) == (2, 1)
