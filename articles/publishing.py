"""The publishing desk: what "Publish now", "Schedule", "Unpublish" and
"Submit for review" do, said in words before they are done.

The admin (articles/admin_publish.py) only parses the request and calls these.
States come from ``models.publication_state`` and the writes from
``services``: this module adds the wording, the editor's time zone and the
review request.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from . import roles, services
from .models import Article, ArticleQuerySet, State

PUBLISH = "publish"
SCHEDULE = "schedule"
UNPUBLISH = "unpublish"
ACTIONS = (PUBLISH, SCHEDULE, UNPUBLISH)
# The submit buttons of the change form, by action.
BUTTONS = {f"_{action}": action for action in ACTIONS}
SUBMIT_REVIEW_BUTTON = "_submit_review"


def editor_zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The browser's IANA time zone when it is a real one, else None."""
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def when(moment: datetime, editor_tz: zoneinfo.ZoneInfo | None = None) -> str:
    """A moment in the site's time zone, and in the editor's when it differs."""
    local = timezone.localtime(moment)
    text = (
        f"{date_format(local, 'l j F Y, H:i')} {local.tzname()} ({settings.TIME_ZONE})"
    )
    if editor_tz is not None:
        theirs = moment.astimezone(editor_tz)
        if theirs.utcoffset() != local.utcoffset() or theirs.tzname() != local.tzname():
            text += (
                f", which is {date_format(theirs, 'l j F Y, H:i')} "
                f"{theirs.tzname()} in your time zone ({editor_tz.key})"
            )
    return text


def state_line(article: Article) -> str:
    """Draft / Scheduled for ... / Live since ..., as the form's first line."""
    match article.state:
        case State.PUBLISHED:
            return f"Live since {when(article.published_at)}"
        case State.SCHEDULED if article.published_at:
            return f"Scheduled for {when(article.published_at)}"
        case State.SCHEDULED:
            return "Scheduled"
    if article.review_requested_at:
        return f"Draft, waiting for review since {when(article.review_requested_at)}"
    return "Draft: not on the site"


def available_actions(article: Article) -> list[str]:
    """The publishing buttons an editor sees for ``article`` (saved or not)."""
    state = article.state
    if state == State.PUBLISHED:
        return [UNPUBLISH]
    if state == State.SCHEDULED:
        return [PUBLISH, SCHEDULE, UNPUBLISH]
    return [PUBLISH, SCHEDULE]


@dataclass(frozen=True)
class Plan:
    """One publishing action, checked and described before it is done."""

    action: str
    at: datetime | None
    summary: str
    error: str = ""


def plan(
    article: Article, action: str, *, editor_tz=None, now: datetime | None = None
) -> Plan:
    """What ``action`` would do to ``article`` now, in words (nothing is saved)."""
    now = now or timezone.now()
    title = f"“{article.title}”"
    if action == PUBLISH:
        if article.is_live:
            return Plan(action, None, "", f"{title} is already live.")
        return Plan(
            action,
            now,
            f"{title} goes live now, at {when(now, editor_tz)}: on the home page, "
            "in lists, feeds, the sitemap and search, and in the next weekly "
            "digest.",
        )
    if action == SCHEDULE:
        at = article.published_at
        if article.is_live:
            return Plan(action, None, "", f"{title} is already live.")
        if at is None or at <= now:
            return Plan(
                action,
                None,
                "",
                "To schedule, give a publish date in the future and press "
                "“Schedule” again.",
            )
        return Plan(
            action,
            at,
            f"{title} is scheduled: it goes live by itself on {when(at, editor_tz)}."
            " Until then readers cannot see it.",
        )
    if action == UNPUBLISH:
        if article.status != Article.Status.PUBLISHED:
            return Plan(action, None, "", f"{title} is already a draft.")
        what = "is taken off the site now" if article.is_live else "is unscheduled"
        return Plan(
            action,
            None,
            f"{title} {what} and goes back to draft, at {when(now, editor_tz)}. "
            "Its address answers “not found” until it is published again.",
        )
    return Plan(action, None, "", "Unknown action.")


@transaction.atomic
def article_apply(*, article: Article, action: str, at: datetime | None) -> Article:
    """Carry out a confirmed plan (see ``plan``)."""
    if action == UNPUBLISH:
        return services.article_unpublish(article=article)
    article.review_requested_at = None
    return services.article_publish(article=article, at=at)


@transaction.atomic
def article_request_review(*, article: Article) -> Article:
    """A writer's draft is ready: editors find it under "Waiting for review"."""
    if article.review_requested_at is None:
        article.review_requested_at = timezone.now()
        article.save(update_fields=["review_requested_at", "modified_at"])
    return article


def waiting_for_review_q() -> Q:
    return Q(status=Article.Status.DRAFT, review_requested_at__isnull=False)


def _pointing_at(article: Article):
    """Articles with a "Read more" to ``article`` or picking it as related."""
    pointing = Q(reads_more=article) | Q(related=article)
    return (
        Article.objects.filter(
            pk__in=Article.objects.filter(pointing).values("pk"),
        )
        .exclude(pk=article.pk)
        .only("title", "slug", "status", "published_at")
        .order_by("title", "pk")
    )


def live_referrers(article: Article):
    """Live articles pointing at ``article``: unpublishing it drops their
    "Read more" lines and related cards for it."""
    return _pointing_at(article).filter(ArticleQuerySet.live_q())


def links_here(article: Article, *, viewer):
    """What links here, among the articles ``viewer`` may know of (a writer
    learns nothing of someone else's drafts)."""
    return _pointing_at(article).filter(roles.visible_articles_q(viewer))
