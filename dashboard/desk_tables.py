"""The articles waiting for an editor: review requests and what is scheduled.

Writers see only their own (``articles.roles``); editors see every one.
"""

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from articles import roles
from articles.models import Article, ArticleQuerySet, State
from desk.publishing import waiting_for_review_q

from .tables import ArticleRef, Table

LIMIT = 10
SCHEDULED_DAYS = 7


def _mine_or_all(user) -> Q:
    """Editors: every article; writers: their own (even the live ones are
    not theirs to review)."""
    if roles.can_publish(user):
        return Q()
    author = roles.author_of(user)
    return Q(author=author) if author is not None else Q(pk__in=[])


def changelist_url(**filters) -> str:
    return f"{reverse('admin:articles_article_changelist')}?{urlencode(filters)}"


def review_table(*, user, now: datetime, days=None, limit=LIMIT) -> Table:
    """Drafts waiting for review, the longest waiting first."""
    rows = (
        Article.objects.filter(waiting_for_review_q(), _mine_or_all(user))
        .order_by("review_requested_at", "pk")
        .values_list("pk", "title", "author__name", "review_requested_at")
    )
    if limit is not None:
        rows = rows[:limit]
    return Table(
        name="review",
        caption="Waiting for review",
        columns=["article", "author", "waiting since"],
        rows=[[ArticleRef(pk, title), name, at] for pk, title, name, at in rows],
        empty="Nothing waits for review.",
    )


def review_count(*, user) -> int:
    return Article.objects.filter(waiting_for_review_q(), _mine_or_all(user)).count()


def scheduled_table(*, user, now: datetime, days=SCHEDULED_DAYS, limit=LIMIT) -> Table:
    """Published articles whose date comes in the next ``days`` days, soonest
    first, among those the viewer may know of."""
    days = days or SCHEDULED_DAYS
    rows = (
        Article.objects.filter(
            ArticleQuerySet.published_or_scheduled_q(),
            roles.visible_articles_q(user),
            published_at__gt=now,
            published_at__lte=now + timedelta(days=days),
        )
        .order_by("published_at", "pk")
        .values_list("pk", "title", "author__name", "published_at")
    )
    if limit is not None:
        rows = rows[:limit]
    return Table(
        name="scheduled",
        caption=f"Scheduled in the next {days} days",
        columns=["article", "author", "goes live"],
        rows=[[ArticleRef(pk, title), name, at] for pk, title, name, at in rows],
        days=days,
        empty=f"Nothing is scheduled in the next {days} days.",
    )


REVIEW_LIST_URL = {"review_request": "waiting"}
SCHEDULED_LIST_URL = {"state": State.SCHEDULED.value}
