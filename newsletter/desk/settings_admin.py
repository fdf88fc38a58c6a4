"""The newsletter's settings in the admin: one row (NewsletterSettings.load),
so the list goes straight to it, and nobody adds or deletes one. Editors
change it (migration 0008 grants them its permissions); writers cannot."""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse

from ..models import NewsletterSettings


class NewsletterSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (
            "Welcome mail",
            {
                "fields": ["welcome_subject", "welcome_text"],
                "description": "Sent once, when an address confirms its "
                "subscription. The next digest's day and time, the latest "
                "edition and the preference page are added below your text.",
            },
        ),
        ("Sign-up page", {"fields": ["reader_count_threshold"]}),
    ]

    def changelist_view(self, request, extra_context=None):
        """The one row's form (made with the defaults on first use)."""
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)  # 403
        row = NewsletterSettings.load()
        return HttpResponseRedirect(
            reverse("admin:newsletter_newslettersettings_change", args=[row.pk])
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
