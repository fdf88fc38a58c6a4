"""Writing a batch of counts: one statement per table, adding to what is there.

``INSERT ... ON CONFLICT (...) DO UPDATE SET n = table.n + excluded.n`` adds
a batch's counts to the day's rows, made or not, in one statement, and two
processes flushing at once both add (the database serialises the rows);
PostgreSQL and SQLite (3.24+) both speak it. Article ids are checked
against the live articles here, once per batch, not per view: a view of an
id that is not live (forged, deleted, unpublished) is dropped.
"""

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection, transaction

from articles.models import Article

from .buffer import Batch, Buffer
from .models import ArticleDay, ReferrerDay, SearchDay, SiteDay, VisitorMark
from .visitors import open_since

logger = logging.getLogger(__name__)

# Rows per statement: far below SQLite's 32,766 parameters.
ROWS_PER_STATEMENT = 1000


@dataclass
class FlushReport:
    views: int = 0  # views written (article views of live articles + others)
    dropped: int = 0  # views of ids that are not live articles
    statements: int = 0  # INSERT statements run


def upsert_add(model, keys: list[str], counts: list[str], rows: list[tuple]) -> int:
    """Add ``rows`` (keys..., counts...) to ``model``'s table; returns the
    number of statements run. ``keys`` are the columns of a unique constraint."""
    if not rows:
        return 0
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(name) for name in keys + counts)
    adding = ", ".join(
        f"{quote(name)} = {table}.{quote(name)} + excluded.{quote(name)}"
        for name in counts
    )
    one_row = "(" + ", ".join(["%s"] * (len(keys) + len(counts))) + ")"
    statements = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES "
                + ", ".join([one_row] * len(chunk))
                + f" ON CONFLICT ({', '.join(quote(k) for k in keys)})"
                + f" DO UPDATE SET {adding}",
                [_adapted(value) for row in chunk for value in row],
            )
            statements += 1
    return statements


def insert_marks(day: date, digests: set[str]) -> int:
    """Add the day's visitor marks not there yet; returns how many were new."""
    if not digests:
        return 0
    quote = connection.ops.quote_name
    table = quote(VisitorMark._meta.db_table)
    added = 0
    ordered = sorted(digests)  # one order for every process: no deadlock
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), ROWS_PER_STATEMENT):
            chunk = ordered[start : start + ROWS_PER_STATEMENT]
            cursor.execute(
                f"INSERT INTO {table} ({quote('day')}, {quote('digest')}) VALUES "
                + ", ".join(["(%s, %s)"] * len(chunk))
                + f" ON CONFLICT ({quote('day')}, {quote('digest')}) DO NOTHING",
                [value for digest in chunk for value in (_day(day), digest)],
            )
            added += max(cursor.rowcount, 0)
    return added


def _day(day: date):
    return connection.ops.adapt_datefield_value(day)


def _adapted(value):
    return _day(value) if isinstance(value, date) else value


def write(batch: Batch) -> FlushReport:
    """Write ``batch`` in one transaction."""
    report = FlushReport()
    live = set(
        Article.objects.live()
        .filter(pk__in={article_id for _day_, article_id in batch.article_views})
        .values_list("pk", flat=True)
    )
    site_views = Counter(batch.other_views)
    article_rows = []
    for (day, article_id), views in sorted(batch.article_views.items()):
        if article_id in live:
            article_rows.append((day, article_id, views))
            site_views[day] += views
        else:
            report.dropped += views
    report.views = sum(site_views.values())
    with transaction.atomic():
        report.statements += upsert_add(
            ArticleDay, ["day", "article_id"], ["views"], article_rows
        )
        report.statements += _write_site(batch, site_views)
        report.statements += _write_details(batch)
    return report


def _write_site(batch: Batch, site_views: Counter) -> int:
    first_open = open_since()
    statements = 0
    new_visitors = Counter()
    for day, digests in sorted(batch.visitors.items()):
        if day >= first_open:  # a closed day's marks are gone: not again
            new_visitors[day] = insert_marks(day, digests)
            statements += 1
    rows = [
        (day, site_views[day], new_visitors[day])
        for day in sorted(set(site_views) | set(new_visitors))
    ]
    return statements + upsert_add(SiteDay, ["day"], ["views", "visitors"], rows)


def _write_details(batch: Batch) -> int:
    referrer_rows = [
        (day, domain, views) for (day, domain), views in sorted(batch.referrers.items())
    ]
    search_rows = [
        (day, term, searches, batch.empty_searches[day, term])
        for (day, term), searches in sorted(batch.searches.items())
    ]
    return upsert_add(
        ReferrerDay, ["day", "domain"], ["views"], referrer_rows
    ) + upsert_add(SearchDay, ["day", "term"], ["searches", "empty"], search_rows)


# The process's buffer (one per gunicorn worker).
buffer = Buffer(
    max_events=settings.AUDIENCE_FLUSH_EVENTS,
    max_seconds=settings.AUDIENCE_FLUSH_SECONDS,
)
_flushing = threading.Lock()


def flush() -> FlushReport | None:
    """Write what the buffer holds (nothing if another thread is writing).

    A batch that cannot be written (the database is down) is lost, and
    logged: the site keeps answering, and counts resume with the database.
    """
    if not _flushing.acquire(blocking=False):
        return None
    try:
        batch = buffer.take()
        if batch is None:
            return None
        try:
            report = write(batch)
        except Exception:
            logger.exception("%d view(s) could not be written; lost.", batch.events)
            return None
        logger.debug(
            "Wrote %d view(s) (%d dropped) in %d statement(s).",
            report.views,
            report.dropped,
            report.statements,
        )
        return report
    finally:
        _flushing.release()


_idle_flusher: list[threading.Thread] = []


def flush_when_idle() -> None:
    """Start (once per process) a thread that writes a batch once it is due
    when no beacon comes to write it, so counts never wait for the next
    reader. gunicorn starts it in each worker (deploy/gunicorn.conf.py); the
    development server and tests flush on the beacon's own thread only."""
    if _idle_flusher:
        return
    thread = threading.Thread(target=_flush_forever, name="audience-flush", daemon=True)
    _idle_flusher.append(thread)
    thread.start()


def _flush_forever() -> None:
    from django.db import connections

    while True:
        time.sleep(min(buffer.max_seconds, 1))
        if buffer.due():
            flush()
            connections.close_all()  # this thread's own connections only
