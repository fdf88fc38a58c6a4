"""The readers' figures in the admin: the settings (one row, editors change
it) and the daily figures, read only (the migration grants editors view).

Visitor marks and day salts are not shown to anyone: they exist only until
their day ends.
"""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse

from .models import (
    ArticleDay,
    AudienceSettings,
    ReferrerDay,
    SearchDay,
    SignupDay,
    SiteDay,
)


@admin.register(AudienceSettings)
class AudienceSettingsAdmin(admin.ModelAdmin):
    fields = ["keep_days"]

    def changelist_view(self, request, extra_context=None):
        """The one row's form (made with the defaults on first use)."""
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)  # 403
        row = AudienceSettings.load()
        return HttpResponseRedirect(
            reverse("admin:audience_audiencesettings_change", args=[row.pk])
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FiguresAdmin(admin.ModelAdmin):
    """Counts are made by readers, not typed: nobody adds, changes or deletes."""

    date_hierarchy = "day"
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SiteDay)
class SiteDayAdmin(FiguresAdmin):
    list_display = ["day", "views", "visitors", "signups"]
    ordering = ["-day"]


@admin.register(ArticleDay)
class ArticleDayAdmin(FiguresAdmin):
    list_display = ["day", "article", "views"]
    list_select_related = ["article"]
    ordering = ["-day", "-views"]


@admin.register(ReferrerDay)
class ReferrerDayAdmin(FiguresAdmin):
    list_display = ["day", "domain", "views"]
    search_fields = ["domain"]
    ordering = ["-day", "-views"]


@admin.register(SearchDay)
class SearchDayAdmin(FiguresAdmin):
    list_display = ["day", "term", "searches", "empty"]
    search_fields = ["term"]
    ordering = ["-day", "-searches"]


@admin.register(SignupDay)
class SignupDayAdmin(FiguresAdmin):
    list_display = ["day", "article", "signups"]
    list_select_related = ["article"]
    ordering = ["-day", "-signups"]
