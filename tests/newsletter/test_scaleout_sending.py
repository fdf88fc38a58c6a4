"""An edition's sending spread over every free worker (issue 25, item 6).

The first sending task keeps NEWSLETTER_SENDING_TASKS copies of itself
waiting or running, so each free worker takes one and claims its own batches
through the exactly-once engine; a copy ends after its slice and is replaced,
never multiplied. Rows a killed sender held wait for their lease, then go to
whichever copy runs next. Runs on SQLite and PostgreSQL (the real queue, run
in this process); tests/newsletter/test_scaleout_workers.py starts real
workers.
"""

import time
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from newsletter import editions
from newsletter.delivery_claims import claim_batch
from newsletter.delivery_lifecycle import start_sending
from newsletter.models import Delivery, Edition
from newsletter.tasks import (
    newsletter_clock,
    send_confirmation,
    send_edition,
    spread_sending,
)
from tests.factories import NOW, ArticleFactory, EditionFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

KILLED_SENDER = "old-host:4242:5e4de7ac1d3b"


@pytest.fixture
def copies(settings):
    settings.NEWSLETTER_SENDING_TASKS = 3
    return 3


@pytest.fixture
def readers():
    return [
        SubscriberFactory(status="confirmed", email=f"reader{n}@example.com")
        for n in range(6)
    ]


def run_tasks(count):
    """A worker that runs ``count`` due tasks (or fewer) and stops (as the
    db_tasks fixture's, it leaves the test's connection open)."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=count,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    with mock.patch.object(db_worker, "close_old_connections"):
        worker.run()


def waiting(task):
    return list(DBTaskResult.objects.filter(task_path=task.module_path, status="READY"))


def test_first_sending_task_leaves_a_copy_for_every_free_worker(
    db_tasks, copies, readers, recorder, settings
):
    edition = EditionFactory(articles=[ArticleFactory()])
    settings.NEWSLETTER_SEND_SLICE_SECONDS = 0  # the slice ends before a mail
    with time_machine.travel(NOW, tick=False):
        editions.edition_schedule(edition=edition, when=NOW)  # "Send now"
        assert len(waiting(send_edition)) == 1

        run_tasks(1)

    # Started, and handed to `copies` tasks that any worker may take.
    edition.refresh_from_db()
    assert edition.status == "sending"
    assert Delivery.objects.filter(edition=edition).count() == 6
    copies_waiting = waiting(send_edition)
    assert len(copies_waiting) == copies
    assert {row.args_kwargs["kwargs"]["edition_id"] for row in copies_waiting} == {
        edition.pk
    }
    assert recorder.messages == []


def test_a_confirmation_goes_before_the_waiting_sending_copies(
    db_tasks, copies, readers, recorder, settings
):
    edition = EditionFactory(articles=[ArticleFactory()])
    settings.NEWSLETTER_SEND_SLICE_SECONDS = 0
    with time_machine.travel(NOW, tick=False):
        editions.edition_schedule(edition=edition, when=NOW)
        run_tasks(1)  # the edition is now spread over its copies
        newcomer = SubscriberFactory(status="pending", email="new@example.com")
        send_confirmation.enqueue(subscriber_id=newcomer.pk)

        run_tasks(1)

    (confirmation,) = DBTaskResult.objects.filter(
        task_path=send_confirmation.module_path
    )
    assert confirmation.status == "SUCCESSFUL"
    assert recorder.recipients == {"new@example.com": 1}
    assert len(waiting(send_edition)) == copies  # digest work still waits


def test_copies_are_kept_never_multiplied_however_often_sending_is_wanted(
    db_tasks, copies, readers
):
    edition = EditionFactory(articles=[ArticleFactory()])
    with time_machine.travel(NOW, tick=False):
        editions.edition_schedule(edition=edition, when=NOW)
        for _ in range(4):
            spread_sending(edition_id=edition.pk)
        newsletter_clock.call()  # the clock tops the due edition up
        newsletter_clock.call()

    assert len(waiting(send_edition)) == copies


def test_a_copy_whose_worker_was_killed_is_replaced_after_a_slice_and_a_lease(
    db_tasks, copies, readers, settings
):
    settings.NEWSLETTER_SEND_SLICE_SECONDS = 30
    settings.NEWSLETTER_CLAIM_TIMEOUT = 60
    edition = EditionFactory(articles=[ArticleFactory()])
    with time_machine.travel(NOW, tick=False):
        editions.edition_schedule(edition=edition, when=NOW)
        spread_sending(edition_id=edition.pk)
    # One copy was taken by a worker that was then killed: it stays "running".
    killed = waiting(send_edition)[0]
    DBTaskResult.objects.filter(pk=killed.pk).update(
        status="RUNNING", started_at=NOW, worker_ids=["worker-a"]
    )

    with time_machine.travel(NOW + timedelta(seconds=89), tick=False):
        assert spread_sending(edition_id=edition.pk) == 0  # it may be alive
    with time_machine.travel(NOW + timedelta(seconds=91), tick=False):
        assert spread_sending(edition_id=edition.pk) == 1  # it is not

    assert len(waiting(send_edition)) == copies


def test_a_killed_senders_rows_wait_for_its_lease_then_go_to_another_sender(
    db_tasks, copies, readers, recorder, settings
):
    settings.NEWSLETTER_CLAIM_TIMEOUT = 60
    edition = EditionFactory(articles=[ArticleFactory()])
    with time_machine.travel(NOW, tick=False):
        editions.edition_schedule(edition=edition, when=NOW)
        start_sending(edition, NOW)
        # A sender of another worker took two rows, then the worker was killed.
        held = claim_batch(edition, KILLED_SENDER, 2)
        held_emails = {recipient.email for recipient in held.recipients}

    with time_machine.travel(NOW + timedelta(seconds=10), tick=False):
        db_tasks.run()

    # Everyone else has the edition; the killed sender's rows are still its
    # own, so the edition is not sent, and a copy waits for the lease's end.
    assert set(recorder.recipients) == {r.email for r in readers} - held_emails
    edition.refresh_from_db()
    assert edition.status == "sending"
    assert [row.run_after for row in waiting(send_edition)] == [
        NOW + timedelta(seconds=60)
    ] * copies

    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        db_tasks.run()

    assert recorder.recipients == {r.email: 1 for r in readers}  # each once
    edition.refresh_from_db()
    assert edition.status == "sent"
    assert not Delivery.objects.filter(edition=edition).exclude(status="sent")


def test_no_copy_marks_the_edition_sent_while_another_holds_rows(
    db_tasks, copies, readers, recorder
):
    edition = EditionFactory(articles=[ArticleFactory()])
    with time_machine.travel(NOW, tick=False):
        editions.edition_schedule(edition=edition, when=NOW)
        start_sending(edition, NOW)
        claim_batch(edition, "live-host:1:aaaaaaaaaaaa", 1)  # a live slice's row

        db_tasks.run()  # every copy runs, sends the rest and ends

    edition.refresh_from_db()
    assert edition.status == "sending"
    assert len(recorder.recipients) == 5
    assert Edition.objects.filter(pk=edition.pk, finished_at__isnull=True).exists()


def test_each_mail_once_when_copies_take_turns_in_short_slices(
    db_tasks, copies, readers, recorder, settings
):
    settings.NEWSLETTER_SEND_SLICE_SECONDS = 0.3
    settings.NEWSLETTER_BATCH_SIZE = 1
    recorder.after_send = lambda number: time.sleep(0.2)
    edition = EditionFactory(articles=[ArticleFactory()])
    editions.edition_schedule(edition=edition, when=timezone.now())

    db_tasks.run()

    assert recorder.recipients == {r.email: 1 for r in readers}
    edition.refresh_from_db()
    assert edition.status == "sent"
    ran = DBTaskResult.objects.filter(task_path=send_edition.module_path)
    assert ran.filter(status="SUCCESSFUL").count() >= 3  # handed over
    assert not ran.exclude(status="SUCCESSFUL").exists()
