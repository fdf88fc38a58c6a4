"""What CareerHub adds to django-tasks-db's queue, and nothing more.

django-tasks-db 0.13 stores tasks as rows, runs them in ``db_worker`` (one
row at a time, taken with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, so
several workers never run one task twice) and records a failure with its
traceback. It has no retries, and a task whose worker is killed stays
"running" for ever. This module adds:

- bounded retries: a failed task goes back to the queue after
  TASKS_RETRY_DELAY seconds (doubling) until it has run TASKS_MAX_ATTEMPTS
  times; then it stays failed, with its traceback, in the admin;
- lost tasks: one still "running" after TASKS_STALE_AFTER seconds lost its
  worker, and so did one an earlier run of a restarting worker's id was
  running (see management/commands/db_worker.py); it is marked failed, and
  so retried like any failure;
- recurring tasks: ``enqueue_once`` keeps at most one waiting run of a task,
  so a task that enqueues its own next run can neither multiply nor, as
  every worker start and every migrate starts it, die out; ``run_again`` is
  that first step of a recurring task's run, with its old successes pruned.

Every task in CareerHub re-checks its preconditions when it runs, so running
one again after a failure or a lost worker is safe.
"""

import logging
import zlib
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.tasks import Task, TaskResultStatus
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

logger = logging.getLogger(__name__)

WORKER_LOST = "taskqueue.policy.WorkerLost"
WORKER_LOST_MESSAGE = (
    "WorkerLost: the worker running this task stopped (killed, crashed or "
    "restarted) before the task finished."
)
# Tasks that enqueue their own next run, shown with their last success.
RECURRING: list[Task] = []


def attempts(row: DBTaskResult) -> int:
    """How many times a worker has started this task (Django's definition)."""
    return len(row.worker_ids)


def retry_delay(attempts_made: int) -> timedelta:
    return timedelta(
        seconds=settings.TASKS_RETRY_DELAY * 2 ** max(attempts_made - 1, 0)
    )


def retry_if_allowed(result_id, *, now: datetime | None = None) -> bool:
    """Put a failed task back in the queue unless it used up its attempts.

    The row keeps its last traceback while it waits, for the admin.
    """
    now = now or timezone.now()
    failed = DBTaskResult.objects.filter(pk=result_id, status=TaskResultStatus.FAILED)
    row = failed.first()
    if row is None or attempts(row) >= settings.TASKS_MAX_ATTEMPTS:
        return False
    return bool(
        failed.update(
            status=TaskResultStatus.READY,
            run_after=now + retry_delay(attempts(row)),
            finished_at=None,
        )
    )


def retry_failed_task(sender, task_result, **kwargs) -> None:
    """task_finished receiver: retry failures of the database backend."""
    # db_worker sends the backend itself on success, its class on failure.
    if not issubclass(
        sender if isinstance(sender, type) else type(sender), DatabaseBackend
    ):
        return
    if task_result.status != TaskResultStatus.FAILED:
        return
    try:
        if retry_if_allowed(task_result.id):
            logger.warning("Task %s failed; it will be retried.", task_result.id)
        else:
            logger.error("Task %s failed for the last time.", task_result.id)
    except Exception:  # the worker must go on whatever happens here
        logger.exception("Could not schedule a retry of task %s", task_result.id)


def recover_stalled(*, now: datetime | None = None) -> int:
    """Fail (then retry) tasks whose worker vanished; returns how many."""
    now = now or timezone.now()
    stalled = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING,
        started_at__lt=now - timedelta(seconds=settings.TASKS_STALE_AFTER),
    )
    return _fail_as_lost(stalled, list(stalled.values_list("pk", flat=True)), now)


def recover_lost_by(worker_id: str, *, now: datetime | None = None) -> int:
    """At a worker's start: what an earlier run of the same worker id was
    running when it died (one worker id never runs twice at once)."""
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    ids = [
        pk
        for pk, worker_ids in running.values_list("pk", "worker_ids")
        if worker_ids and worker_ids[-1] == worker_id
    ]
    return _fail_as_lost(running, ids, now or timezone.now())


def _fail_as_lost(running, ids: list, now: datetime) -> int:
    if not ids:
        return 0
    changed = running.filter(pk__in=ids).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=WORKER_LOST,
        traceback=WORKER_LOST_MESSAGE,
    )
    for pk in ids:
        retry_if_allowed(pk, now=now)
    logger.warning("%d stalled task(s) marked failed (worker lost).", changed)
    return changed


@contextmanager
def _one_at_a_time(name: str):
    """A transaction no other caller holding the same name runs beside."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                key = zlib.crc32(name.encode())
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
            yield
    else:  # SQLite: an exclusive transaction locks out every other writer
        with exclusive_transaction():
            yield


def enqueue_once(task: Task, *, run_after: datetime | None = None) -> bool:
    """Enqueue ``task`` unless a run of it is already waiting; True if it did.

    Checking and enqueueing happen under one lock, so two callers at once
    (two workers, a worker and a deploy) leave one waiting run, not two.
    Only the database backend keeps a queue to look at; with any other
    backend nothing is enqueued (a recurring task would run for ever).
    """
    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    with _one_at_a_time(f"enqueue-once:{task.module_path}"):
        waiting = DBTaskResult.objects.filter(
            task_path=task.module_path, status=TaskResultStatus.READY
        )
        if waiting.exists():
            return False
        (task.using(run_after=run_after) if run_after else task).enqueue()
    return True


def keep_copies(
    task: Task,
    *,
    copies: int,
    kwargs: dict,
    alive_for: timedelta,
    excluding: str | None = None,
    run_after: datetime | None = None,
    now: datetime | None = None,
) -> int:
    """Enqueue runs of ``task(**kwargs)`` until ``copies`` of them are waiting
    or running; returns how many it enqueued.

    That is how work spreads over workers: each worker takes one copy, and a
    copy that hands over (or dies) is replaced, never multiplied. A running
    copy counts while it started within ``alive_for``; one running longer lost
    its worker (a kill), so a replacement is enqueued without waiting for
    TASKS_STALE_AFTER. ``excluding`` is the caller's own run (it is about to
    end). Checking and enqueueing happen under one lock, as in enqueue_once;
    with a backend that keeps no queue nothing is enqueued.
    """
    if not isinstance(task.get_backend(), DatabaseBackend):
        return 0
    now = now or timezone.now()
    with _one_at_a_time(f"keep-copies:{task.module_path}"):
        rows = DBTaskResult.objects.filter(
            Q(status=TaskResultStatus.READY)
            | Q(status=TaskResultStatus.RUNNING, started_at__gte=now - alive_for),
            task_path=task.module_path,
        ).values_list("pk", "args_kwargs")
        alive = sum(
            1
            for pk, args_kwargs in rows
            if args_kwargs.get("kwargs") == kwargs and str(pk) != excluding
        )
        wanted = max(copies - alive, 0)
        queued = task.using(run_after=run_after) if run_after else task
        for _ in range(wanted):
            queued.enqueue(**kwargs)
    return wanted


# A recurring task's successful runs are kept this long (not one row a run
# for ever).
KEEP_RECURRING_SUCCESSES = timedelta(days=1)


def run_again(task: Task, *, after: timedelta, now: datetime | None = None) -> bool:
    """The first step of a recurring task's run: enqueue its next run.

    Done first, so a failure later in the run cannot stop the task; once
    (``enqueue_once``), so it cannot multiply. Its own successful runs older
    than KEEP_RECURRING_SUCCESSES are dropped. True if it enqueued.
    """
    now = now or timezone.now()
    enqueued = enqueue_once(task, run_after=now + after)
    if enqueued:
        DBTaskResult.objects.successful().filter(
            task_path=task.module_path,
            finished_at__lt=now - KEEP_RECURRING_SUCCESSES,
        ).delete()
    return enqueued


def start_recurring() -> list[Task]:
    """Make sure every recurring task has a waiting run; those just started."""
    return [task for task in RECURRING if enqueue_once(task)]


def recurring(task: Task) -> Task:
    """Mark a task as recurring (it enqueues its next run), for the admin."""
    RECURRING.append(task)
    return task
