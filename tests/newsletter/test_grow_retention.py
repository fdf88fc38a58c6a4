"""Sign-ups never confirmed are deleted after NEWSLETTER_UNCONFIRMED_DAYS by a
recurring task, and the privacy page says after how long."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django_tasks_db.models import DBTaskResult

from newsletter.models import MailEvent, Subscriber
from newsletter.retention import subscribers_delete_unconfirmed
from newsletter.tasks import delete_unconfirmed_signups
from taskqueue.policy import start_recurring
from tests.factories import NOW, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _days(settings):
    settings.NEWSLETTER_UNCONFIRMED_DAYS = 30


def signup(email, *, days_ago, **fields):
    return SubscriberFactory(
        email=email, signed_up_at=NOW - timedelta(days=days_ago), **fields
    )


@pytest.fixture
def addresses():
    """One of each kind, all signed up 31 days ago, and a recent pending one."""
    return {
        "old pending": signup("old@example.com", days_ago=31, status="pending"),
        "recent pending": signup("new@example.com", days_ago=29, status="pending"),
        "confirmed": signup("fan@example.com", days_ago=31, status="confirmed"),
        "unsubscribed": signup("gone@example.com", days_ago=31, status="unsubscribed"),
        "suppressed": signup("bounced@example.com", days_ago=31, status="suppressed"),
        # Confirmed once, unsubscribed, signed up again and never confirmed:
        # its consent history stays.
        "came back": signup(
            "back@example.com",
            days_ago=31,
            status="pending",
            confirmed_at=NOW - timedelta(days=200),
        ),
    }


def remaining():
    return set(Subscriber.objects.values_list("email", flat=True))


def test_only_sign_ups_never_confirmed_past_their_days_are_deleted(addresses):
    MailEvent.objects.create(
        subscriber=addresses["old pending"],
        kind="soft-bounce",
        source="smtp",
        occurred_at=NOW - timedelta(days=30),
    )

    with time_machine.travel(NOW, tick=False):
        deleted = subscribers_delete_unconfirmed()

    assert deleted == 1
    assert remaining() == {
        "new@example.com",
        "fan@example.com",
        "gone@example.com",
        "bounced@example.com",
        "back@example.com",
    }
    assert not MailEvent.objects.exists()  # everything about it went with it


def test_the_day_boundary_follows_the_setting(settings, addresses):
    settings.NEWSLETTER_UNCONFIRMED_DAYS = 10

    with time_machine.travel(NOW, tick=False):
        deleted = subscribers_delete_unconfirmed()

    assert deleted == 2
    assert "new@example.com" not in remaining()


def test_exactly_at_its_days_a_sign_up_is_still_kept():
    signup("edge@example.com", days_ago=30, status="pending")

    with time_machine.travel(NOW, tick=False):
        assert subscribers_delete_unconfirmed() == 0


def test_a_second_run_changes_nothing(addresses):
    with time_machine.travel(NOW, tick=False):
        subscribers_delete_unconfirmed()
        assert subscribers_delete_unconfirmed() == 0


def test_a_backlog_larger_than_a_slice_is_deleted_whole(monkeypatch):
    monkeypatch.setattr("newsletter.retention.BATCH_SIZE", 3)
    for n in range(7):
        signup(f"p{n}@example.com", days_ago=40, status="pending")
    signup("keep@example.com", days_ago=1, status="pending")

    with time_machine.travel(NOW, tick=False):
        assert subscribers_delete_unconfirmed() == 7

    assert remaining() == {"keep@example.com"}


def test_the_run_logs_a_one_line_count(addresses, caplog):
    with caplog.at_level(logging.INFO, logger="newsletter.retention"):
        with time_machine.travel(NOW, tick=False):
            subscribers_delete_unconfirmed()

    (line,) = [r.getMessage() for r in caplog.records]
    assert line == "Deleted 1 sign-up(s) not confirmed within 30 days."


def test_the_recurring_task_deletes_and_keeps_one_waiting_run(db_tasks, addresses):
    with time_machine.travel(NOW, tick=False):
        start_recurring()
        start_recurring()
        db_tasks.run()

    assert "old@example.com" not in remaining()
    rows = db_tasks.rows(delete_unconfirmed_signups)
    assert sorted(row.status for row in rows) == ["READY", "SUCCESSFUL"]
    done = next(row for row in rows if row.status == "SUCCESSFUL")
    assert done.return_value == "1 unconfirmed sign-up(s) deleted"
    waiting = DBTaskResult.objects.get(
        task_path=delete_unconfirmed_signups.module_path, status="READY"
    )
    assert waiting.run_after == NOW + timedelta(hours=1)


def test_a_sign_up_reaching_its_days_goes_at_the_next_hourly_run(
    db_tasks,
):
    signup("late@example.com", days_ago=29, status="pending")
    with time_machine.travel(NOW, tick=False):
        start_recurring()
        db_tasks.run()
    assert "late@example.com" in remaining()

    # A day and a half hour on, the hourly run waiting since NOW + 1 h runs.
    with time_machine.travel(NOW + timedelta(days=1, minutes=30), tick=False):
        db_tasks.run()

    assert "late@example.com" not in remaining()


def test_the_privacy_page_states_the_days(client, settings):
    settings.NEWSLETTER_UNCONFIRMED_DAYS = 45

    response = client.get("/privacy/")

    assert (
        "A sign-up that is never confirmed is deleted, with everything above, "
        "45 days after it came." in response.text
    )


@pytest.mark.parametrize("days", [0, 3])
def test_fewer_days_than_a_confirmation_link_works_is_refused_at_start(settings, days):
    settings.NEWSLETTER_UNCONFIRMED_DAYS = days
    settings.NEWSLETTER_CONFIRM_MAX_AGE = 7 * 86400

    with pytest.raises(SystemCheckError, match="newsletter.E004"):
        call_command("check")
