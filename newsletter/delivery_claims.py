"""Claims and leases: which sender holds which deliveries of an edition.

Senders claim batches under a lease: the sender renews its batch's claim
while it works, and another sender takes a batch over once its claim is older
than NEWSLETTER_CLAIM_TIMEOUT seconds, so a dead sender holds no one up long.
The overview of the engine is in delivery.py.
"""

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min, Q, QuerySet
from django.utils import timezone

from .emails import Recipient
from .models import Delivery, Edition

Status = Delivery.Status
OPEN = [Status.PENDING, Status.FAILED]


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


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def lease() -> timedelta:
    return timedelta(seconds=settings.NEWSLETTER_CLAIM_TIMEOUT)


def claimable_pending(edition: Edition, now: datetime) -> QuerySet:
    """Pending deliveries no live sender holds, in order (the claim query).

    Served by the partial index on pending rows in ``id + 0`` order (see
    Delivery.Meta): it reads the rows it returns plus those other senders
    hold right now, whatever the list size.
    """
    return (
        Delivery.objects.filter(edition=edition, status=Status.PENDING)
        .filter(free_q(now))
        .order_by(CLAIM_ORDER)
    )


CLAIM_ORDER = F("id") + 0  # as in the index newsletter_delivery_claimable


def _retries(edition: Edition) -> QuerySet:
    """Failed deliveries still to be tried again, due or not."""
    return Delivery.objects.filter(
        edition=edition,
        status=Status.FAILED,
        retryable=True,
        attempts__lt=settings.NEWSLETTER_MAX_ATTEMPTS,
    )


def _claimable_retries(edition: Edition, now: datetime) -> QuerySet:
    retry_after = now - timedelta(seconds=settings.NEWSLETTER_RETRY_DELAY)
    return (
        _retries(edition)
        .filter(claimed_at__lte=retry_after)
        .filter(free_q(now))
        .order_by("pk")
    )


def free_q(now: datetime) -> Q:
    return Q(claimed_by="") | Q(claimed_at__lt=now - lease())


def _take_ids(claimable: QuerySet, size: int) -> list[int]:
    # PostgreSQL: rows another sender is claiming right now are skipped, not
    # waited for, so concurrent senders take disjoint batches. (SQLite has one
    # writer at a time and no row locks.)
    return list(
        claimable.select_for_update(skip_locked=True).values_list("pk", flat=True)[
            :size
        ]
    )


def among(ids: list[int]) -> Q:
    """These rows, with their id range spelled out: PostgreSQL then reads them
    by index at any list size (with the IN list alone it scans the table
    while the table is small)."""
    if not ids:
        return Q(pk__in=[])
    return Q(pk__in=ids, pk__gte=min(ids), pk__lte=max(ids))


def claim_batch(edition: Edition, worker: str, size: int) -> Batch | None:
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
        Delivery.objects.filter(among(ids), status__in=OPEN).filter(free_q(now)).update(
            claimed_by=worker, claimed_at=now
        )
    rows = (
        Delivery.objects.filter(among(ids), claimed_by=worker, status__in=OPEN)
        .order_by("pk")
        .values_list(
            "pk", "subscriber__email", "subscriber__token", "attempts", "variant_id"
        )
    )
    return Batch(
        edition=edition,
        worker=worker,
        recipients=[Recipient(*row) for row in rows],
        renewed_at=now,
    )


def renew_claim(batch: Batch) -> None:
    """Keep the lease on this batch while working on it."""
    now = timezone.now()
    if now - batch.renewed_at < lease() / 4:
        return
    Delivery.objects.filter(
        among(batch.ids), claimed_by=batch.worker, status__in=OPEN
    ).update(claimed_at=now)
    batch.renewed_at = now


def release(batch: Batch) -> None:
    """Hand back what this sender holds and has not tried."""
    Delivery.objects.filter(
        among(batch.ids), claimed_by=batch.worker, status__in=OPEN
    ).update(claimed_by="")


def next_claimable_at(edition: Edition) -> datetime | None:
    """When a sender may next find work in this edition that none can take
    now: at once if a pending row is free, else when the first lease runs
    out (its sender may have died) or the first retry comes due. None when
    nothing is left to send.
    """
    now = timezone.now()
    rows = Delivery.objects.filter(edition=edition)
    if rows.filter(status=Status.PENDING, claimed_by="").exists():
        return now
    held = rows.filter(status__in=[Status.PENDING, Status.SENDING]).aggregate(
        at=Min("claimed_at")
    )["at"]
    retry = _retries(edition).aggregate(at=Min("claimed_at"))["at"]
    moments = []
    if held:
        moments.append(max(held + lease(), now))
    if retry:
        delay = timedelta(seconds=settings.NEWSLETTER_RETRY_DELAY)
        moments.append(max(retry + delay, now))
    return min(moments, default=None)
