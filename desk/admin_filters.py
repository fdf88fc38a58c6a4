"""Admin list filters for articles (ArticleAdmin.list_filter uses them)."""

from datetime import date

from django.contrib import admin
from django.utils import timezone


def a_year_before(day: date) -> date:
    """The same date a year earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


class ReviewFreshnessFilter(admin.SimpleListFilter):
    """Articles whose facts (salaries, laws, tools) are due for a re-check.

    Never reviewed counts as not reviewed; reviewed exactly a year ago today
    still counts as reviewed in the last 12 months.
    """

    title = "fact check"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("stale", "Not reviewed in the last 12 months")]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.not_reviewed_since(a_year_before(timezone.localdate()))
        return queryset
