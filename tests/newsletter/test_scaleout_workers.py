"""Real `db_worker` processes sending one edition together (issue 25, item 6):
both send at the same time, and when one is SIGKILLed the other keeps going
and takes the killed one's rows once their lease ends, without waiting for
the killed task's retry or the clock. PostgreSQL only; small numbers."""

import asyncio
import re
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsletter import editions
from newsletter.models import Delivery
from newsletter.tasks import send_edition
from tests.factories import ArticleFactory, EditionFactory
from tests.newsletter import test_workers
from tests.newsletter.test_mail_transport import free_port
from tests.newsletter.test_workers import (
    confirmed_subscribers,
    edition_is_sent,
    taking_tasks,
    wait_for,
    worker,
)

# The worker tests' fixtures: processes on the test database, PostgreSQL only.
processes = test_workers.processes
_needs_postgres = test_workers._needs_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LEASE = 2
# One sender per worker (one mail in flight at a kill); long slices, so a
# killed worker's copy is not replaced by its hand-over; neither the clock nor
# a stalled-task retry comes during the test.
SCALE_OUT = {
    "NEWSLETTER_SENDER_THREADS": "1",
    "NEWSLETTER_SEND_SLICE_SECONDS": "60",
    "NEWSLETTER_SENDING_TASKS": "3",
    "NEWSLETTER_CLAIM_TIMEOUT": str(LEASE),
    "NEWSLETTER_CLOCK_SECONDS": "600",
    "TASKS_STALE_AFTER": "600",
}


class TimedSink:
    """Accepts every mail after a short pause; remembers who and when."""

    def __init__(self, pause):
        self.pause = pause
        self.received = []  # (monotonic time, recipient)

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.pause)
        for to in envelope.rcpt_tos:
            self.received.append((time.monotonic(), to))
        return "250 OK"

    @property
    def recipients(self):
        return [to for _, to in self.received]


@pytest.fixture
def sink():
    handler = TimedSink(pause=0.05)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def runs_still_running(db_tasks) -> bool:
    return any(row.status == "RUNNING" for row in db_tasks.rows(send_edition))


def two_workers(processes):
    workers = {
        name: worker(processes, name, **SCALE_OUT) for name in ("worker-a", "worker-b")
    }
    wait_for(lambda: all(map(taking_tasks, workers.values())), 60, "workers")
    return workers


def sending_on(name):
    return DBTaskResult.objects.filter(
        task_path=send_edition.module_path, status="RUNNING", worker_ids__contains=name
    ).exists()


def test_two_workers_send_one_edition_at_the_same_time(processes, sink, db_tasks):
    everyone = confirmed_subscribers(200)
    edition = EditionFactory(articles=[ArticleFactory()])
    two_workers(processes)

    editions.edition_schedule(edition=edition, when=timezone.now())  # Send now
    wait_for(lambda: edition_is_sent(edition), 90, "the edition to be sent")
    # The edition is marked sent inside the last run; its result (the "N
    # sent" read below) is written when the run returns, a moment later.
    wait_for(lambda: not runs_still_running(db_tasks), 30, "the sending runs to end")

    received = Counter(sink.recipients)
    assert set(received) == everyone and set(received.values()) == {1}
    runs = [
        (row.worker_ids[-1], row.started_at, row.finished_at)
        for row in db_tasks.rows(send_edition)
        # "N sent, …" from a run that sent; a spare copy says "not due".
        if (sent := re.match(r"(\d+) sent", row.return_value or ""))
        and int(sent.group(1)) > 0
    ]
    # A run on each worker sent mail, and two of them overlapped in time.
    assert {name for name, _, _ in runs} == {"worker-a", "worker-b"}
    assert any(
        a_start < b_end and b_start < a_end
        for a_name, a_start, a_end in runs
        for b_name, b_start, b_end in runs
        if (a_name, b_name) == ("worker-a", "worker-b")
    )


def test_killed_worker_leaves_no_stall_and_its_rows_are_taken_within_the_lease(
    processes, sink, db_tasks
):
    everyone = confirmed_subscribers(300)
    edition = EditionFactory(articles=[ArticleFactory()])
    workers = two_workers(processes)
    editions.edition_schedule(edition=edition, when=timezone.now())
    wait_for(
        lambda: sending_on("worker-a") and sending_on("worker-b") and sink.received,
        60,
        "both workers to be sending",
    )
    wait_for(lambda: len(sink.received) >= 40, 60, "the first mails")

    killed = workers["worker-a"]
    # Killed while it holds rows it has not sent yet (a batch under way), not
    # between batches when it holds only its mail in flight: those rows are
    # what another sender must take over. The mail in flight is pending too,
    # so a batch under way is more than one pending row.
    wait_for(
        lambda: (
            Delivery.objects.filter(
                edition=edition,
                status="pending",
                claimed_by__contains=f":{killed.pid}:",
            ).count()
            > 1
        ),
        60,
        "worker-a to hold rows it has not sent yet",
    )
    killed.kill()  # SIGKILL
    killed.wait()
    killed_at = time.monotonic()
    held = set(
        Delivery.objects.filter(
            edition=edition, claimed_by__contains=f":{killed.pid}:"
        ).values_list("pk", flat=True)
    )
    assert held  # it held rows when it died

    wait_for(lambda: edition_is_sent(edition), 90, "the edition to be sent")

    received = Counter(sink.recipients)
    assert max(received.values()) == 1  # nobody twice
    unknown = set(
        Delivery.objects.filter(edition=edition, status="failed").values_list(
            "subscriber__email", flat=True
        )
    )
    assert len(unknown) <= 1  # the one mail in flight at the kill
    assert everyone - set(received) <= unknown
    # The other worker never stopped: mail kept arriving during the lease.
    during_lease = [t for t, _ in sink.received if killed_at < t < killed_at + LEASE]
    assert during_lease
    # The killed worker's rows went out soon after their lease ended, sent by
    # the living worker; its own task was still "running" (no retry needed).
    emails = set(
        Delivery.objects.filter(pk__in=held, status="sent").values_list(
            "subscriber__email", flat=True
        )
    )
    assert emails
    taken_at = max(t for t, to in sink.received if to in emails)
    assert taken_at - killed_at < LEASE + 15  # well before any retry or clock
    assert DBTaskResult.objects.filter(
        task_path=send_edition.module_path,
        status="RUNNING",
        worker_ids__contains="worker-a",
    ).exists()
    assert workers["worker-b"].poll() is None
