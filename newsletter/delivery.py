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

The pieces, each in its module: delivery_claims.py (who holds which rows,
under a lease), delivery_marks.py (the commit before each hand-over and what
came of it), delivery_lifecycle.py (starting, finishing, an editor's resend).
This module runs the senders.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from .bounces import mail_event_record
from .delivery_claims import Batch, claim_batch, new_worker_id, release, renew_claim
from .delivery_lifecycle import expire_interrupted, finish_if_done, start_sending
from .delivery_marks import mark_sending, record_failure, record_sent, skip
from .emails import DigestMail, Recipient
from .models import Delivery, Edition, MailEvent
from .transport import (
    BackendTransport,
    MailServerUnavailable,
    NotDelivered,
    transport_for,
)

__all__ = ["MailServerUnavailable", "SendReport", "edition_send"]

logger = logging.getLogger(__name__)


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


class Digests:
    """The edition's DigestMail per variant (its subscribers' articles),
    each rendered once per run when first needed, shared by the run's senders.
    A recipient's variant comes with its claim (Recipient.variant_id)."""

    def __init__(self, edition: Edition):
        self.edition = edition
        self._variants = {v.pk: v for v in edition.variants.filter(mailed=True)}
        self._mails: dict[int | None, DigestMail] = {}
        self._lock = threading.Lock()

    def for_recipient(self, recipient: Recipient) -> DigestMail:
        key = recipient.variant_id
        mail = self._mails.get(key)
        if mail is None:
            with self._lock:  # one render per variant, whichever sender asks
                mail = self._mails.get(key)
                if mail is None:
                    variant = self._variants.get(key)
                    mail = DigestMail(edition=self.edition, variant=variant)
                    self._mails[key] = mail
        return mail


# Sending ---------------------------------------------------------------------
def _send_one(
    batch: Batch,
    recipient: Recipient,
    digests: Digests,
    transport: BackendTransport,
    report: SendReport,
) -> None:
    digest = digests.for_recipient(recipient)  # rendered before the mark
    if not mark_sending(batch, recipient):
        report.skipped += skip(batch, recipient)  # or no longer ours
        return
    try:
        transport.send(digest, recipient)
    except NotDelivered as failure:
        logger.warning("Delivery %s failed: %s", recipient.delivery_id, failure)
        final = record_failure(recipient, failure)
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
    digests: Digests,
    transport: BackendTransport,
    should_stop: Callable[[], bool],
    report: SendReport,
) -> None:
    """Send a claimed batch over one connection."""
    try:
        transport.open()
    except MailServerUnavailable:
        release(batch)
        raise
    try:
        for recipient in batch.recipients:
            if should_stop():
                report.stopped = True
                break
            renew_claim(batch)
            _send_one(batch, recipient, digests, transport, report)
    except MailServerUnavailable:
        record_sent(batch)
        release(batch)
        raise
    finally:
        transport.close()
    record_sent(batch)
    release(batch)  # anything left after a stop


def _send_claimed_batches(
    edition: Edition,
    digests: Digests,
    batch_size: int,
    should_stop: Callable[[], bool],
    report: SendReport,
) -> None:
    """One sender: claim a batch, send it, until none is left or asked to stop."""
    worker = new_worker_id()
    transport = transport_for(mail.mailers.default)
    while not report.stopped:
        if should_stop():
            report.stopped = True
            break
        batch = claim_batch(edition, worker, batch_size)
        if batch is None:
            break
        _send_batch(batch, digests, transport, should_stop, report)


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

    Starting fixes the recipients (one Delivery per subscriber receiving,
    with the variant of the edition their topics give them: audience.py).
    The digest is rendered once per variant in a run; deliveries are then
    claimed in batches and sent over one connection per batch (see the
    module docstring for how each is recorded), by ``threads`` senders at once (default
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
    start_sending(edition, timezone.now())
    edition.refresh_from_db()
    if edition.status != Edition.Status.SENDING:
        return report
    expire_interrupted(edition)
    args = (edition, Digests(edition), batch_size, should_stop)
    if threads > 1:
        _send_in_threads(threads, *args, report=report)
    else:
        _send_claimed_batches(*args, report)
    report.finished = finish_if_done(edition)
    return report
