"""The newsletter on the dashboard: the next edition and how the last one did."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F
from django.urls import reverse

from newsletter import editions, reports
from newsletter.clicks import edition_clicks
from newsletter.models import Edition, Subscriber

from .memo import remembered
from .tables import ArticleRef, Table

NOTHING = "none"  # no edition went out yet (a cached None would not stick)

# Articles listed for a weekly edition not made yet (what it holds so far).
PREVIEW_LIMIT = 20


@dataclass
class NextEdition:
    edition: Edition | None  # None: the weekly job has not made it yet
    at: datetime | None  # when it reaches subscribers (None: a draft)
    recipients: int
    table: Table

    @property
    def url(self) -> str:
        if self.edition is None:
            return reverse("admin:newsletter_edition_changelist")
        return reverse("admin:newsletter_edition_change", args=[self.edition.pk])


@dataclass
class LastEdition:
    edition: Edition  # annotated with_delivery_counts
    outcome: reports.EditionOutcome
    table: Table | None  # clicks per article (None: no permission)

    @property
    def url(self) -> str:
        return reverse("admin:newsletter_edition_change", args=[self.edition.pk])


def upcoming() -> Edition | None:
    """The edition that goes out next: the soonest scheduled, else the newest
    draft."""
    return (
        Edition.objects.editable()
        .order_by(F("scheduled_for").asc(nulls_last=True), "-created_at", "-pk")
        .first()
    )


def next_edition(*, now: datetime, days=None) -> NextEdition:
    """The next edition, when it goes out and to how many; when the weekly
    job has not made it yet, the articles it would hold so far."""
    edition = upcoming()
    if edition is not None:
        at = edition.scheduled_for
        rows = edition.live_articles().values_list(
            "article_id", "article__title", "article__published_at"
        )
    else:
        at = editions.next_digest_at(now)
        rows = editions.week_articles(editions.week_start(now), now).values_list(
            "pk", "title", "published_at"
        )[:PREVIEW_LIMIT]
    table = Table(
        name="next-edition",
        caption="Articles in the next edition",
        columns=["article", "published"],
        rows=[[ArticleRef(pk, title), at] for pk, title, at in rows],
        empty="No article yet.",
    )
    recipients = Subscriber.objects.receiving(at or now).count()
    return NextEdition(edition=edition, at=at, recipients=recipients, table=table)


def last_edition(*, with_clicks: bool, refresh=False) -> LastEdition | None:
    """The edition that went out last (or is going out), with its delivery
    counts and what happened after it (kept a minute: memo.py), and its
    clicks per article (always fresh)."""
    counted = remembered("last-edition", _last_counted, refresh=refresh)
    if counted == NOTHING:
        return None
    edition, outcome = counted
    return LastEdition(
        edition=edition,
        outcome=outcome,
        table=clicks_table(edition) if with_clicks else None,
    )


def _last_counted():
    newest = Edition.objects.archived().order_by(
        F("started_at").desc(nulls_last=True), "-pk"
    )
    # Counted for that one edition: annotating every edition first would
    # count every delivery ever made.
    edition = (
        Edition.objects.filter(pk__in=newest.values("pk")[:1])
        .with_delivery_counts()
        .first()
    )
    if edition is None:
        return NOTHING
    return edition, reports.edition_outcomes([edition])[edition.pk]


def clicks_table(edition: Edition) -> Table:
    return Table(
        name="last-edition",
        caption=f"Clicks per article in “{edition}”",
        columns=["article", "clicks"],
        rows=[
            [ArticleRef(article.pk, article.title), clicks]
            for article, clicks in edition_clicks(edition)
        ],
        empty="No article in it.",
    )


def last_edition_table(*, now=None, days=None) -> Table:
    """The last edition's clicks per article (for the CSV export)."""
    last = last_edition(with_clicks=True)
    if last is None:
        return Table("last-edition", "Clicks per article", ["article", "clicks"])
    return last.table
