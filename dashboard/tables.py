"""The dashboard's tables: what the page shows and the CSV export writes.

A table is built once, for the page and for its CSV alike, so the two never
disagree. Cells naming an article hold an ``ArticleRef``; ``name_articles``
gives them their titles and admin links in one query for every table of a
page (the figures tables hold only ids).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.urls import reverse
from django.utils import timezone

from articles.models import Article


@dataclass
class ArticleRef:
    """An article in a table: its id, then its title and admin page."""

    pk: int
    title: str = ""

    @property
    def url(self) -> str:
        return reverse("admin:articles_article_change", args=[self.pk])

    def __str__(self):
        return self.title or f"Article {self.pk} (deleted)"


@dataclass
class Table:
    """Rows under a caption; ``name`` is its CSV export's (``<name>.csv``)."""

    name: str
    caption: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    days: int | None = None  # the period it covers, when it has one
    empty: str = "Nothing yet."
    # The admin list behind it, linked under the table.
    admin_list: str = ""
    admin_list_text: str = ""

    @property
    def admin_url(self) -> str:
        return reverse(self.admin_list) if self.admin_list else ""

    @property
    def numeric(self) -> list[bool]:
        """Which columns hold numbers (right-aligned on the page)."""
        first = self.rows[0] if self.rows else []
        return [isinstance(value, int) for value in first]


def name_articles(tables) -> None:
    """Fill in the titles of the ArticleRefs in ``tables`` that have none
    (one query for all, none when every one has its title)."""
    refs = [
        cell
        for table in tables
        if table is not None
        for row in table.rows
        for cell in row
        if isinstance(cell, ArticleRef) and not cell.title
    ]
    if not refs:
        return
    titles = dict(
        Article.objects.filter(pk__in={ref.pk for ref in refs})
        .order_by()
        .values_list("pk", "title")
    )
    for ref in refs:
        ref.title = titles.get(ref.pk, "")


def plain(value) -> str:
    """A cell as text, for CSV: dates in ISO form, articles by title."""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)
