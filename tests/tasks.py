"""Task backends in tests.

Tests run tasks at once, inside the test, with Django's ImmediateBackend
(set in conftest.py before the test database is made), so a test of what a
reader or editor gets sees the mail. A test about the queue itself asks for
the real one, django-tasks-db's DatabaseBackend, with the ``db_tasks``
fixture: then nothing runs until the test runs the worker.
"""

from unittest import mock

from asgiref.local import Local
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.tasks import task_backends
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}


@receiver(setting_changed)
def reset_task_backends(setting, **kwargs):
    """Django keeps its task backends once made; a new TASKS needs new ones."""
    if setting == "TASKS":
        task_backends.__dict__.pop("settings", None)
        task_backends._settings = None
        task_backends._connections = Local(task_backends.thread_critical)


class Queue:
    """The database queue as a test sees it."""

    def rows(self, task=None):
        rows = DBTaskResult.objects.order_by("enqueued_at")
        if task is not None:
            rows = rows.filter(task_path=task.module_path)
        return list(rows)

    def run(self) -> None:
        """Run every task that is due, in this process, as db_worker does.

        The worker closes "old" connections between tasks; inside a test's
        transaction that would close the test's own connection, so not here.
        """
        with mock.patch.object(db_worker, "close_old_connections"):
            self._worker().run()

    @staticmethod
    def _worker():
        return Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        )
