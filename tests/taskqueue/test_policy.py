"""What the project adds to django-tasks-db: bounded retries, stalled tasks,
one waiting run of a recurring task, and the queue in the admin."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django_tasks_db.models import DBTaskResult

from articles.roles import EDITORS
from taskqueue import policy
from tests.factories import NOW, UserFactory
from tests.taskqueue.tasks import always_fails, records_a_run

pytestmark = pytest.mark.django_db

QUEUE = "/admin/django_tasks_database/dbtaskresult/"


@pytest.fixture
def retry_settings(settings):
    settings.TASKS_MAX_ATTEMPTS = 3
    settings.TASKS_RETRY_DELAY = 60
    settings.TASKS_STALE_AFTER = 300


def test_failed_task_is_retried_twice_then_stays_failed_with_its_error(
    db_tasks, retry_settings
):
    with time_machine.travel(NOW, tick=False):
        always_fails.enqueue()
        db_tasks.run()
    (row,) = db_tasks.rows()
    assert (row.status, row.run_after) == ("READY", NOW + timedelta(seconds=60))
    assert "The mail server said no" in row.traceback

    with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
        db_tasks.run()  # not yet due: left alone
    row.refresh_from_db()
    assert len(row.worker_ids) == 1

    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        db_tasks.run()
    row.refresh_from_db()
    assert row.status == "READY"
    assert row.run_after == NOW + timedelta(seconds=61 + 120)  # doubled

    with time_machine.travel(NOW + timedelta(seconds=200), tick=False):
        db_tasks.run()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        db_tasks.run()
    row.refresh_from_db()
    assert (row.status, len(row.worker_ids)) == ("FAILED", 3)
    assert "RuntimeError: The mail server said no" in row.traceback


def _running_since(started_at, *, runs=1):
    result = records_a_run.enqueue("lost")
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=started_at, worker_ids=["dead"] * runs
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_task_whose_worker_vanished_is_failed_then_run_again(db_tasks, retry_settings):
    lost = _running_since(NOW - timedelta(seconds=301))
    busy = _running_since(NOW - timedelta(seconds=299))

    with time_machine.travel(NOW, tick=False):
        assert policy.recover_stalled() == 1
        lost.refresh_from_db()
        assert lost.status == "READY"
        assert "WorkerLost" in lost.traceback
        busy.refresh_from_db()
        assert busy.status == "RUNNING"  # may still be working

    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        db_tasks.run()
    lost.refresh_from_db()
    assert lost.status == "SUCCESSFUL"


def test_lost_task_that_used_its_runs_stays_failed_and_visible(
    db_tasks, retry_settings
):
    lost = _running_since(NOW - timedelta(hours=1), runs=3)

    with time_machine.travel(NOW, tick=False):
        policy.recover_stalled()

    lost.refresh_from_db()
    assert lost.status == "FAILED"
    assert lost.exception_class_path == policy.WORKER_LOST


def test_enqueue_once_keeps_one_waiting_run(db_tasks):
    assert policy.enqueue_once(records_a_run.using(run_after=NOW))
    assert not policy.enqueue_once(records_a_run)

    assert len(db_tasks.rows(records_a_run)) == 1


def test_enqueue_once_needs_a_persistent_queue():
    # ImmediateBackend (these tests' default) would run a recurring task for ever.
    assert not policy.enqueue_once(records_a_run)


# The queue in the admin ---------------------------------------------------------
def test_editors_see_the_queue_with_counts_errors_and_the_clock(client, db_tasks):
    from newsletter.tasks import newsletter_clock

    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    with time_machine.travel(NOW, tick=False):
        always_fails.enqueue()
        policy.start_recurring()  # the clock and the staged-upload sweep
        db_tasks.run()  # the clock succeeds; the failing task waits for a retry
    DBTaskResult.objects.filter(task_path=always_fails.module_path).update(
        status="FAILED"
    )

    response = client.get(QUEUE)

    assert response.status_code == 200
    text = response.text
    assert "Failed <strong>1</strong>" in text
    assert "RuntimeError: The mail server said no" in text
    assert f"<strong>{newsletter_clock.name}</strong> · last success:" in text
    assert "next run" in text and "none waiting" not in text
    assert client.post(f"{QUEUE}add/").status_code == 403  # read-only


def test_staff_without_the_permission_cannot_see_the_queue(client):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(QUEUE).status_code == 403


# A worker starting ----------------------------------------------------------------
def test_restarted_worker_puts_back_what_it_was_running_when_killed(
    db_tasks, retry_settings
):
    from taskqueue.management.commands.db_worker import Command

    mine = _running_since(NOW - timedelta(seconds=5))
    DBTaskResult.objects.filter(pk=mine.pk).update(worker_ids=["host-1"])
    other = _running_since(NOW - timedelta(seconds=5))
    DBTaskResult.objects.filter(pk=other.pk).update(worker_ids=["host-2"])

    with time_machine.travel(NOW, tick=False):
        Command().start_up("host-1")

    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.status, mine.exception_class_path) == ("READY", policy.WORKER_LOST)
    assert other.status == "RUNNING"  # another worker's: it may be alive


def test_worker_start_starts_the_recurring_clock_once(db_tasks):
    from newsletter.tasks import newsletter_clock
    from taskqueue.management.commands.db_worker import Command

    Command().start_up("host-1")
    Command().start_up("host-2")

    assert [row.status for row in db_tasks.rows(newsletter_clock)] == ["READY"]
