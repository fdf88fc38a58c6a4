"""Delivering an edition to its recipients, exactly once.

"Never twice" rests on one rule: a delivery is marked ``sending`` by a
committed UPDATE (conditional on this sender still holding it and the
subscriber still being confirmed) before its mail is handed to the mail
server, and ``sent`` after. To commit once per mail, not twice, a mail's
``sent`` is written by the same statement that marks the next one ``sending``
(or at the end of its batch). A sender that dies between the two leaves the
row in ``sending``; once its claim has expired that row becomes a failure of
kind "unknown", never retried, because the mail may have gone out. A mail
whose hand-over a living sender cannot confirm (a timeout or a dropped
connection after the message data was sent) is recorded the same way. That is
the at-most-once choice: a subscriber may miss one edition then (shown in the
admin, where an editor can resend to them deliberately: deliveries_reopen_unknown),
but nobody is mailed twice. Only failures known to have happened
before hand-over are retried; a 5xx refusal is final. A stop by SIGTERM or
Ctrl-C finishes the current mail and releases the rest.

What a kill costs: one mail per sender, and a process runs sender_threads()
senders (NEWSLETTER_SENDER_THREADS on PostgreSQL, 4 by default; one on
SQLite). Each sender has at most one row in ``sending`` at any moment, but
the senders of a process work side by side, each with a mail of its own in
flight: that overlap of network waits (a pipeline of as many mails as there
are senders) is where the throughput comes from. A process killed outright
therefore leaves up to sender_threads() rows in ``sending``, all of them
recorded as "unknown" once their claim expires; most of them were marked
but never handed over, yet nothing written before the kill can tell those
apart from the ones that left. NEWSLETTER_SENDER_THREADS=1 makes the loss
one mail per process, at the cost of that overlap.

Senders claim batches under a lease: the sender renews its batch's claim
while it works, and another sender takes a batch over once its claim is older
than NEWSLETTER_CLAIM_TIMEOUT seconds, so a dead sender holds no one up long.
"""

import itertools
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import mail
from django.db import connection, connections, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from .bounces import mail_event_record
from .emails import DigestMail, Recipient
from .models import Delivery, Edition, EditionArticle, MailEvent, Subscriber
from .transport import (
    BackendTransport,
    MailServerUnavailable,
    NotDelivered,
    transport_for,
)

__all__ = ["MailServerUnavailable", "SendReport", "edition_send"]

logger = logging.getLogger(__name__)

Status = Delivery.Status
OPEN = [Status.PENDING, Status.FAILED]
RECIPIENTS_PER_INSERT = 2000


@dataclass
class SendReport:
    """What one run did, counted in mails (a mail tried three times is one)."""

    sent: int = 0
    skipped: int = 0
    stopped: bool = False
    finished: bool = False
    failed_ids: set[int] = field(default_factory=set, repr=False)
    retry_ids: set[int] = field(default_factory=set, repr=False)

    @property
    def failed(self) -> int:
        """Mails that failed for good in this run."""
        return len(self.failed_ids)

    @property
    def to_retry(self) -> int:
        """Mails that failed in this run and will be tried again later."""
        return len(self.retry_ids)

    def record_sent(self, delivery_id: int) -> None:
        self.sent += 1
        self.retry_ids.discard(delivery_id)

    def record_failure(self, delivery_id: int, *, final: bool) -> None:
        (self.failed_ids if final else self.retry_ids).add(delivery_id)
        if final:
            self.retry_ids.discard(delivery_id)


@dataclass
class Batch:
    """The deliveries one sender holds, and its mail not yet recorded sent."""

    edition: Edition
    worker: str
    recipients: list[Recipient]
    renewed_at: datetime
    # The last mail handed over and when, until it is recorded as sent.
    handed_over: tuple[int, datetime] | None = None

    @property
    def ids(self) -> list[int]:
        return [recipient.delivery_id for recipient in self.recipients]


def _new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _lease() -> timedelta:
    return timedelta(seconds=settings.NEWSLETTER_CLAIM_TIMEOUT)


def _still_confirmed() -> Exists:
    return Exists(Subscriber.objects.confirmed().filter(pk=OuterRef("subscriber_id")))


# Starting and finishing ---------------------------------------------------------
def _start_sending(edition: Edition, now: datetime) -> None:
    """Move a due edition to ``sending`` and fix its recipients, exactly once.

    Recipients are inserted in chunks, so memory stays flat with the list;
    the planner's statistics are then refreshed (see below).
    """
    with transaction.atomic():
        started = Edition.objects.filter(
            pk=edition.pk, status=Edition.Status.SCHEDULED, scheduled_for__lte=now
        ).update(status=Edition.Status.SENDING, started_at=now)
        if not started:
            return
        _fix_recipients(edition)
        _withdraw_from_weekly(edition)
    _refresh_statistics()


def _withdraw_from_weekly(edition: Edition) -> None:
    """An article reaches subscribers once, whichever edition took it: the
    weekly editions not gone out yet give up the articles of this one
    (EditionQuerySet.yielding_to); a scheduled one left with no article goes
    back to draft, so it sends nothing twice and nothing empty."""
    waiting = Edition.objects.yielding_to(edition)
    taken = EditionArticle.objects.filter(
        edition__in=waiting,
        article_id__in=edition.edition_articles.values("article_id"),
    )
    touched = set(taken.values_list("edition_id", flat=True))
    if not touched:
        return
    taken.delete()
    Edition.objects.filter(
        pk__in=touched,
        status=Edition.Status.SCHEDULED,
        edition_articles__isnull=True,
    ).update(status=Edition.Status.DRAFT, scheduled_for=None)


def _fix_recipients(edition: Edition) -> None:
    """One Delivery per confirmed subscriber, inserted in chunks."""
    confirmed = (
        Subscriber.objects.confirmed()
        .order_by("pk")
        .values_list("pk", flat=True)
        .iterator(chunk_size=RECIPIENTS_PER_INSERT)
    )
    for chunk in itertools.batched(confirmed, RECIPIENTS_PER_INSERT):
        Delivery.objects.bulk_create(
            [Delivery(edition_id=edition.pk, subscriber_id=pk) for pk in chunk],
            ignore_conflicts=True,
        )


def _refresh_statistics() -> None:
    """Tell PostgreSQL's planner about the rows just inserted.

    Until autovacuum next analyses the table (a minute or more later), the
    planner works from statistics taken before the insert, where the table
    may have been empty: it then expects one row where there are thousands
    and may serve the claim by reading (and sorting) every delivery of the
    edition, for each batch. Analysing once here (a sample of at most
    30,000 rows) keeps the batch queries on their indexes from the first one.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"ANALYZE {connection.ops.quote_name(Delivery._meta.db_table)}"
            )


def _expire_interrupted(edition: Edition) -> None:
    """Rows left in ``sending`` by a sender that died: the mail may have gone."""
    Delivery.objects.filter(
        edition=edition,
        status=Status.SENDING,
        claimed_at__lt=timezone.now() - _lease(),
    ).update(
        status=Status.FAILED,
        failure=Delivery.Failure.UNKNOWN,
        retryable=False,
        claimed_by="",
        last_error="The sender stopped while handing this mail over; it may have "
        "been sent, so it is not retried (no one gets an edition twice).",
    )


def _finish_if_done(edition: Edition, report: SendReport) -> None:
    """Mark the edition sent when nothing is left to try.

    The edition's row is locked first, as deliveries_reopen_unknown locks it,
    so a resend reopening deliveries meanwhile is either seen here or comes
    after (and moves the edition back to ``sending``).
    """
    _expire_interrupted(edition)
    in_progress = Q(status__in=[Status.PENDING, Status.SENDING]) | Q(
        status=Status.FAILED,
        retryable=True,
        attempts__lt=settings.NEWSLETTER_MAX_ATTEMPTS,
    )
    with transaction.atomic():
        sending = Edition.objects.filter(pk=edition.pk, status=Edition.Status.SENDING)
        if not _lock(sending) or edition.deliveries.filter(in_progress).exists():
            return
        report.finished = bool(
            sending.update(status=Edition.Status.SENT, finished_at=timezone.now())
        )


def _lock(editions: QuerySet) -> bool:
    """Lock these edition rows until the transaction ends; True if any."""
    return bool(list(editions.select_for_update().values_list("pk", flat=True)))


def deliveries_reopen_unknown(*, edition: Edition, shown: dict[int, int]) -> list[int]:
    """An editor's deliberate resend of deliveries of unknown outcome.

    ``shown`` maps each delivery the editor confirmed to its ``attempts`` as
    the confirmation page showed it. Each is reopened (pending again, for the
    senders to claim like any other) only if it is still of unknown outcome
    with those attempts, under a lock on the edition's row: so a second
    click, two editors at once or a page left open across another resend
    reopen nothing twice, and the engine then sends each reopened delivery
    once. The edition
    goes back to ``sending`` if it was sent. Returns the ids reopened; the
    caller has the sending task run (editions.edition_resend_unknown).
    """
    by_attempts: dict[int, list[int]] = {}
    for pk, attempts in shown.items():
        by_attempts.setdefault(attempts, []).append(pk)
    unknown = Q()
    for attempts, ids in by_attempts.items():
        unknown |= Q(pk__in=ids, attempts=attempts)
    with transaction.atomic():
        # One resend of an edition at a time (and not beside its finish).
        if not shown or not _lock(Edition.objects.archived().filter(pk=edition.pk)):
            return []
        rows = edition.deliveries.filter(unknown, Delivery.unknown_q())
        reopened = list(rows.values_list("pk", flat=True))
        if not reopened:
            return []
        Delivery.objects.filter(_among(reopened)).filter(Delivery.unknown_q()).update(
            status=Status.PENDING,
            failure="",
            retryable=True,
            claimed_by="",
            last_error="",
        )
        Edition.objects.filter(pk=edition.pk).update(
            status=Edition.Status.SENDING, finished_at=None
        )
    return reopened


# Claiming -------------------------------------------------------------------
def claimable_pending(edition: Edition, now: datetime) -> QuerySet:
    """Pending deliveries no live sender holds, in order (the claim query).

    Served by the partial index on pending rows in ``id + 0`` order (see
    Delivery.Meta): it reads the rows it returns plus those other senders
    hold right now, whatever the list size.
    """
    return (
        Delivery.objects.filter(edition=edition, status=Status.PENDING)
        .filter(_free(now))
        .order_by(CLAIM_ORDER)
    )


CLAIM_ORDER = F("id") + 0  # as in the index newsletter_delivery_claimable


def _claimable_retries(edition: Edition, now: datetime) -> QuerySet:
    retry_after = now - timedelta(seconds=settings.NEWSLETTER_RETRY_DELAY)
    return (
        Delivery.objects.filter(
            edition=edition,
            status=Status.FAILED,
            retryable=True,
            attempts__lt=settings.NEWSLETTER_MAX_ATTEMPTS,
            claimed_at__lte=retry_after,
        )
        .filter(_free(now))
        .order_by("pk")
    )


def _free(now: datetime) -> Q:
    return Q(claimed_by="") | Q(claimed_at__lt=now - _lease())


def _take_ids(claimable: QuerySet, size: int) -> list[int]:
    # PostgreSQL: rows another sender is claiming right now are skipped, not
    # waited for, so concurrent senders take disjoint batches. (SQLite has one
    # writer at a time and no row locks.)
    return list(
        claimable.select_for_update(skip_locked=True).values_list("pk", flat=True)[
            :size
        ]
    )


def _among(ids: list[int]) -> Q:
    """These rows, with their id range spelled out: PostgreSQL then reads them
    by index at any list size (with the IN list alone it scans the table
    while the table is small)."""
    if not ids:
        return Q(pk__in=[])
    return Q(pk__in=ids, pk__gte=min(ids), pk__lte=max(ids))


def _claim_batch(edition: Edition, worker: str, size: int) -> Batch | None:
    """Take up to ``size`` deliveries for this sender; None when none are left.

    One commit per batch. The UPDATE re-checks that each row is still free,
    so a row claimed meanwhile by another sender is not taken twice.
    """
    now = timezone.now()
    with transaction.atomic():
        ids = _take_ids(claimable_pending(edition, now), size)
        if len(ids) < size:
            ids += _take_ids(_claimable_retries(edition, now), size - len(ids))
        if not ids:
            return None
        Delivery.objects.filter(_among(ids), status__in=OPEN).filter(_free(now)).update(
            claimed_by=worker, claimed_at=now
        )
    rows = (
        Delivery.objects.filter(_among(ids), claimed_by=worker, status__in=OPEN)
        .order_by("pk")
        .values_list("pk", "subscriber__email", "subscriber__token", "attempts")
    )
    return Batch(
        edition=edition,
        worker=worker,
        recipients=[Recipient(*row) for row in rows],
        renewed_at=now,
    )


def _renew_claim(batch: Batch) -> None:
    """Keep the lease on this batch while working on it."""
    now = timezone.now()
    if now - batch.renewed_at < _lease() / 4:
        return
    Delivery.objects.filter(
        _among(batch.ids), claimed_by=batch.worker, status__in=OPEN
    ).update(claimed_at=now)
    batch.renewed_at = now


def _release(batch: Batch) -> None:
    """Hand back what this sender holds and has not tried."""
    Delivery.objects.filter(
        _among(batch.ids), claimed_by=batch.worker, status__in=OPEN
    ).update(claimed_by="")


# Recording -------------------------------------------------------------------
def _mark_sending(batch: Batch, recipient: Recipient) -> bool:
    """The commit point before a hand-over; True if this mail may go out.

    The same statement records the mail handed over before it as ``sent``:
    one commit per mail. It is SQL written out once, not built by the ORM per
    mail, because building it cost more than running it.
    """
    now = timezone.now()
    handed_over = batch.handed_over
    batch.handed_over = None
    as_db = connection.ops.adapt_datetimefield_value
    params = {
        "current": recipient.delivery_id,
        "previous": handed_over[0] if handed_over else None,
        "sent_at": as_db(handed_over[1]) if handed_over else None,
        "now": as_db(now),
        "worker": batch.worker,
    }
    # One commit per mail, on purpose: this row must be durably ``sending``
    # before its mail leaves, and the one before it ``sent``. Marking several
    # mails ``sending`` in one commit would leave all of them of unknown
    # outcome at a kill (lost for those subscribers, never retried), where
    # today only this sender's one mail in flight is; and recording ``sent``
    # marks in a group after the hand-overs would, at a kill, leave mails that
    # went out looking interrupted. Either way a sender would lose more than
    # its one mail in flight at a kill, so the commit stays per mail (it rides
    # on the next mark). The process's loss is one per sender: sender_threads().
    with connection.cursor() as cursor:  # autocommit: this statement commits
        cursor.execute(MARK_SENDING_SQL, params)
        marked = any(pk == recipient.delivery_id for (pk,) in cursor.fetchall())
    return marked


def _mark_sending_sql() -> str:
    """UPDATE ... RETURNING for _mark_sending (PostgreSQL and SQLite).

    Rows are found by primary key only (the current mail, and the previous
    one when there is one); the current one is marked only if this sender
    still holds it and its subscriber is still confirmed.
    """
    delivery = Delivery._meta.db_table
    subscriber = Subscriber._meta.db_table

    def per_row(current: str, previous: str) -> str:
        return f"CASE WHEN id = %(current)s THEN {current} ELSE {previous} END"

    return f"""
        UPDATE {delivery} SET
            status = {per_row(f"'{Status.SENDING}'", f"'{Status.SENT}'")},
            attempts = {per_row("attempts + 1", "attempts")},
            claimed_at = {per_row("%(now)s", "claimed_at")},
            claimed_by = {per_row("claimed_by", "''")},
            failure = {per_row("failure", "''")},
            last_error = {per_row("last_error", "''")},
            sent_at = {per_row("sent_at", "%(sent_at)s")}
        WHERE id IN (%(current)s, %(previous)s) AND (
            id = %(previous)s OR (
                claimed_by = %(worker)s
                AND status IN ('{Status.PENDING}', '{Status.FAILED}')
                AND EXISTS (
                    SELECT 1 FROM {subscriber} AS subscriber
                    WHERE subscriber.id = {delivery}.subscriber_id
                    AND subscriber.status = '{Subscriber.Status.CONFIRMED}'
                )
            )
        )
        RETURNING id
    """


MARK_SENDING_SQL = _mark_sending_sql()


def _record_sent(batch: Batch) -> None:
    """Record the last mail handed over, when no next mark will."""
    if batch.handed_over:
        pk, at = batch.handed_over
        Delivery.objects.filter(pk=pk).update(
            status=Status.SENT, sent_at=at, claimed_by="", failure="", last_error=""
        )
    batch.handed_over = None


def _record_failure(recipient: Recipient, failure: NotDelivered) -> bool:
    """Record a mail that did not go out (or may have); True if final."""
    tries_left = recipient.attempts + 1 < settings.NEWSLETTER_MAX_ATTEMPTS
    final = failure.kind != Delivery.Failure.TEMPORARY or not tries_left
    Delivery.objects.filter(pk=recipient.delivery_id).update(
        status=Status.FAILED,
        failure=failure.kind,
        retryable=not final,
        last_error=str(failure)[:2000],
        claimed_by="",
    )
    return final


def _skip(batch: Batch, recipient: Recipient) -> int:
    """Unsubscribed since sending started: 1 if recorded as skipped."""
    return (
        Delivery.objects.filter(
            pk=recipient.delivery_id, claimed_by=batch.worker, status__in=OPEN
        )
        .exclude(_still_confirmed())
        .update(status=Status.SKIPPED, claimed_by="")
    )


# Sending ---------------------------------------------------------------------
def _send_one(
    batch: Batch,
    recipient: Recipient,
    digest: DigestMail,
    transport: BackendTransport,
    report: SendReport,
) -> None:
    if not _mark_sending(batch, recipient):
        report.skipped += _skip(batch, recipient)  # or no longer ours
        return
    try:
        transport.send(digest, recipient)
    except NotDelivered as failure:
        logger.warning("Delivery %s failed: %s", recipient.delivery_id, failure)
        final = _record_failure(recipient, failure)
        report.record_failure(recipient.delivery_id, final=final)
        if failure.kind == Delivery.Failure.REFUSED:  # refused for good: a bounce
            mail_event_record(
                email=recipient.email,
                kind=MailEvent.Kind.HARD_BOUNCE,
                source=transport.source,
                detail=str(failure),
            )
        transport.recover()  # may raise MailServerUnavailable
        return
    batch.handed_over = (recipient.delivery_id, timezone.now())
    report.record_sent(recipient.delivery_id)


def _send_batch(
    batch: Batch,
    digest: DigestMail,
    transport: BackendTransport,
    should_stop: Callable[[], bool],
    report: SendReport,
) -> None:
    """Send a claimed batch over one connection."""
    try:
        transport.open()
    except MailServerUnavailable:
        _release(batch)
        raise
    try:
        for recipient in batch.recipients:
            if should_stop():
                report.stopped = True
                break
            _renew_claim(batch)
            _send_one(batch, recipient, digest, transport, report)
    except MailServerUnavailable:
        _record_sent(batch)
        _release(batch)
        raise
    finally:
        transport.close()
    _record_sent(batch)
    _release(batch)  # anything left after a stop


def _send_claimed_batches(
    edition: Edition,
    digest: DigestMail,
    batch_size: int,
    should_stop: Callable[[], bool],
    report: SendReport,
) -> None:
    """One sender: claim a batch, send it, until none is left or asked to stop."""
    worker = _new_worker_id()
    transport = transport_for(mail.mailers.default)
    while not report.stopped:
        if should_stop():
            report.stopped = True
            break
        batch = _claim_batch(edition, worker, batch_size)
        if batch is None:
            break
        _send_batch(batch, digest, transport, should_stop, report)


def _send_in_threads(count: int, *args, report: SendReport) -> None:
    """Several senders in this process, each with its own database and mail
    connections. They wait on the network most of the time, so threads add
    up; the claims keep them apart exactly as they do separate processes."""
    reports = [SendReport() for _ in range(count)]
    errors = []

    def run(own_report):
        try:
            _send_claimed_batches(*args, own_report)
        except Exception as error:  # re-raised below, in the caller's thread
            errors.append(error)
        finally:
            connections.close_all()  # this thread's own

    threads = [threading.Thread(target=run, args=(own,)) for own in reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for own in reports:
        report.sent += own.sent
        report.skipped += own.skipped
        report.stopped |= own.stopped
        report.failed_ids |= own.failed_ids
        report.retry_ids |= own.retry_ids - report.failed_ids
    if errors:
        raise errors[0]


def sender_threads() -> int:
    """Senders per sending process: the most mails one kill can lose.

    NEWSLETTER_SENDER_THREADS where the database lets senders skip each
    other's locked rows (PostgreSQL); one otherwise (SQLite, one writer).
    """
    if not connection.features.has_select_for_update_skip_locked:
        return 1
    return max(1, settings.NEWSLETTER_SENDER_THREADS)


def edition_send(
    *,
    edition: Edition,
    batch_size: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    threads: int | None = None,
) -> SendReport:
    """Send a due edition to its recipients; safe to run in several processes.

    Starting fixes the recipients (one Delivery per confirmed subscriber).
    The digest is rendered once; deliveries are then claimed in batches and
    sent over one connection per batch (see the module docstring for how
    each is recorded), by ``threads`` senders at once (default
    sender_threads(); one on SQLite, which has a single writer).
    Failures known to have happened before hand-over are retried by later
    runs up to NEWSLETTER_MAX_ATTEMPTS times, NEWSLETTER_RETRY_DELAY seconds
    apart. The edition becomes ``sent`` when nothing is left to try. Raises
    MailServerUnavailable, releasing the batch, when no connection opens.
    """
    batch_size = batch_size or settings.NEWSLETTER_BATCH_SIZE
    should_stop = should_stop or (lambda: False)
    threads = threads or sender_threads()
    if not connection.features.has_select_for_update_skip_locked:
        threads = 1
    report = SendReport()
    _start_sending(edition, timezone.now())
    edition.refresh_from_db()
    if edition.status != Edition.Status.SENDING:
        return report
    _expire_interrupted(edition)
    digest = DigestMail(edition=edition)
    args = (edition, digest, batch_size, should_stop)
    if threads > 1:
        _send_in_threads(threads, *args, report=report)
    else:
        _send_claimed_batches(*args, report)
    _finish_if_done(edition, report)
    return report
