"""django-axes' access attempts admin, with its clean-up action mended.

axes' "Clean up expired attempts" reads ``request.axes_attempt_time``, which
axes sets only on login requests: from the admin list it answered 500.
"""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin


class AttemptsAdmin(AccessAttemptAdmin):
    @admin.action(
        description=AccessAttemptAdmin.cleanup_expired_attempts.short_description
    )
    def cleanup_expired_attempts(self, request, queryset):
        request.axes_attempt_time = None  # axes reads None as "now"
        return super().cleanup_expired_attempts(request, queryset)


admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, AttemptsAdmin)
