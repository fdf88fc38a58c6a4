"""What the admin's front page shows a user: the sections they may read.

A fixed number of queries whatever the number of articles or days: each
table is one bounded query (tests/dashboard/test_dashboard_queries.py).
"""

from django.utils import timezone

from . import charts, desk_tables, edition_tables, figure_tables
from .catalogue import may_read
from .tables import Table, name_articles

MOST_READ_PERIODS = (7, 30)


def dashboard_context(user) -> dict:
    now = timezone.now()
    context = {"now": now}
    context.update(_desk(user, now))
    context.update(_newsletter(user, now))
    context.update(_figures(user))
    name_articles(_tables_in(context))
    return context


def _tables_in(context: dict):
    """Every table of the page: alone, in a list, or in a section."""
    for value in context.values():
        for item in value if isinstance(value, list) else [value]:
            table = getattr(item, "table", item)
            if isinstance(table, Table):
                yield table


def _desk(user, now) -> dict:
    if not may_read(user, "review"):
        return {}
    return {
        "review": desk_tables.review_table(user=user, now=now),
        "review_count": desk_tables.review_count(user=user),
        "review_url": desk_tables.changelist_url(**desk_tables.REVIEW_LIST_URL),
        "scheduled": desk_tables.scheduled_table(user=user, now=now),
        "scheduled_url": desk_tables.changelist_url(**desk_tables.SCHEDULED_LIST_URL),
    }


def _newsletter(user, now) -> dict:
    if not may_read(user, "next-edition"):
        return {}
    return {
        "next_edition": edition_tables.next_edition(now=now),
        "last_edition": edition_tables.last_edition(
            with_clicks=may_read(user, "last-edition")
        ),
    }


def _figures(user) -> dict:
    context = {}
    if may_read(user, "most-read"):
        context["most_read"] = [
            figure_tables.most_read_table(days=days) for days in MOST_READ_PERIODS
        ]
    if may_read(user, "daily"):
        context.update(_trends(figure_tables.daily_table()))
    for name, key, build in [
        ("signups", "signups", figure_tables.signups_table),
        ("empty-searches", "empty_searches", figure_tables.empty_searches_table),
        ("referrers", "referrers", figure_tables.referrers_table),
    ]:
        if may_read(user, name):
            context[key] = build()
    return context


def _trends(daily) -> dict:
    days = [row[0] for row in daily.rows]
    views = charts.Series("views", "dash-views", [row[1] for row in daily.rows])
    visitors = charts.Series(
        "visitors", "dash-visitors", [row[2] for row in daily.rows]
    )
    signups = charts.Series("sign-ups", "dash-signups", [row[3] for row in daily.rows])
    return {
        "daily": daily,
        # The sign-ups chart's own numbers (the daily CSV has them too).
        "daily_signups": Table(
            name="daily",
            caption=f"Sign-ups per day, last {daily.days} days",
            columns=["day", "sign-ups"],
            rows=[[row[0], row[3]] for row in daily.rows],
            days=daily.days,
        ),
        "readers_chart": charts.line_chart(
            id="chart-readers",
            title=f"Views and visitors per day, last {daily.days} days",
            days=days,
            series=[views, visitors],
        ),
        "signups_chart": charts.bar_chart(
            id="chart-signups",
            title=f"Sign-ups per day, last {daily.days} days",
            days=days,
            series=signups,
        ),
    }
