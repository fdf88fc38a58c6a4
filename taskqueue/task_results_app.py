"""django-tasks-db's app, named for editors: the admin heads its page
"Background tasks", not the package's "Tasks Database Backend" (a module of
its own, so taskqueue/apps.py keeps one AppConfig and stays the default)."""

from django_tasks_db.apps import TasksAppConfig


class TaskResultsConfig(TasksAppConfig):
    verbose_name = "Background tasks"
