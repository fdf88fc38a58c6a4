from django.apps import AppConfig


class TaskQueueConfig(AppConfig):
    name = "taskqueue"
    verbose_name = "Background tasks"

    def ready(self):
        from django.tasks.signals import task_finished

        from . import policy

        task_finished.connect(policy.retry_failed_task, dispatch_uid="taskqueue-retry")
