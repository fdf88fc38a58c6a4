"""Real `db_worker` processes on PostgreSQL: a worker SIGKILLed mid-send,
two workers and a cron `send_newsletter` at once, and weekly clocks racing.

The workers are subprocesses on the test database, mailing an SMTP sink on
loopback. Numbers are small to keep `make test` fast.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsletter import editions
from newsletter.models import Delivery, Edition
from newsletter.tasks import newsletter_clock, send_edition
from taskqueue.policy import start_recurring
from tests.factories import NOW, ArticleFactory, EditionFactory, make_subscribers
from tests.newsletter.test_concurrency import run_together
from tests.newsletter.test_mail_transport import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).parents[2]
TUESDAY_0800 = NOW.replace(day=16, hour=7)  # 08:00 in London (BST)


@pytest.fixture(autouse=True)
def _needs_postgres(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (worker processes share the test database)")


class SlowSink:
    """Accepts every mail after a short pause, and remembers its recipients."""

    def __init__(self, pause):
        self.pause = pause
        self.recipients = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.pause)
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def sink():
    handler = SlowSink(pause=0.05)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def processes(sink, tmp_path):
    """Start manage.py commands on the test database; all stopped at the end."""
    started = []
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:"
        f"{db['PORT']}/{db['NAME']}",
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}?tls=0&timeout=0.5",
        "SITE_URL": "https://careerhub.example",
        "NEWSLETTER_BATCH_SIZE": "5",
        "NEWSLETTER_CLAIM_TIMEOUT": "2",
        "NEWSLETTER_CLOCK_SECONDS": "1",
        "NEWSLETTER_SEND_SLICE_SECONDS": "1",
        "TASKS_STALE_AFTER": "3",
        "TASKS_RETRY_DELAY": "1",
        "PYTHONUNBUFFERED": "1",
    }

    def start(*command, **extra_env):
        log_path = tmp_path / f"process-{len(started)}.log"
        log = open(log_path, "w")
        process = subprocess.Popen(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env={**env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log_path = log_path
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def worker(start, name, **extra_env):
    return start(
        "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2",
        "--worker-id", name, **extra_env,
    )  # fmt: skip


def taking_tasks(process):
    return "Starting worker" in process.log_path.read_text()


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"Timed out after {timeout} s waiting for {what}")


def confirmed_subscribers(count):
    return {subscriber.email for subscriber in make_subscribers(count)}


def edition_is_sent(edition):
    return Edition.objects.filter(pk=edition.pk, status="sent").exists()


def test_worker_killed_mid_send_then_restarted_mails_nobody_twice(
    processes, sink, db_tasks
):
    everyone = confirmed_subscribers(40)
    edition = EditionFactory(articles=[ArticleFactory()])
    start_recurring()  # as `migrate` does
    editions.edition_schedule(edition=edition, when=timezone.now())  # Send now

    # One sender thread, so exactly one mail can be in flight at the kill, and
    # one long slice, so the kill comes in the middle of a task.
    first = worker(
        processes,
        "worker-a",
        NEWSLETTER_SENDER_THREADS="1",
        NEWSLETTER_SEND_SLICE_SECONDS="60",
    )
    wait_for(lambda: len(sink.recipients) >= 12, 60, "the first mails")
    first.kill()  # SIGKILL: no chance to tidy up
    first.wait()
    received_at_kill = len(sink.recipients)
    assert received_at_kill < len(everyone)  # it really was in the middle
    (lost,) = DBTaskResult.objects.filter(status="RUNNING")  # and of a task

    restarted = worker(processes, "worker-a")  # the same worker, restarted
    wait_for(lambda: edition_is_sent(edition), 90, "the edition to be sent")

    received = Counter(sink.recipients)
    assert max(received.values()) == 1  # nobody twice
    missed = everyone - set(received)
    failed = set(
        Delivery.objects.filter(edition=edition, status="failed").values_list(
            "subscriber__email", flat=True
        )
    )
    # Only the mail in flight at the kill may be missing, and it is recorded.
    assert missed <= failed
    assert len(failed) <= 1
    sent = Delivery.objects.filter(edition=edition, status="sent").count()
    assert sent + len(failed) == len(everyone)

    # The task the killed worker was running was put back when it restarted
    # and run again (a second time by worker-a), not left "running".
    def killed_task_ran_again():
        lost.refresh_from_db()
        return lost.worker_ids == ["worker-a", "worker-a"] and lost.status == (
            "SUCCESSFUL"
        )

    wait_for(killed_task_ran_again, 30, "the lost task to run again")
    assert restarted.poll() is None


def test_two_workers_and_a_cron_run_at_once_send_each_mail_once(
    processes, sink, db_tasks
):
    sink.pause = 0.02
    everyone = confirmed_subscribers(60)
    edition = EditionFactory(articles=[ArticleFactory()])
    workers = [worker(processes, "worker-a"), worker(processes, "worker-b")]
    wait_for(lambda: all(map(taking_tasks, workers)), 60, "both workers to start")

    # "Send now" pressed twice, so both workers start on it at once.
    editions.edition_schedule(edition=edition, when=timezone.now())
    send_edition.enqueue(edition_id=edition.pk)
    cron = processes("send_newsletter", "--no-create")
    assert cron.wait(timeout=60) == 0
    wait_for(lambda: edition_is_sent(edition), 60, "the edition to be sent")

    received = Counter(sink.recipients)
    assert set(received) == everyone
    assert set(received.values()) == {1}
    ran_on = {
        worker_id for row in db_tasks.rows(send_edition) for worker_id in row.worker_ids
    }
    assert ran_on == {"worker-a", "worker-b"}
    assert all(process.poll() is None for process in workers)  # still serving


def test_clocks_racing_at_the_weekly_time_create_one_edition_and_stay_one(db_tasks):
    ArticleFactory(published_at=TUESDAY_0800 - timedelta(days=1))

    with time_machine.travel(TUESDAY_0800 + timedelta(seconds=5), tick=False):
        run_together(4, lambda _: newsletter_clock.call())

    assert Edition.objects.filter(period_end=TUESDAY_0800).count() == 1
    waiting = DBTaskResult.objects.filter(
        task_path=newsletter_clock.module_path, status="READY"
    )
    assert waiting.count() == 1
