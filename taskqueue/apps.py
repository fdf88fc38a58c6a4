from django.apps import AppConfig
from django.db.models.signals import post_migrate


def start_recurring_tasks(sender, using="default", **kwargs):
    """After every migrate (each deploy), make sure each recurring task has a
    waiting run, as a worker's start does; idempotent (see policy)."""
    from . import policy

    if using == "default":
        policy.start_recurring()


class TaskQueueConfig(AppConfig):
    name = "taskqueue"
    verbose_name = "Background tasks"

    def ready(self):
        from django.tasks.signals import task_finished

        from . import policy

        task_finished.connect(policy.retry_failed_task, dispatch_uid="taskqueue-retry")
        post_migrate.connect(
            start_recurring_tasks, sender=self, dispatch_uid="taskqueue-recurring"
        )
