"""The task worker stopped for an hour: what readers and editors asked for
meanwhile waits in the queue and goes out when it returns, each mail once;
the recurring tasks do not pile up runs to catch up.

The real queue (django-tasks-db) and its worker, in this process, on a fixed
clock: the worker runs before the stop and after the return, never between.
"""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsletter import subscribers
from newsletter.models import Subscriber
from newsletter.tasks import (
    delete_unconfirmed_signups,
    newsletter_clock,
    send_confirmation,
)
from taskqueue.policy import start_recurring
from tests.factories import NOW, ArticleFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

# The weekly send time (Tuesday 08:00 in London, 07:00 UTC) falls inside the
# hour the worker is away.
STOPPED = NOW.replace(day=16, hour=6, minute=30)
BACK = STOPPED + timedelta(hours=1)


def kind(mail) -> str:
    if mail.subject.startswith("Confirm your subscription"):
        return "confirmation"
    if "weekly: new articles" in mail.subject:
        return "digest"
    return "welcome"


def sent(mailoutbox) -> Counter:
    return Counter((mail.to[0], kind(mail)) for mail in mailoutbox)


def waiting(task) -> int:
    return DBTaskResult.objects.filter(
        task_path=task.module_path, status="READY"
    ).count()


@pytest.fixture(autouse=True)
def _newsletter_settings(settings):
    settings.TIME_ZONE = "Europe/London"
    settings.NEWSLETTER_SEND_WEEKDAY = 1  # Tuesday
    settings.NEWSLETTER_SEND_TIME = "08:00"
    settings.NEWSLETTER_REVIEW_MINUTES = 30
    # One sender: threads would not see this test's transaction.
    settings.NEWSLETTER_SENDER_THREADS = 1
    settings.NEWSLETTER_RATE_LIMIT = "1000/hour"


@pytest.fixture
def readers():
    return [
        SubscriberFactory(status="confirmed", email=f"reader{n}@example.com")
        for n in range(3)
    ]


def test_an_hour_without_the_worker_delays_every_mail_and_loses_none(
    client, db_tasks, readers, mailoutbox
):
    ArticleFactory(published_at=STOPPED - timedelta(days=1))
    pending = SubscriberFactory(
        status="pending", email="pending@example.com", confirmed_at=None
    )
    with time_machine.travel(STOPPED - timedelta(minutes=5), tick=False):
        start_recurring()
        db_tasks.run()  # the worker's last round before it stops
    assert mailoutbox == []

    # While it is away: two sign-ups, a confirmation, and a task the worker
    # was running when it was stopped (killed mid-task).
    with time_machine.travel(STOPPED + timedelta(minutes=10), tick=False):
        for email in ("new1@example.com", "new2@example.com"):
            response = client.post("/newsletter/", {"email": email})
            assert response.status_code == 200
        subscribers.subscriber_confirm(subscriber=pending, issued_at=timezone.now())
        lost = SubscriberFactory(
            status="pending", email="lost@example.com", confirmed_at=None
        )
        running = send_confirmation.enqueue(subscriber_id=lost.pk)
        DBTaskResult.objects.filter(pk=running.id).update(
            status="RUNNING", started_at=STOPPED, worker_ids=["stopped"]
        )
    assert mailoutbox == []  # nobody to send them

    with time_machine.travel(BACK, tick=False):
        db_tasks.run()
    assert sent(mailoutbox) == {
        ("new1@example.com", "confirmation"): 1,
        ("new2@example.com", "confirmation"): 1,
        ("pending@example.com", "welcome"): 1,
    }
    # The clock ran once for the hour, not sixty times, and keeps one run
    # waiting, as does the retention sweep.
    assert (waiting(newsletter_clock), waiting(delete_unconfirmed_signups)) == (1, 1)

    # The lost task is retried after TASKS_RETRY_DELAY; the week's edition,
    # created on the return, goes out after its review time.
    for minutes in (2, 31, 90):
        with time_machine.travel(BACK + timedelta(minutes=minutes), tick=False):
            db_tasks.run()

    digest_to = Subscriber.objects.filter(status="confirmed").values_list(
        "email", flat=True
    )
    assert sent(mailoutbox) == {
        ("new1@example.com", "confirmation"): 1,
        ("new2@example.com", "confirmation"): 1,
        ("lost@example.com", "confirmation"): 1,
        ("pending@example.com", "welcome"): 1,
        **{(email, "digest"): 1 for email in digest_to},
    }
    assert {email for email, _ in sent(mailoutbox)} >= {r.email for r in readers}
    assert (waiting(newsletter_clock), waiting(delete_unconfirmed_signups)) == (1, 1)
    assert not DBTaskResult.objects.filter(status__in=["RUNNING", "FAILED"]).exists()
