"""Deep list pages as cheap as the first: articles numbered in publish order.

Published articles carry ``list_position`` 1, 2, 3 ... oldest first (drafts
none). Scheduled articles are all newer than every live one, so the live
articles are exactly positions 1..N, N being the position of the newest live
one: page k of the newest-first list is a range of positions, found through
an index, with no count of all live articles and no OFFSET past the pages
before it. ``?page=N`` links work as before. A topic's pages do the same with
each article's place in the topic (``TopicPosition``, ``TopicPaginator``).
"""

from datetime import UTC, datetime

from django.core.paginator import Paginator
from django.db import connections, transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils.functional import cached_property

from .models import Article, TopicPosition

_RENUMBER = {
    # Rows numbered by ``{numbered}`` (id, n), moved after ``base``; only
    # rows whose number changes are written.
    "postgresql": """
        UPDATE {table} AS a SET list_position = %s + r.n
        FROM ({numbered}) AS r
        WHERE a.id = r.id AND a.list_position IS DISTINCT FROM %s + r.n
    """,
    "sqlite": """
        UPDATE {table} SET list_position = %s + r.n
        FROM ({numbered}) AS r
        WHERE {table}.id = r.id AND {table}.list_position IS NOT %s + r.n
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
    published = Article.objects.using(using).published_or_scheduled()
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
        # Published articles from ``since`` on, oldest first.
        numbered = (
            published.filter(published_at__gte=since)
            .annotate(n=Window(RowNumber(), order_by=[F("published_at"), F("pk")]))
            .order_by()
            .values("id", "n")
        )
        numbered_sql, numbered_params = numbered.query.sql_with_params()
        cursor.execute(
            _RENUMBER[connection.vendor].format(table=table, numbered=numbered_sql),
            [base or 0, *numbered_params, base or 0],
        )
        Article.objects.using(using).exclude(
            Article.objects.published_or_scheduled_q()
        ).filter(list_position__gt=base or 0).update(list_position=None)


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


class TopicPaginator(Paginator):
    """Pages of a topic's live articles (``object_list``, newest first) by
    their place in the topic: its live articles are places 1..N, N being
    ``topic.article_count`` (kept as data, see ``live_topics``), since its
    scheduled ones come after them."""

    def __init__(self, object_list, per_page, *, topic, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.topic = topic
        self.count = topic.article_count  # a cached property: never queried

    def page(self, number):
        number = self.validate_number(number)
        top = self.count - (number - 1) * self.per_page
        places = TopicPosition.objects.filter(
            tag=self.topic, position__gt=top - self.per_page, position__lte=top
        )
        rows = self.object_list.filter(pk__in=places.values("article_id"))
        return self._get_page(rows, number, self)
