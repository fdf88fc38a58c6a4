"""Every table of the dashboard by name, with who may read it.

The page and the CSV export both ask here, so a section a user may not see
on the page cannot be downloaded either. A user needs every permission listed
(the admin's model permissions: writers hold none of the newsletter's or the
readers' figures', editors all of them).
"""

from collections.abc import Callable
from dataclasses import dataclass

from . import desk_tables, edition_tables, figure_tables
from .tables import Table

ARTICLES = ("articles.view_article",)
EDITIONS = ("newsletter.view_edition",)
CLICKS = (*EDITIONS, "newsletter.view_editionclick")


@dataclass(frozen=True)
class TableKind:
    permissions: tuple[str, ...]
    # Called with keyword arguments user, now, days and limit.
    build: Callable[..., Table]
    default_days: int | None = None

    def allowed(self, user) -> bool:
        return user.is_active and user.is_staff and user.has_perms(self.permissions)


def _next_edition(*, now, **_) -> Table:
    return edition_tables.next_edition(now=now).table


def _last_edition(**_) -> Table:
    return edition_tables.last_edition_table()


TABLES: dict[str, TableKind] = {
    "review": TableKind(ARTICLES, desk_tables.review_table),
    "scheduled": TableKind(
        ARTICLES, desk_tables.scheduled_table, desk_tables.SCHEDULED_DAYS
    ),
    "next-edition": TableKind(EDITIONS, _next_edition),
    "last-edition": TableKind(CLICKS, _last_edition),
    "most-read": TableKind(
        ("audience.view_articleday",), figure_tables.most_read_table, 30
    ),
    "daily": TableKind(
        ("audience.view_siteday",), figure_tables.daily_table, figure_tables.TREND_DAYS
    ),
    "signups": TableKind(
        ("audience.view_signupday",),
        figure_tables.signups_table,
        figure_tables.TREND_DAYS,
    ),
    "empty-searches": TableKind(
        ("audience.view_searchday",),
        figure_tables.empty_searches_table,
        figure_tables.TREND_DAYS,
    ),
    "referrers": TableKind(
        ("audience.view_referrerday",),
        figure_tables.referrers_table,
        figure_tables.TREND_DAYS,
    ),
}


def may_read(user, name: str) -> bool:
    return TABLES[name].allowed(user)
