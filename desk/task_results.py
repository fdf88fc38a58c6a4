"""The task results page as editors read it: named "Background tasks" like
the rest of the admin (taskqueue/task_results_app.py), times worded by the
desk's one rule (desk/moments.py: "15 Jun 2026, 16:56 BST"), and columns that
fit a 1280 px screen. The queue's own admin (taskqueue/admin.py) keeps its
counts and columns; the desk only words them, since the queue must not import
the desk."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult, get_date_max

from taskqueue.admin import TaskQueueAdmin

from .moments import when

# The moments of a task result, worded in its detail page too.
MOMENTS = ("enqueued_at", "started_at", "finished_at", "run_after")

admin.site.unregister(DBTaskResult)


def moment_display(name: str, description: str):
    @admin.display(description=description, ordering=name)
    def display(self, obj):
        moment = getattr(obj, name)
        if moment is None or (name == "run_after" and moment == get_date_max()):
            return "–" if name != "run_after" else "now"
        return when(moment, short=True)

    display.__name__ = f"{name}_when"
    return display


@admin.register(DBTaskResult)
class TaskResultsAdmin(TaskQueueAdmin):
    list_display = [
        "task_name",
        "state",
        "attempts",
        "enqueued_at_when",
        "run_after_when",
        "finished_at_when",
        "error",
    ]

    enqueued_at_when = moment_display("enqueued_at", "enqueued")
    started_at_when = moment_display("started_at", "started")
    finished_at_when = moment_display("finished_at", "finished")
    run_after_when = moment_display("run_after", "run after")

    class Media:
        css = {"all": ["css/admin-tasks.css"]}

    def get_readonly_fields(self, request, obj=None):
        names = super().get_readonly_fields(request, obj)
        renamed = {"display_run_after": "run_after_when"}
        return [
            renamed.get(name, f"{name}_when" if name in MOMENTS else name)
            for name in names
        ]
