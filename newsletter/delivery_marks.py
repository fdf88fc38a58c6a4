"""Recording each mail: the commit before its hand-over, and what came of it.

The rule that makes "never twice" hold (see delivery.py): a delivery is
marked ``sending`` by a committed UPDATE before its mail is handed to the mail
server, and ``sent`` after, the ``sent`` riding on the next mail's mark.
"""

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .delivery_claims import OPEN, Batch
from .emails import Recipient
from .models import Delivery, Subscriber
from .transport import NotDelivered

Status = Delivery.Status


def _still_confirmed() -> Exists:
    return Exists(Subscriber.objects.confirmed().filter(pk=OuterRef("subscriber_id")))


def mark_sending(batch: Batch, recipient: Recipient) -> bool:
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
    """UPDATE ... RETURNING for mark_sending (PostgreSQL and SQLite).

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


def record_sent(batch: Batch) -> None:
    """Record the last mail handed over, when no next mark will."""
    if batch.handed_over:
        pk, at = batch.handed_over
        Delivery.objects.filter(pk=pk).update(
            status=Status.SENT, sent_at=at, claimed_by="", failure="", last_error=""
        )
    batch.handed_over = None


def record_failure(recipient: Recipient, failure: NotDelivered) -> bool:
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


def skip(batch: Batch, recipient: Recipient) -> int:
    """Unsubscribed since sending started: 1 if recorded as skipped."""
    return (
        Delivery.objects.filter(
            pk=recipient.delivery_id, claimed_by=batch.worker, status__in=OPEN
        )
        .exclude(_still_confirmed())
        .update(status=Status.SKIPPED, claimed_by="")
    )
