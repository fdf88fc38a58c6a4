"""The subscriber imports in the admin: their list, and the pages of
pages.py for the upload and each import."""

from django.contrib import admin

from . import pages
from .models import SubscriberImport


@admin.register(SubscriberImport)
class SubscriberImportAdmin(admin.ModelAdmin):
    """Imports of subscribers from CSV: the list here, the upload form and
    each import's page in pages.py."""

    list_display = ["file_name", "uploaded_at", "uploaded_by", "status", "rows"]
    list_filter = ["status"]
    list_select_related = ["uploaded_by"]

    @admin.display(description="rows done")
    def rows(self, obj):
        return f"{obj.rows_done} of {obj.total_rows}"

    def add_view(self, request, form_url="", extra_context=None):
        return pages.upload(self, request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return pages.detail(self, request, object_id)

    def delete_model(self, request, obj):
        obj.file.delete(save=False)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            obj.file.delete(save=False)
        super().delete_queryset(request, queryset)
