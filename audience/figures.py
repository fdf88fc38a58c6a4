"""What the readers' figures say, for the editors' dashboard: reads only.

``days`` is always "the last ``days`` days, today included", by calendar day
in settings.TIME_ZONE. Each function runs one query, answered from the
tables' unique (day, ...) indexes or ArticleDay's (article, day) index.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, Sum
from django.utils import timezone

from .models import ArticleDay, ReferrerDay, SearchDay, SignupDay, SiteDay


def first_day(days: int, *, today: date | None = None) -> date:
    """The first of the last ``days`` days (today counts as one)."""
    today = today or timezone.localdate()
    return today - timedelta(days=max(days, 1) - 1)


def _since(queryset, days: int):
    return queryset.filter(day__gte=first_day(days))


def most_read(days: int, limit: int = 10) -> list[tuple[int, int]]:
    """[(article_id, views)], most viewed first (ties: newer id first)."""
    rows = (
        _since(ArticleDay.objects, days)
        .values("article_id")
        .annotate(total=Sum("views"))
        .order_by("-total", "-article_id")[:limit]
    )
    return [(row["article_id"], row["total"]) for row in rows]


@dataclass(frozen=True)
class DayTotals:
    """A SiteDay's numbers, zeros for a day without a row."""

    day: date
    views: int = 0
    visitors: int = 0
    signups: int = 0


def daily_totals(days: int) -> list[DayTotals]:
    """One row per day, oldest first, every day of the period included."""
    start = first_day(days)
    stored = {
        row.day: row for row in SiteDay.objects.filter(day__gte=start).order_by("day")
    }
    totals = []
    for offset in range(max(days, 1)):
        day = start + timedelta(days=offset)
        row = stored.get(day)
        totals.append(
            DayTotals(day, row.views, row.visitors, row.signups)
            if row
            else DayTotals(day)
        )
    return totals


def referrers(days: int, limit: int = 10) -> list[tuple[str, int]]:
    """[(domain, views)] of the sites that sent readers, most first."""
    rows = (
        _since(ReferrerDay.objects, days)
        .values("domain")
        .annotate(total=Sum("views"))
        .order_by("-total", "domain")[:limit]
    )
    return [(row["domain"], row["total"]) for row in rows]


def empty_searches(days: int, limit: int = 10) -> list[tuple[str, int]]:
    """[(term, searches that found nothing)], most first."""
    rows = (
        _since(SearchDay.objects, days)
        .filter(empty__gt=0)
        .values("term")
        .annotate(total=Sum("empty"))
        .order_by("-total", "term")[:limit]
    )
    return [(row["term"], row["total"]) for row in rows]


def searches(days: int, limit: int = 10) -> list[tuple[str, int, int]]:
    """[(term, searches, of which empty)], most searched first."""
    rows = (
        _since(SearchDay.objects, days)
        .values("term")
        .annotate(total=Sum("searches"), none=Sum("empty"))
        .order_by("-total", "term")[:limit]
    )
    return [(row["term"], row["total"], row["none"]) for row in rows]


def signups_by_article(days: int, limit: int = 10) -> list[tuple[int, int]]:
    """[(article_id, confirmed sign-ups made on its page)], most first."""
    rows = (
        _since(SignupDay.objects, days)
        .values("article_id")
        .annotate(total=Sum("signups"))
        .order_by("-total", "-article_id")[:limit]
    )
    return [(row["article_id"], row["total"]) for row in rows]


def article_daily_views(article_id: int, days: int) -> list[tuple[date, int]]:
    """[(day, views)] of one article, oldest first, every day included."""
    start = first_day(days)
    stored = dict(
        ArticleDay.objects.filter(article_id=article_id, day__gte=start).values_list(
            "day", F("views")
        )
    )
    return [
        (day, stored.get(day, 0))
        for day in (start + timedelta(days=offset) for offset in range(max(days, 1)))
    ]
