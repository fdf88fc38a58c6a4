"""Newsletter writes: sign-up, confirmation, unsubscription, editions, sending.

Sending guarantees "never twice" with one rule: a delivery is marked
``sending`` in its own committed UPDATE (conditional on this sender still
holding it) before its mail is handed to the mail server, and marked ``sent``
after. A sender that dies between the two leaves the row in ``sending``; once
its claim has timed out that row becomes a non-retryable failure, because the
mail may have gone out. That is the at-most-once choice: a subscriber may miss
one edition if a sender is killed during their mail (shown in the admin as a
failure), but nobody is mailed twice. A stop by SIGTERM or Ctrl-C finishes the
current mail and releases the rest, so only a hard kill can cause it.
"""

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Greatest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone

from articles.models import Article

from . import tokens
from .models import Delivery, Edition, EditionArticle, Subscriber

logger = logging.getLogger(__name__)

CONFIRMATION_INTERVAL = timedelta(minutes=10)
CONFIRMATIONS_PER_DAY = 3
# A MAILERS alias with a short timeout for mails sent while a reader waits.
SIGNUP_MAILER = "newsletter_signup"
# Rendered once per batch, then replaced by each subscriber's own link.
UNSUBSCRIBE_PLACEHOLDER = "%%UNSUBSCRIBE_URL%%"


class MailServerUnavailable(Exception):
    """The mail server could not be reached: nothing was sent, try again later."""


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def _one_line(value: str) -> str:
    # Header values never carry line breaks (no header injection).
    return " ".join(value.split())


def newsletter_message(
    *, subject: str, text: str, html: str, to: str, unsubscribe_url: str
) -> EmailMultiAlternatives:
    """A newsletter mail with the unsubscribe headers RFC 8058 asks for.

    ``text`` and ``html`` may contain UNSUBSCRIBE_PLACEHOLDER, replaced here by
    the subscriber's visible unsubscribe link.
    """
    message = EmailMultiAlternatives(
        subject=_one_line(subject),
        body=text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url),
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        html.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url), "text/html"
    )
    return message


def _mail_context(**extra) -> dict:
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "postal_address": settings.NEWSLETTER_POSTAL_ADDRESS,
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        **extra,
    }


# ---------------------------------------------------------------------------
# Subscribers
# ---------------------------------------------------------------------------
def subscriber_signup(*, email: str, source: str, consent_version: str) -> Subscriber:
    """Record a sign-up of a normalised address and mail a confirmation link.

    Idempotent and safe under concurrency: the insert is INSERT ... ON
    CONFLICT DO NOTHING (INSERT OR IGNORE on SQLite), so simultaneous sign-ups
    of one address leave one row, which everybody then reads. A confirmed
    subscriber is left as is; anyone else becomes pending and needs to confirm
    (again). Call it outside a transaction: the row is committed before the
    mail goes out, so a mail server that is down loses no sign-up.
    """
    now = timezone.now()
    fields = {"source": source, "consent_version": consent_version}
    Subscriber.objects.bulk_create(
        [Subscriber(email=email, signed_up_at=now, **fields)], ignore_conflicts=True
    )
    subscriber = Subscriber.objects.with_email(email).get()
    if subscriber.status != Subscriber.Status.CONFIRMED:
        Subscriber.objects.filter(pk=subscriber.pk).exclude(
            status=Subscriber.Status.CONFIRMED
        ).update(status=Subscriber.Status.PENDING, signed_up_at=now, **fields)
        subscriber.refresh_from_db()
    if subscriber.status == Subscriber.Status.PENDING:
        subscriber_send_confirmation(subscriber=subscriber)
    return subscriber


def subscriber_send_confirmation(
    *, subscriber: Subscriber, force: bool = False
) -> bool:
    """Mail a confirmation link unless the throttle says no; True if it went out.

    The throttle (one per 10 minutes, three per day) is taken by a single
    conditional UPDATE, so concurrent sign-ups cannot both pass it. ``force``
    (an editor's "resend") skips the throttle but still records the mail. A
    mail that fails gives its throttle slot back, so signing up again retries.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    pending = Subscriber.objects.filter(
        pk=subscriber.pk, status=Subscriber.Status.PENDING
    )
    if not force:
        pending = pending.filter(
            Q(last_confirmation_sent_at__isnull=True)
            | Q(last_confirmation_sent_at__lte=now - CONFIRMATION_INTERVAL)
        ).filter(
            ~Q(confirmations_sent_on=today)
            | Q(confirmations_sent_count__lt=CONFIRMATIONS_PER_DAY)
        )
    # Kept to give the slot back if the mail fails; None: the throttle says no.
    previous = pending.values_list("last_confirmation_sent_at").first()
    if previous is None:
        return False
    taken = pending.update(
        last_confirmation_sent_at=now,
        confirmations_sent_count=Case(
            When(confirmations_sent_on=today, then=F("confirmations_sent_count") + 1),
            default=Value(1),
        ),
        confirmations_sent_on=today,
    )
    if not taken:
        return False
    try:
        confirmation_message(subscriber=subscriber, issued_at=now).send(
            using=SIGNUP_MAILER if SIGNUP_MAILER in mail.mailers else "default"
        )
    except Exception:
        # Logged for the operators; the row stays and the reader sees the
        # usual page. Signing up again (or an editor's resend) retries.
        logger.exception("Confirmation mail to subscriber %s failed", subscriber.pk)
        Subscriber.objects.filter(
            pk=subscriber.pk, last_confirmation_sent_at=now
        ).update(
            last_confirmation_sent_at=previous[0],
            confirmations_sent_count=Greatest(F("confirmations_sent_count") - 1, 0),
        )
        return False
    return True


def confirmation_message(
    *, subscriber: Subscriber, issued_at: datetime
) -> EmailMultiAlternatives:
    token = tokens.make_confirmation_token(subscriber, issued_at=issued_at)
    context = _mail_context(
        confirm_url=absolute_url(
            reverse("newsletter:confirm", kwargs={"token": token})
        ),
        valid_days=max(1, settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400),
    )
    return newsletter_message(
        subject=f"Confirm your subscription to the {settings.SITE_NAME} digest",
        text=render_to_string("newsletter/email/confirmation.txt", context),
        html=render_to_string("newsletter/email/confirmation.html", context),
        to=subscriber.email,
        unsubscribe_url=absolute_url(subscriber.get_unsubscribe_path()),
    )


def subscriber_confirm(*, subscriber: Subscriber, issued_at: datetime) -> bool:
    """Confirm a pending subscriber by a link issued at ``issued_at``.

    True if this call confirmed them; False if they were already confirmed,
    or the link predates their latest unsubscription (nothing changes).
    """
    link_is_current = Q(unsubscribed_at__isnull=True) | Q(unsubscribed_at__lt=issued_at)
    return bool(
        Subscriber.objects.filter(pk=subscriber.pk, status=Subscriber.Status.PENDING)
        .filter(link_is_current)
        .update(status=Subscriber.Status.CONFIRMED, confirmed_at=timezone.now())
    )


def subscriber_unsubscribe(
    *, subscriber: Subscriber, method: Subscriber.UnsubscribeMethod
) -> bool:
    """Unsubscribe at once; True if this call changed anything."""
    return bool(
        Subscriber.objects.filter(pk=subscriber.pk)
        .exclude(status=Subscriber.Status.UNSUBSCRIBED)
        .update(
            status=Subscriber.Status.UNSUBSCRIBED,
            unsubscribed_at=timezone.now(),
            unsubscribe_method=method,
        )
    )


# ---------------------------------------------------------------------------
# Editions
# ---------------------------------------------------------------------------
def latest_send_moment(now: datetime) -> datetime:
    """The most recent configured weekday and time at or before ``now``."""
    zone = timezone.get_current_timezone()
    local = timezone.localtime(now, zone)
    hour, minute = (int(part) for part in settings.NEWSLETTER_SEND_TIME.split(":"))
    days_back = (local.weekday() - settings.NEWSLETTER_SEND_WEEKDAY) % 7
    day = local.date() - timedelta(days=days_back)
    moment = datetime.combine(day, time(hour, minute), tzinfo=zone)
    if moment > now:
        moment = datetime.combine(day - timedelta(days=7), time(hour, minute), zone)
    return moment


def edition_create_due(*, now: datetime | None = None) -> Edition | None:
    """Create this week's edition once its weekday and time have come.

    It collects the articles published since the previous edition's period
    end, newest first, and is scheduled NEWSLETTER_REVIEW_MINUTES from now so
    editors can edit it first. Safe to call any number of times: the period
    end is unique in the database. With NEWSLETTER_SKIP_EMPTY_WEEKS a week
    without new articles gets no edition and the next one covers both weeks.
    """
    now = now or timezone.now()
    period_end = latest_send_moment(now)
    if Edition.objects.filter(period_end__gte=period_end).exists():
        return None
    previous = (
        Edition.objects.filter(period_end__isnull=False).order_by("-period_end").first()
    )
    period_start = previous.period_end if previous else period_end - timedelta(days=7)
    article_ids = list(
        Article.objects.published()
        .filter(published_at__gt=period_start, published_at__lte=period_end)
        .newest_first()
        .values_list("pk", flat=True)
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


def edition_schedule(*, edition: Edition, when: datetime | None) -> bool:
    """Schedule a draft or scheduled edition for ``when``; None makes it a draft."""
    status = Edition.Status.SCHEDULED if when else Edition.Status.DRAFT
    return bool(
        Edition.objects.filter(
            pk=edition.pk,
            status__in=[Edition.Status.DRAFT, Edition.Status.SCHEDULED],
        ).update(status=status, scheduled_for=when)
    )


def edition_update(
    *, edition: Edition, subject: str, intro: str, scheduled_for: datetime | None
) -> bool:
    """Save an editor's changes unless sending has started meanwhile.

    A time in ``scheduled_for`` schedules the edition; none makes it a draft.
    """
    return bool(
        Edition.objects.filter(
            pk=edition.pk,
            status__in=[Edition.Status.DRAFT, Edition.Status.SCHEDULED],
        ).update(
            subject=subject,
            intro=intro,
            scheduled_for=scheduled_for,
            status=Edition.Status.SCHEDULED if scheduled_for else Edition.Status.DRAFT,
        )
    )


def edition_render(*, edition: Edition) -> tuple[str, str]:
    """The digest's text and HTML, with UNSUBSCRIBE_PLACEHOLDER for the link."""
    entries = [
        {
            "title": entry.article.title,
            "excerpt": entry.article.summary,
            "url": absolute_url(entry.article.get_absolute_url()),
            "author": entry.article.author.name,
        }
        for entry in edition.live_articles()
    ]
    context = _mail_context(
        edition=edition,
        subject=_one_line(edition.subject),
        entries=entries,
        browser_url=absolute_url(edition.get_absolute_url()),
    )
    return (
        render_to_string("newsletter/email/digest.txt", context),
        render_to_string("newsletter/email/digest.html", context),
    )


def _digest_message(
    *, edition: Edition, text: str, html: str, subscriber: Subscriber
) -> EmailMultiAlternatives:
    return newsletter_message(
        subject=edition.subject,
        text=text,
        html=html,
        to=subscriber.email,
        unsubscribe_url=absolute_url(subscriber.get_unsubscribe_path()),
    )


def edition_send_test(*, edition: Edition, to: str) -> None:
    """Mail the edition to one address (an editor's), marked as a test.

    Its unsubscribe link is that address's own if it is a subscriber, so the
    whole path can be tried; otherwise it points at no subscription.
    """
    text, html = edition_render(edition=edition)
    subscriber = Subscriber.objects.with_email(to).first() or Subscriber(
        email=to, token="test-mail-not-a-subscription"
    )
    message = _digest_message(
        edition=edition, text=text, html=html, subscriber=subscriber
    )
    message.subject = f"[Test] {message.subject}"
    message.send(using="default")


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    stopped: bool = False
    finished: bool = False


def _new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _start_sending(edition: Edition, now: datetime) -> None:
    """Move a due edition to ``sending`` and fix its recipients, exactly once."""
    with transaction.atomic():
        started = Edition.objects.filter(
            pk=edition.pk, status=Edition.Status.SCHEDULED, scheduled_for__lte=now
        ).update(status=Edition.Status.SENDING, started_at=now)
        if started:
            Delivery.objects.bulk_create(
                (
                    Delivery(edition_id=edition.pk, subscriber_id=pk)
                    for pk in Subscriber.objects.confirmed()
                    .order_by("pk")
                    .values_list("pk", flat=True)
                ),
                batch_size=1000,
                ignore_conflicts=True,
            )


def _retry_open() -> Q:
    return Q(status=Delivery.Status.PENDING) | Q(
        status=Delivery.Status.FAILED,
        retryable=True,
        attempts__lt=settings.NEWSLETTER_MAX_ATTEMPTS,
    )


def _claim_batch(edition: Edition, worker: str, size: int) -> list[Delivery]:
    """Take up to ``size`` deliveries for this sender, none another one holds."""
    now = timezone.now()
    claim_expired = now - timedelta(seconds=settings.NEWSLETTER_CLAIM_TIMEOUT)
    retry_after = now - timedelta(seconds=settings.NEWSLETTER_RETRY_DELAY)
    claimable = (
        Delivery.objects.filter(edition=edition)
        .filter(
            Q(status=Delivery.Status.PENDING)
            | Q(
                status=Delivery.Status.FAILED,
                retryable=True,
                attempts__lt=settings.NEWSLETTER_MAX_ATTEMPTS,
                claimed_at__lte=retry_after,
            )
        )
        .filter(Q(claimed_by="") | Q(claimed_at__lt=claim_expired))
        .order_by("pk")
    )
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: rows another sender is claiming right now are skipped,
        # not waited for, so concurrent senders take disjoint batches.
        with transaction.atomic():
            ids = list(
                claimable.select_for_update(skip_locked=True).values_list(
                    "pk", flat=True
                )[:size]
            )
            Delivery.objects.filter(pk__in=ids).update(
                claimed_by=worker, claimed_at=now
            )
    else:
        # SQLite runs one writer at a time, so a single conditional UPDATE is
        # an atomic claim.
        Delivery.objects.filter(pk__in=claimable.values("pk")[:size]).update(
            claimed_by=worker, claimed_at=now
        )
    return list(
        Delivery.objects.filter(edition=edition, claimed_by=worker)
        .filter(status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED])
        .select_related("subscriber")
        .order_by("pk")
    )


def _release(deliveries: list[Delivery], worker: str) -> None:
    Delivery.objects.filter(
        pk__in=[delivery.pk for delivery in deliveries],
        claimed_by=worker,
        status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED],
    ).update(claimed_by="")


def _expire_interrupted(edition: Edition) -> None:
    """Rows left in ``sending`` by a sender that died: the mail may have gone."""
    expired = timezone.now() - timedelta(seconds=settings.NEWSLETTER_CLAIM_TIMEOUT)
    Delivery.objects.filter(
        edition=edition, status=Delivery.Status.SENDING, claimed_at__lt=expired
    ).update(
        status=Delivery.Status.FAILED,
        retryable=False,
        claimed_by="",
        last_error="The sender stopped while handing this mail over; it may have "
        "been sent, so it is not retried (no one gets an edition twice).",
    )


def _send_batch(
    edition: Edition,
    deliveries: list[Delivery],
    worker: str,
    should_stop: Callable[[], bool],
    report: SendReport,
) -> None:
    text, html = edition_render(edition=edition)
    mailer = mail.mailers.default
    try:
        mailer.open()
    except Exception as error:
        _release(deliveries, worker)
        raise MailServerUnavailable(str(error)) from error
    try:
        for index, delivery in enumerate(deliveries):
            if should_stop():
                _release(deliveries[index:], worker)
                report.stopped = True
                return
            mine = Delivery.objects.filter(
                pk=delivery.pk,
                claimed_by=worker,
                status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED],
            )
            # The commit point: from here on this mail may be out.
            still_confirmed = Exists(
                Subscriber.objects.confirmed().filter(pk=OuterRef("subscriber_id"))
            )
            marked = mine.filter(still_confirmed).update(
                status=Delivery.Status.SENDING,
                attempts=F("attempts") + 1,
                claimed_at=timezone.now(),
            )
            if not marked:
                # Unsubscribed since sending started (or no longer ours).
                report.skipped += mine.exclude(still_confirmed).update(
                    status=Delivery.Status.SKIPPED, claimed_by=""
                )
                continue
            message = _digest_message(
                edition=edition, text=text, html=html, subscriber=delivery.subscriber
            )
            try:
                if mailer.send_messages([message]) != 1:
                    raise RuntimeError("The mail backend did not accept the message.")
            except Exception as error:
                logger.warning("Delivery %s failed: %s", delivery.pk, error)
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=Delivery.Status.FAILED,
                    last_error=f"{type(error).__name__}: {error}"[:2000],
                    claimed_by="",
                )
                report.failed += 1
                _close_quietly(mailer)  # the connection may be broken: reconnect
                try:
                    mailer.open()
                except Exception as open_error:
                    _release(deliveries[index + 1 :], worker)
                    raise MailServerUnavailable(str(open_error)) from open_error
                continue
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.SENT,
                sent_at=timezone.now(),
                claimed_by="",
                last_error="",
            )
            report.sent += 1
    finally:
        _close_quietly(mailer)


def _close_quietly(mailer) -> None:
    try:
        mailer.close()
    except Exception:  # a broken connection may fail to say goodbye
        logger.debug("Closing the mail connection failed", exc_info=True)


def edition_send(
    *,
    edition: Edition,
    batch_size: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SendReport:
    """Send a due edition to its recipients; safe to run in several processes.

    Starting fixes the recipients (one Delivery per confirmed subscriber).
    Deliveries are then claimed in batches and sent over one connection per
    batch; each is marked ``sending`` before and ``sent`` after its mail (see
    the module docstring). Failures are retried by later runs up to
    NEWSLETTER_MAX_ATTEMPTS times, NEWSLETTER_RETRY_DELAY seconds apart. The
    edition becomes ``sent`` when nothing is left to try. Raises
    MailServerUnavailable, releasing the batch, when no connection opens.
    """
    batch_size = batch_size or settings.NEWSLETTER_BATCH_SIZE
    should_stop = should_stop or (lambda: False)
    worker = _new_worker_id()
    report = SendReport()
    _start_sending(edition, timezone.now())
    edition.refresh_from_db()
    if edition.status != Edition.Status.SENDING:
        return report
    _expire_interrupted(edition)
    while not report.stopped:
        if should_stop():
            report.stopped = True
            break
        batch = _claim_batch(edition, worker, batch_size)
        if not batch:
            break
        _send_batch(edition, batch, worker, should_stop, report)
    in_progress = Q(status=Delivery.Status.SENDING) | _retry_open()
    if not edition.deliveries.filter(in_progress).exists():
        report.finished = bool(
            Edition.objects.filter(pk=edition.pk, status=Edition.Status.SENDING).update(
                status=Edition.Status.SENT, finished_at=timezone.now()
            )
        )
    return report


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
