"""Deep list pages as cheap as the first: articles numbered in publish order.

Published articles carry ``list_position`` 1, 2, 3 ... oldest first (drafts
none). Scheduled articles are all newer than every live one, so the live
articles are exactly positions 1..N, N being the position of the newest live
one: page k of the newest-first list is a range of positions, found through
an index, with no count of all live articles and no OFFSET past the pages
before it. ``?page=N`` links work as before.
"""

from datetime import UTC, datetime

from django.core.paginator import Paginator
from django.db import connections, transaction
from django.utils.functional import cached_property

from .models import Article

_RENUMBER = {
    # Published articles from ``since`` on, numbered after ``base``; only
    # rows whose number changes are written.
    "postgresql": """
        UPDATE {table} AS a SET list_position = r.n
        FROM (SELECT id, %s + row_number() OVER (ORDER BY published_at, id) AS n
              FROM {table} WHERE status = %s AND published_at >= %s) AS r
        WHERE a.id = r.id AND a.list_position IS DISTINCT FROM r.n
    """,
    "sqlite": """
        UPDATE {table} SET list_position = r.n
        FROM (SELECT id, %s + row_number() OVER (ORDER BY published_at, id) AS n
              FROM {table} WHERE status = %s AND published_at >= %s) AS r
        WHERE {table}.id = r.id AND {table}.list_position IS NOT r.n
    """,
}
EARLIEST = datetime.min.replace(tzinfo=UTC)


def positions_refresh(*, since: datetime | None = None, using="default") -> None:
    """Renumber published articles after one is published, unpublished,
    re-dated or deleted: those dated ``since`` (the earliest date involved,
    old or new) or later, the ones before keeping theirs. Idempotent;
    concurrent calls take turns."""
    since = since or EARLIEST
    connection = connections[using]
    table = connection.ops.quote_name(Article._meta.db_table)
    published = Article.objects.using(using).filter(status=Article.Status.PUBLISHED)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One renumbering at a time, each seeing the last one's result.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [table])
        base = (
            published.filter(published_at__lt=since)
            .order_by("-published_at", "-pk")
            .values_list("list_position", flat=True)
            .first()
        )
        cursor.execute(
            _RENUMBER[connection.vendor].format(table=table),
            [
                base or 0,
                Article.Status.PUBLISHED,
                connection.ops.adapt_datetimefield_value(since),
            ],
        )
        Article.objects.using(using).exclude(status=Article.Status.PUBLISHED).filter(
            list_position__gt=base or 0
        ).update(list_position=None)


class PositionPaginator(Paginator):
    """Pages of live articles (``object_list``, newest first) by position."""

    @cached_property
    def count(self) -> int:
        newest = (
            Article.objects.live()
            .order_by("-published_at", "-pk")
            .values_list("list_position", flat=True)
            .first()
        )
        return newest or 0

    def page(self, number):
        number = self.validate_number(number)
        top = self.count - (number - 1) * self.per_page
        rows = self.object_list.filter(
            list_position__gt=top - self.per_page, list_position__lte=top
        )
        return self._get_page(rows, number, self)
