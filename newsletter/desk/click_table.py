"""The edition page's "clicks" field: each article's clicks from the mail,
and their total (newsletter/clicks.py counts them)."""

from django.contrib import admin
from django.template.loader import render_to_string

from ..clicks import edition_clicks


@admin.display(description="clicks")
def click_counts(obj):
    if obj is None or obj.pk is None or obj.is_editable:
        return "Counted once sending starts: links followed from the mail."
    rows = edition_clicks(obj)
    return render_to_string(
        "admin/newsletter/edition/_clicks.html",
        {"rows": rows, "total": sum(count for _, count in rows)},
    )
