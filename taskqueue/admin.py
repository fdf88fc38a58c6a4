"""The task queue in the admin: what waits, runs, failed (and why), and when
each recurring task last succeeded. Read-only; seen by users with the
"view task result" permission (superusers and the Editors group)."""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.db.models import Count, Max, Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult, get_date_max

from . import policy

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskQueueAdmin(DBTaskResultAdmin):
    list_display = [
        "task_name",
        "state",
        "attempts",
        "run_after_display",
        "finished_at",
        "error",
    ]
    list_filter = ["status", "task_path"]
    search_fields = ["task_path", "exception_class_path"]
    show_full_result_count = False

    @admin.display(description="state", ordering="status")
    def state(self, obj):
        label = TaskResultStatus(obj.status).label
        if obj.status == TaskResultStatus.READY and obj.traceback:
            return f"{label} (retry after a failure)"
        return label

    @admin.display(description="runs")
    def attempts(self, obj):
        return policy.attempts(obj)

    @admin.display(description="run after", ordering="run_after")
    def run_after_display(self, obj):
        return self.display_run_after(obj)

    @admin.display(description="last error")
    def error(self, obj):
        lines = obj.traceback.strip().splitlines()
        return lines[-1][:200] if lines else ""

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        stale_after = timezone.now() - timedelta(seconds=settings.TASKS_STALE_AFTER)
        totals = DBTaskResult.objects.aggregate(
            **{
                status.value: Count("pk", filter=Q(status=status))
                for status in TaskResultStatus
            },
            stalled=Count(
                "pk",
                filter=Q(status=TaskResultStatus.RUNNING, started_at__lt=stale_after),
            ),
        )
        counts = {
            str(status.label): totals[status.value] for status in TaskResultStatus
        }
        counts["Stalled (worker lost?)"] = totals["stalled"]
        return super().changelist_view(
            request,
            {
                **(extra_context or {}),
                "queue_counts": counts.items(),
                "recurring": [self._recurring_row(task) for task in policy.RECURRING],
            },
        )

    @staticmethod
    def _recurring_row(task):
        rows = DBTaskResult.objects.filter(task_path=task.module_path)
        next_run = (
            rows.filter(status=TaskResultStatus.READY)
            .order_by("run_after")
            .values_list("run_after", flat=True)
            .first()
        )
        return {
            "name": task.name,
            "last_success": rows.successful().aggregate(at=Max("finished_at"))["at"],
            "next_run": "now" if next_run == get_date_max() else next_run,
        }
