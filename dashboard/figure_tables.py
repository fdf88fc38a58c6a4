"""The readers' figures on the dashboard (audience/figures.py reads them).

Each table is one bounded query over a period of days: a sum per article,
term or domain over the period's rows, the top ``LIMIT`` kept; the articles'
titles come afterwards, for all tables at once (tables.name_articles).
"""

from audience import figures

from .memo import remembered
from .tables import ArticleRef, Table

LIMIT = 10
TREND_DAYS = 30


def most_read_table(*, days: int, limit=LIMIT, refresh=False, **_) -> Table:
    """The sum over every article's days: kept a minute (memo.py)."""
    top = remembered(
        f"most-read:{days}:{limit}:{figures.first_day(days)}",
        lambda: figures.most_read(days, limit),
        refresh=refresh,
    )
    return Table(
        name="most-read",
        caption=f"Most read, last {days} days",
        columns=["article", "views"],
        rows=[[ArticleRef(pk), views] for pk, views in top],
        days=days,
        empty="No article read yet.",
        admin_list="admin:audience_articleday_changelist",
        admin_list_text="Every article's days",
    )


def daily_table(*, days: int = TREND_DAYS, rows=None, **_) -> Table:
    """Views, visitors and sign-ups per day, oldest first (every day)."""
    rows = figures.daily_totals(days) if rows is None else rows
    return Table(
        name="daily",
        caption=f"Readers per day, last {days} days",
        columns=["day", "views", "visitors", "sign-ups"],
        rows=[[row.day, row.views, row.visitors, row.signups] for row in rows],
        days=days,
        admin_list="admin:audience_siteday_changelist",
        admin_list_text="Every day's figures",
    )


def signups_table(*, days: int = TREND_DAYS, limit=LIMIT, **_) -> Table:
    return Table(
        name="signups",
        caption=f"Articles that brought sign-ups, last {days} days",
        columns=["article", "sign-ups"],
        rows=[
            [ArticleRef(pk), count]
            for pk, count in figures.signups_by_article(days, limit)
        ],
        days=days,
        empty="No sign-up came from an article's page.",
        admin_list="admin:audience_signupday_changelist",
        admin_list_text="Sign-ups by day and article",
    )


def empty_searches_table(*, days: int = TREND_DAYS, limit=LIMIT, **_) -> Table:
    return Table(
        name="empty-searches",
        caption=f"Searches with no results, last {days} days",
        columns=["search", "searches with no results"],
        rows=[[term, count] for term, count in figures.empty_searches(days, limit)],
        days=days,
        empty="Every search found something.",
        admin_list="admin:audience_searchday_changelist",
        admin_list_text="Every search by day",
    )


def referrers_table(*, days: int = TREND_DAYS, limit=LIMIT, **_) -> Table:
    return Table(
        name="referrers",
        caption=f"Sites that sent readers, last {days} days",
        columns=["site", "views"],
        rows=[[domain, views] for domain, views in figures.referrers(days, limit)],
        days=days,
        empty="No reader came from another site.",
        admin_list="admin:audience_referrerday_changelist",
        admin_list_text="Every site by day",
    )
