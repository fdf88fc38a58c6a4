"""The task results page as editors read it: named "Background tasks" like
the rest of the admin (taskqueue/task_results_app.py), times worded by the
desk's one rule (desk/moments.py: "15 Jun 2026, 16:56 BST"), and columns that
fit a 1280 px screen. The queue's own admin (taskqueue/admin.py) keeps its
counts and columns; the desk only words them, since the queue must not import
the desk."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
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


def breakable(name: str):
    """A snake_case name that may wrap after its underscores, not mid-word."""
    return format_html_join(
        mark_safe("_<wbr>"), "{}", ((part,) for part in name.split("_"))
    )


class TaskFilter(admin.SimpleListFilter):
    """By task, named as the list names them (not by their long module paths)."""

    title = "task"
    parameter_name = "task_path"

    def lookups(self, request, model_admin):
        paths = (
            DBTaskResult.objects.order_by("task_path")
            .values_list("task_path", flat=True)
            .distinct()
        )
        return [(path, breakable(path.rpartition(".")[2])) for path in paths]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(task_path=self.value())
        return queryset


@admin.register(DBTaskResult)
class TaskResultsAdmin(TaskQueueAdmin):
    list_display = [
        "task",
        "state",
        "attempts",
        "run_after_when",
        "finished_at_when",
        "error",
    ]
    list_filter = ["status", TaskFilter]

    enqueued_at_when = moment_display("enqueued_at", "enqueued")
    started_at_when = moment_display("started_at", "started")
    finished_at_when = moment_display("finished_at", "finished")
    run_after_when = moment_display("run_after", "run after")

    @admin.display(description="task", ordering="task_path")
    def task(self, obj):
        return breakable(obj.task_name)

    class Media:
        css = {"all": ["css/admin-tasks.css"]}

    def get_readonly_fields(self, request, obj=None):
        names = super().get_readonly_fields(request, obj)
        renamed = {"display_run_after": "run_after_when"}
        return [
            renamed.get(name, f"{name}_when" if name in MOMENTS else name)
            for name in names
        ]
