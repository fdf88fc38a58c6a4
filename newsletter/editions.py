"""Newsletter editions: the weekly edition, scheduling, editing, test mails."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import formats, timezone

from articles.models import Article

from .delivery import SendReport, edition_send
from .delivery_lifecycle import deliveries_reopen_unknown
from .emails import digest_message, edition_render
from .handoffs import sending_wanted
from .models import Edition, EditionArticle, Subscriber


def send_time() -> time:
    """The local time of day the weekly edition is made (NEWSLETTER_SEND_TIME)."""
    hour, minute = (int(part) for part in settings.NEWSLETTER_SEND_TIME.split(":"))
    return time(hour, minute)


def arrival_time() -> time:
    """About when subscribers get the weekly digest, in local time: the time
    it is made plus the minutes editors have to review it
    (NEWSLETTER_REVIEW_MINUTES). The one rule the sign-up page and the
    welcome mail both state."""
    made = datetime.combine(date(2000, 1, 3), send_time())
    return (made + timedelta(minutes=settings.NEWSLETTER_REVIEW_MINUTES)).time()


def next_digest_at(now: datetime) -> datetime:
    """About when the next weekly digest reaches subscribers: the next send
    moment, plus the minutes editors have to review it."""
    review = timedelta(minutes=settings.NEWSLETTER_REVIEW_MINUTES)
    return latest_send_moment(now) + timedelta(days=7) + review


def latest_send_moment(now: datetime) -> datetime:
    """The most recent configured weekday and time at or before ``now``."""
    zone = timezone.get_current_timezone()
    local = timezone.localtime(now, zone)
    at = send_time()
    days_back = (local.weekday() - settings.NEWSLETTER_SEND_WEEKDAY) % 7
    day = local.date() - timedelta(days=days_back)
    moment = datetime.combine(day, at, tzinfo=zone)
    if moment > now:
        moment = datetime.combine(day - timedelta(days=7), at, zone)
    return moment


def week_start(period_end: datetime, *, exclude: Edition | None = None) -> datetime:
    """Where the week ending at ``period_end`` starts: where the contents of
    the last edition that went out end, weekly or made by hand
    (EditionQuerySet.with_contents_end), or a week before if none did."""
    previous = (
        Edition.objects.archived()
        .with_contents_end()
        .filter(contents_end__lt=period_end)
        .exclude(pk=exclude.pk if exclude else None)
        .aggregate(end=Max("contents_end"))["end"]
    )
    return previous or period_end - timedelta(days=7)


def week_articles(period_start: datetime, period_end: datetime):
    """The live articles published in a week that no edition has taken to
    subscribers yet, newest first (the edition's order)."""
    return (
        Article.objects.live()
        .filter(published_at__gt=period_start, published_at__lte=period_end)
        .exclude(pk__in=Edition.objects.sent_articles())
        .newest_first()
    )


def week_went_out(period_end: datetime) -> bool:
    """True if the week ending at ``period_end`` has its edition already: a
    weekly one, or one that went out, made by hand, at or after its end."""
    return (
        Edition.objects.with_contents_end()
        .filter(
            Q(period_end__gte=period_end)
            | Q(contents_end__gte=period_end, pk__in=Edition.objects.archived())
        )
        .exists()
    )


def edition_week(*, edition: Edition, now: datetime | None = None):
    """The week an edition covers: its own period when the weekly job made
    it; for one made by hand, the week the next weekly edition would cover,
    up to now."""
    if edition.period_end is not None:
        start = edition.period_start or week_start(edition.period_end, exclude=edition)
        return start, edition.period_end
    now = now or timezone.now()
    return week_start(now, exclude=edition), now


def edition_add_week_articles(
    *, edition: Edition, now: datetime | None = None
) -> list[Article]:
    """Add the week's live articles (week_articles: none that went out
    already) not yet in this edition.

    They go after the articles already there, newest first, as the weekly
    job orders them. Returns the articles added (none once sending started).
    """
    if not edition.is_editable:
        return []
    start, end = edition_week(edition=edition, now=now)
    new = list(
        week_articles(start, end).exclude(
            pk__in=edition.edition_articles.values("article_id")
        )
    )
    last = edition.edition_articles.aggregate(last=Max("position"))["last"] or 0
    EditionArticle.objects.bulk_create(
        [
            EditionArticle(edition=edition, article=article, position=position)
            for position, article in enumerate(new, start=last + 1)
        ],
        ignore_conflicts=True,  # added by someone else a moment ago
    )
    return new


def edition_create_due(*, now: datetime | None = None) -> Edition | None:
    """Create this week's edition once its weekday and time have come.

    It collects the articles published since the contents of the last
    edition that went out end (weekly or made by hand), newest first, leaving
    out any article an edition has already taken to subscribers, and is
    scheduled NEWSLETTER_REVIEW_MINUTES from now so editors can edit it
    first. None once an edition covers the week (week_went_out). Safe to call
    any number of times: the period end is unique in the database. With
    NEWSLETTER_SKIP_EMPTY_WEEKS a week without new articles gets no edition
    and the next one covers both weeks.
    """
    now = now or timezone.now()
    period_end = latest_send_moment(now)
    if week_went_out(period_end):
        return None
    period_start = week_start(period_end)
    article_ids = list(
        week_articles(period_start, period_end).values_list("pk", flat=True)
    )
    if not article_ids and settings.NEWSLETTER_SKIP_EMPTY_WEEKS:
        return None
    date = formats.date_format(timezone.localtime(period_end), "j F Y")
    review = timedelta(minutes=settings.NEWSLETTER_REVIEW_MINUTES)
    try:
        with transaction.atomic():
            edition = Edition.objects.create(
                subject=f"{settings.SITE_NAME} weekly: new articles, {date}",
                status=Edition.Status.SCHEDULED,
                scheduled_for=now + review,
                period_start=period_start,
                period_end=period_end,
            )
            EditionArticle.objects.bulk_create(
                EditionArticle(edition=edition, article_id=pk, position=position)
                for position, pk in enumerate(article_ids, start=1)
            )
    except IntegrityError:
        return None  # another run created it a moment ago
    return edition


def _send_when_due(edition: Edition, when: datetime | None) -> None:
    """Have the worker send a scheduled edition at its time.

    The task re-checks that the edition is still due when it runs, so an
    edition rescheduled or unscheduled since is left alone (a rescheduled one
    has its own task for the new time).
    """
    if when:
        sending_wanted.send(sender=Edition, edition=edition, when=when)


def edition_schedule(*, edition: Edition, when: datetime | None) -> bool:
    """Schedule a draft or scheduled edition for ``when``; None makes it a draft.

    A time that has come ("send now") starts sending within seconds.
    """
    status = Edition.Status.SCHEDULED if when else Edition.Status.DRAFT
    changed = bool(
        Edition.objects.editable()
        .filter(pk=edition.pk)
        .update(status=status, scheduled_for=when)
    )
    if changed:
        _send_when_due(edition, when)
    return changed


def edition_update(
    *, edition: Edition, subject: str, intro: str, scheduled_for: datetime | None
) -> bool:
    """Save an editor's changes unless sending has started meanwhile.

    A time in ``scheduled_for`` schedules the edition; none makes it a draft.
    """
    changed = bool(
        Edition.objects.editable()
        .filter(pk=edition.pk)
        .update(
            subject=subject,
            intro=intro,
            scheduled_for=scheduled_for,
            status=Edition.Status.SCHEDULED if scheduled_for else Edition.Status.DRAFT,
        )
    )
    if changed:
        _send_when_due(edition, scheduled_for)
    return changed


def edition_save(*, edition: Edition, is_new: bool) -> bool:
    """Store an editor's edition form; False if sending started meanwhile
    (then nothing changed).

    A new edition is stored as a draft, then scheduled if it has a time; an
    existing one changes only while it is a draft or scheduled
    (edition_update).
    """
    if is_new:
        edition.status = Edition.Status.DRAFT
        edition.save()
        if edition.scheduled_for:
            edition_schedule(edition=edition, when=edition.scheduled_for)
        return True
    return edition_update(
        edition=edition,
        subject=edition.subject,
        intro=edition.intro,
        scheduled_for=edition.scheduled_for,
    )


def edition_articles_place(
    *,
    edition: Edition,
    entries: list[EditionArticle],
    removed: list[EditionArticle],
) -> None:
    """Store an editor's list of the edition's articles: ``removed`` go, and
    an entry without a position goes after all the others, in list order."""
    for entry in removed:
        entry.delete()
    kept = edition.edition_articles.exclude(
        pk__in=[entry.pk for entry in entries if entry.pk]
    )
    last = max(
        [entry.position or 0 for entry in entries]
        + [kept.aggregate(last=Max("position"))["last"] or 0]
    )
    for entry in entries:
        if entry.position is None:  # left blank: after the others
            last += 1
            entry.position = last
        entry.save()


def edition_resend_unknown(*, edition: Edition, shown: dict[int, int]) -> int:
    """Resend, deliberately, the mails of unknown outcome an editor confirmed
    (``shown``: delivery id to attempts, as the confirmation page listed them).

    Each is reopened once (delivery.deliveries_reopen_unknown) and sent by the
    usual senders and task, so it goes out at most once more however often
    this is called. Returns how many were reopened.
    """
    reopened = deliveries_reopen_unknown(edition=edition, shown=shown)
    if reopened:
        transaction.on_commit(
            lambda: sending_wanted.send(sender=Edition, edition=edition, when=None)
        )
    return len(reopened)


def edition_send_test(*, edition: Edition, to: str) -> None:
    """Mail the edition to one address (an editor's), marked as a test.

    Its unsubscribe link is that address's own if it is a subscriber, so the
    whole path can be tried; otherwise it points at no subscription.
    """
    text, html = edition_render(edition=edition)
    subscriber = Subscriber.objects.with_email(to).first() or Subscriber(
        email=to, token="test-mail-not-a-subscription"
    )
    message = digest_message(
        edition=edition, text=text, html=html, subscriber=subscriber
    )
    message.subject = f"[Test] {message.subject}"
    message.send(using="default")


def editions_send_due(
    *, batch_size: int | None = None, should_stop: Callable[[], bool] | None = None
) -> list[tuple[Edition, SendReport]]:
    """Send every edition whose time has come (the cron job's work)."""
    results = []
    for edition in Edition.objects.due():
        results.append(
            (
                edition,
                edition_send(
                    edition=edition, batch_size=batch_size, should_stop=should_stop
                ),
            )
        )
        if results[-1][1].stopped:
            break
    return results
