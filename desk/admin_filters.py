"""Admin list filters for articles (ArticleAdmin.list_filter uses them)."""

from datetime import date

from django.contrib import admin
from django.db.models import Count
from django.utils import timezone

from articles.models import State

from . import publishing
from .visibility import TOPIC_FILTER_LIMIT, topics_seen_by


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return State.choices

    def queryset(self, request, queryset):
        if self.value() in State.values:
            return queryset.in_state(self.value())
        return queryset


class WaitingForReviewFilter(admin.SimpleListFilter):
    """Drafts their writers submitted, oldest request first in mind."""

    title = "review"
    parameter_name = "review_request"

    def lookups(self, request, model_admin):
        return [("waiting", "Waiting for review")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(publishing.waiting_for_review_q())
        return queryset


class TopicFilter(admin.SimpleListFilter):
    """The most used topics (a bounded list, one query), plus the chosen one."""

    title = "topic"
    parameter_name = "topic"

    def lookups(self, request, model_admin):
        top = list(
            topics_seen_by(user=request.user)
            .annotate(uses=Count("article"))
            .order_by("-uses", "name")
            .values_list("slug", "name")[:TOPIC_FILTER_LIMIT]
        )
        chosen = self.value()
        if chosen and chosen not in {slug for slug, _ in top}:
            tag = (
                topics_seen_by(user=request.user)
                .filter(slug=chosen)
                .values_list("slug", "name")
                .first()
            )
            if tag:
                top.append(tag)
        return top

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


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
