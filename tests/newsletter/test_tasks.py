"""Newsletter work goes to the task queue: requests and admin actions only
enqueue (nothing runs until a worker does), and each task re-checks, when it
runs, that its work is still to be done."""

import time
from datetime import timedelta

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from newsletter import editions
from newsletter.models import Edition
from newsletter.tasks import (
    newsletter_clock,
    send_confirmation,
    send_edition,
)
from taskqueue.policy import start_recurring
from tests.factories import NOW, ArticleFactory, EditionFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

TUESDAY_0800 = NOW.replace(day=16, hour=7)  # 08:00 in London (BST)


def test_sign_up_enqueues_the_confirmation_and_the_worker_sends_it(
    client, db_tasks, mailoutbox
):
    client.post("/newsletter/", {"email": "reader@example.com"})

    (task,) = db_tasks.rows(send_confirmation)
    assert task.status == "READY"
    assert task.priority == 10  # before sending work
    assert mailoutbox == []

    db_tasks.run()

    assert [mail.to for mail in mailoutbox] == [["reader@example.com"]]


def test_confirmed_address_signing_up_gets_a_task_that_sends_nothing(
    client, db_tasks, mailoutbox
):
    SubscriberFactory(email="reader@example.com", status="confirmed")

    client.post("/newsletter/", {"email": "reader@example.com"})
    db_tasks.run()

    (task,) = db_tasks.rows(send_confirmation)
    assert task.status == "SUCCESSFUL"
    assert mailoutbox == []


def test_resend_action_enqueues_forced_mails_for_pending_only(
    admin_client, db_tasks, mailoutbox
):
    pending = SubscriberFactory(status="pending", last_confirmation_sent_at=NOW)
    confirmed = SubscriberFactory(status="confirmed")

    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        admin_client.post(
            "/admin/newsletter/subscriber/",
            {
                "action": "resend_confirmation",
                "_selected_action": [pending.pk, confirmed.pk],
            },
        )
        (task,) = db_tasks.rows(send_confirmation)
        assert task.args_kwargs["kwargs"] == {
            "subscriber_id": pending.pk,
            "force": True,
        }
        assert mailoutbox == []
        db_tasks.run()

    assert [mail.to for mail in mailoutbox] == [[pending.email]]  # throttle skipped


@pytest.fixture
def subscribers():
    return [
        SubscriberFactory(status="confirmed", email=f"reader{n}@example.com")
        for n in range(3)
    ]


def test_rescheduled_edition_goes_out_at_the_new_time_only(
    db_tasks, subscribers, mailoutbox
):
    edition = EditionFactory(articles=[ArticleFactory()])
    with time_machine.travel(NOW, tick=False):
        editions.edition_schedule(edition=edition, when=NOW + timedelta(hours=1))
        editions.edition_schedule(edition=edition, when=NOW + timedelta(hours=2))

    with time_machine.travel(NOW + timedelta(hours=1, minutes=1), tick=False):
        db_tasks.run()
    edition.refresh_from_db()
    assert (edition.status, len(mailoutbox)) == ("scheduled", 0)
    results = {row.run_after: row.return_value for row in db_tasks.rows(send_edition)}
    assert results[NOW + timedelta(hours=1)] == "not due"

    with time_machine.travel(NOW + timedelta(hours=2, minutes=1), tick=False):
        db_tasks.run()
    edition.refresh_from_db()
    assert (edition.status, len(mailoutbox)) == ("sent", 3)


def test_unscheduled_edition_is_not_sent_when_its_old_time_comes(
    db_tasks, subscribers, mailoutbox
):
    edition = EditionFactory(articles=[ArticleFactory()])
    with time_machine.travel(NOW, tick=False):
        editions.edition_schedule(edition=edition, when=NOW + timedelta(hours=1))
        editions.edition_schedule(edition=edition, when=None)

    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        db_tasks.run()

    edition.refresh_from_db()
    assert (edition.status, mailoutbox) == ("draft", [])


def test_long_edition_hands_over_to_fresh_tasks_and_mails_everyone_once(
    db_tasks, subscribers, recorder, settings
):
    settings.NEWSLETTER_SEND_SLICE_SECONDS = 1
    recorder.after_send = lambda number: time.sleep(0.6)
    edition = EditionFactory(articles=[ArticleFactory()])
    editions.edition_schedule(edition=edition, when=NOW)

    db_tasks.run()

    assert len(db_tasks.rows(send_edition)) >= 2  # handed over at least once
    assert sorted(recorder.recipients.values()) == [1, 1, 1]
    edition.refresh_from_db()
    assert edition.status == "sent"


# The newsletter clock ------------------------------------------------------------
def test_clock_creates_the_week_edition_at_its_time_and_schedules_its_sending(
    db_tasks,
):
    ArticleFactory(published_at=TUESDAY_0800 - timedelta(days=1))
    with time_machine.travel(TUESDAY_0800 - timedelta(minutes=1), tick=False):
        start_recurring()
        db_tasks.run()
    assert not Edition.objects.exists()

    with time_machine.travel(TUESDAY_0800 + timedelta(seconds=30), tick=False):
        db_tasks.run()

    (edition,) = Edition.objects.all()
    assert edition.period_end == TUESDAY_0800
    sending = [row for row in db_tasks.rows(send_edition)]
    assert [row.run_after for row in sending] == [edition.scheduled_for]
    waiting = DBTaskResult.objects.filter(
        task_path=newsletter_clock.module_path, status="READY"
    )
    assert [row.run_after for row in waiting] == [
        TUESDAY_0800 + timedelta(seconds=30 + 60)
    ]


def test_clock_keeps_exactly_one_waiting_run_however_often_it_is_started(db_tasks):
    with time_machine.travel(NOW, tick=False):
        start_recurring()
        start_recurring()
        db_tasks.run()  # the run enqueues the next one
        start_recurring()

    statuses = sorted(row.status for row in db_tasks.rows(newsletter_clock))
    assert statuses == ["READY", "SUCCESSFUL"]


def test_clock_sends_due_editions_left_without_a_task(
    db_tasks, subscribers, mailoutbox
):
    # For example scheduled before this version, or a sender that was killed.
    EditionFactory(status="scheduled", scheduled_for=NOW, articles=[ArticleFactory()])
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        start_recurring()
        db_tasks.run()

    assert len(mailoutbox) == 3
