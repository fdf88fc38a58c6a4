"""The publishing desk: what "Publish now", "Schedule", "Unpublish" and
"Submit for review" do, said in words before they are done.

The admin (desk/admin_publish.py) only parses the request and calls these.
States come from ``models.publication_state`` and the writes from
``services``: this module adds the wording, the editor's time zone and the
review request.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles import read_more, roles, services
from articles.models import Article, ArticleQuerySet, State

from . import reviews
from .moments import when

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


# A moment stays within these years in every time zone (offsets are under a
# day), so showing it in the site's or the editor's zone cannot overflow.
FIRST_YEAR, LAST_YEAR = 2, 9998


def parse_moment(text: str) -> datetime | None:
    """An ISO date and time with its offset, as the buttons send it, or None.

    None too for a moment outside FIRST_YEAR to LAST_YEAR in UTC: 9999-12-31
    at 23:59 at -14:00 is already the year 10000 in UTC, which no datetime holds.
    """
    try:
        moment = parse_datetime(text[:64])
    except ValueError:
        return None
    if moment is None or moment.tzinfo is None:
        return None
    try:
        year = moment.astimezone(UTC).year
    except OverflowError:
        return None
    return moment if FIRST_YEAR <= year <= LAST_YEAR else None


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


def pressed(data) -> str:
    """The publishing action whose button a form post names, or ""."""
    return next((action for name, action in BUTTONS.items() if name in data), "")


def confirmation_query(action: str, *, tz: str, requested) -> dict:
    """The confirmation page's query: the action, the editor's time zone when
    it is a real one, and the new time asked for with "Schedule"."""
    query = {"action": action}
    if editor_zone(tz):
        query["tz"] = tz
    if action == SCHEDULE and requested:
        query["at"] = requested.isoformat()
    return query


def bar(article: Article, *, saved: bool, viewer, may_submit: bool, tz_field: str):
    """What the form's publishing bar shows (``saved``: a stored article)."""
    return {
        "state": article.state if saved else None,
        "line": state_line(article) if saved else "Not saved yet",
        "live_url": article.get_absolute_url() if saved and article.is_live else "",
        "actions": available_actions(article) if roles.can_publish(viewer) else [],
        "may_submit": may_submit,
        "tz_field": tz_field,
        "links_here": links_here(article, viewer=viewer) if saved else None,
    }


def publish_date_on_save(
    article: Article,
    requested: datetime | None,
    *,
    button: str = "",
    now: datetime | None = None,
) -> tuple[datetime | None, str]:
    """The publish date a save stores, and why it may not, if it may not.

    A save never changes where an article stands: only the publishing
    buttons do, after their confirmation. ``article`` is the stored article,
    ``requested`` the date in the form, ``button`` the publishing action the
    editor pressed, if any. A draft keeps any date ("Schedule" reads it
    there). A scheduled article keeps its time: "Schedule" carries the new
    time to its confirmation, "Publish now" makes it now anyway. A live
    article takes a corrected date that has passed, never a future one (that
    would take it off the site).
    """
    now = now or timezone.now()
    stored = article.published_at
    state = article.state if article.pk else State.DRAFT
    if state == State.DRAFT or requested == stored:
        return requested, ""
    title = f"“{article.title}”"
    if state == State.SCHEDULED:
        if button in (SCHEDULE, PUBLISH):
            return stored, ""
        return stored, (
            f"{title} is scheduled for {when(stored) if stored else 'later'}. "
            "To change when it goes live, give the new date and press "
            "“Schedule…” (you confirm the new time next); to take it off the "
            "schedule, press “Unpublish…”."
        )
    if requested is None or requested > now:
        return stored, (
            f"{title} is live: a publish date "
            + ("in the future" if requested else "left blank")
            + " would take it off the site. Keep a date that has passed; to "
            "take it off the site or schedule it again, press “Unpublish…” "
            "first."
        )
    return requested, ""


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
    article: Article,
    action: str,
    *,
    editor_tz=None,
    at: datetime | None = None,
    now: datetime | None = None,
) -> Plan:
    """What ``action`` would do to ``article`` now, in words (nothing is saved).

    ``at`` is the time asked for with "Schedule" when it is not the stored
    one (a scheduled article keeps its time until the new one is confirmed).
    """
    now = now or timezone.now()
    title = f"“{article.title}”"
    if action == PUBLISH:
        return _plan_publish(article, title, editor_tz=editor_tz, now=now)
    if action == SCHEDULE:
        return _plan_schedule(article, title, editor_tz=editor_tz, at=at, now=now)
    if action == UNPUBLISH:
        return _plan_unpublish(article, title, editor_tz=editor_tz, now=now)
    return Plan(action, None, "", "Unknown action.")


def _plan_publish(article, title, *, editor_tz, now) -> Plan:
    if article.is_live:
        return Plan(PUBLISH, None, "", f"{title} is already live.")
    return Plan(
        PUBLISH,
        now,
        f"{title} goes live now, at {when(now, editor_tz)}: on the home page, "
        "in lists, feeds, the sitemap and search, and in the next weekly "
        "digest.",
    )


def _plan_schedule(article, title, *, editor_tz, at, now) -> Plan:
    at = at or article.published_at
    if article.is_live:
        return Plan(SCHEDULE, None, "", f"{title} is already live.")
    if at is None or at <= now:
        return Plan(
            SCHEDULE,
            None,
            "",
            "To schedule, give a publish date in the future and press "
            "“Schedule” again.",
        )
    return Plan(
        SCHEDULE,
        at,
        f"{title} is scheduled: it goes live by itself on {when(at, editor_tz)}."
        " Until then readers cannot see it.",
    )


def _plan_unpublish(article, title, *, editor_tz, now) -> Plan:
    if article.status != Article.Status.PUBLISHED:
        return Plan(UNPUBLISH, None, "", f"{title} is already a draft.")
    what = "is taken off the site now" if article.is_live else "is unscheduled"
    return Plan(
        UNPUBLISH,
        None,
        f"{title} {what} and goes back to draft, at {when(now, editor_tz)}. "
        "Its address answers “not found” until it is published again.",
    )


def bulk_question(action: str, count: int) -> str:
    """The title of the list's confirmation page."""
    what = {PUBLISH: "Publish", UNPUBLISH: "Unpublish"}.get(action, action)
    noun = "article" if count == 1 else "articles"
    if action == PUBLISH:
        return f"{what} {count} {noun} now?"
    return f"{what} {count} {noun}?"


def bulk_summary(action: str, articles: list[Article], *, now: datetime) -> str:
    """What a publishing action from the list does to ``articles``, in words."""
    if action == PUBLISH:
        text = (
            f"They go live now, at {when(now)}: on the home page, in lists, "
            "feeds, the sitemap and search, and in the next weekly digest."
        )
        if any(article.state == State.SCHEDULED for article in articles):
            text += " Scheduled ones no longer wait for their date."
        return text
    return (
        f"They are taken off the site (or unscheduled) and go back to draft, "
        f"at {when(now)}. Their addresses answer “not found” until they are "
        "published again."
    )


@transaction.atomic
def article_apply(
    *, article: Article, action: str, at: datetime | None, user=None
) -> Article:
    """Carry out a confirmed plan (see ``plan``); a draft that waited for
    review tells its writer (``reviews.review_published``)."""
    if action == UNPUBLISH:
        return services.article_unpublish(article=article)
    waited = reviews.review_claim_published(article=article)
    article = services.article_publish(article=article, at=at)
    if waited:
        reviews.review_published(article=article, user=user)
    return article


def missing_cover_warning(article: Article) -> str:
    if article.cover_image:
        return ""
    return (
        f"“{article}” has no cover image: lists show a plain panel in its "
        "topic's colour instead, and shares use the site's default picture."
    )


def read_more_warnings(article: Article, *, viewer) -> list[str]:
    """A saved text's "Read more" lines readers will not see yet, in words."""
    targets = read_more.targets_for([article.body_html], viewer=viewer)
    warnings = []
    for target in sorted(targets.values(), key=lambda target: target.title):
        if target.is_live:
            continue
        state = (
            f"is scheduled for {when(target.published_at)}"
            if target.state == State.SCHEDULED and target.published_at
            else "is a draft"
        )
        warnings.append(
            f"“Read more” points to “{target}”, which {state}: readers will "
            "not see that line until it is published."
        )
    return warnings


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
