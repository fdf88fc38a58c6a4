"""Failed purges in the admin: what the front cache refused, and a retry."""

from django.conf import settings
from django.contrib import admin, messages

from .models import FailedPurge
from .tasks import purge


@admin.register(FailedPurge)
class FailedPurgeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "keys_shown", "error_shown", "state", "last_failed_at"]
    readonly_fields = ["keys", "error", "attempts", "first_failed_at", "last_failed_at"]
    search_fields = ["keys", "error"]
    actions = ["purge_again"]

    def has_add_permission(self, request):
        return False  # rows are the purges' own record

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="keys")
    def keys_shown(self, obj):
        shown = " ".join(obj.key_list[:8])
        return f"{shown} …" if obj.key_count > 8 else shown

    @admin.display(description="error")
    def error_shown(self, obj):
        return obj.error[:200]

    @admin.display(description="state")
    def state(self, obj):
        if obj.attempts >= settings.TASKS_MAX_ATTEMPTS:
            return "Given up: purge it again once the front cache is back"
        return "Will be retried"

    @admin.action(description="Purge again", permissions=["view"])
    def purge_again(self, request, queryset):
        failed = list(queryset)
        for row in failed:
            purge.enqueue(keys=row.key_list)
        self.message_user(
            request,
            f"{len(failed)} purge(s) queued again; each leaves this list once it "
            "succeeds.",
            messages.SUCCESS,
        )
