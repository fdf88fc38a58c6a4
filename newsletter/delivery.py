"""Delivering an edition to its recipients, exactly once.

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
from datetime import datetime, timedelta

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from .emails import digest_message, edition_render
from .models import Delivery, Edition, Subscriber

logger = logging.getLogger(__name__)


class MailServerUnavailable(Exception):
    """The mail server could not be reached: nothing was sent, try again later."""


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
            message = digest_message(
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
