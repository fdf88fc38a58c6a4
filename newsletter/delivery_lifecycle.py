"""An edition's sending from start to finish, and an editor's resend.

Starting fixes the recipients exactly once; finishing marks the edition sent
when nothing is left to try; rows a dead sender left in ``sending`` become
failures of unknown outcome (see delivery.py for why they are not retried),
which only an editor's deliberate resend reopens.
"""

from collections import Counter
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .audience import Share, edition_shares
from .delivery_claims import among, lease
from .models import Delivery, Edition, EditionArticle, EditionVariant

Status = Delivery.Status


def start_sending(edition: Edition, now: datetime) -> None:
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
        _fix_recipients(edition, now)
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


def _fix_recipients(edition: Edition, now: datetime) -> None:
    """One Delivery per subscriber who gets a mail, inserted in chunks, each
    pointing at its variant: the articles their topics give them
    (newsletter/audience.py). The variants record how many subscribers each
    has, those with nothing in their topics too (no Delivery for them)."""
    variants: dict[Share, EditionVariant] = {}
    grown: set[Share] = set()  # counted in more than one chunk
    for chunk in edition_shares(edition, now):
        in_chunk = Counter(share for _, share in chunk)
        grown |= _count_variants(edition, variants, in_chunk)
        Delivery.objects.bulk_create(
            [
                Delivery(
                    edition_id=edition.pk,
                    subscriber_id=subscriber_id,
                    variant_id=variants[share].pk,
                )
                for subscriber_id, share in chunk
                if share.mailed
            ],
            ignore_conflicts=True,
        )
    EditionVariant.objects.bulk_update(
        [variants[share] for share in grown], ["subscribers"]
    )


def _count_variants(
    edition: Edition, variants: dict[Share, EditionVariant], counts: Counter
) -> set[Share]:
    """Add a chunk's counts to the variants, creating the new ones in one
    insert (a short list, in one chunk, is written once, never updated);
    returns the variants already written whose count grew."""
    new = [share for share in counts if share not in variants]
    seen = counts.keys() - new
    for share in seen:
        variants[share].subscribers += counts[share]
    created = EditionVariant.objects.bulk_create(
        EditionVariant(
            edition=edition,
            article_ids=share.key,
            mailed=share.mailed,
            subscribers=counts[share],
        )
        for share in new
    )
    variants.update(zip(new, created, strict=True))
    return seen


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


def expire_interrupted(edition: Edition) -> None:
    """Rows left in ``sending`` by a sender that died: the mail may have gone."""
    Delivery.objects.filter(
        edition=edition,
        status=Status.SENDING,
        claimed_at__lt=timezone.now() - lease(),
    ).update(
        status=Status.FAILED,
        failure=Delivery.Failure.UNKNOWN,
        retryable=False,
        claimed_by="",
        last_error="The sender stopped while handing this mail over; it may have "
        "been sent, so it is not retried (no one gets an edition twice).",
    )


def finish_if_done(edition: Edition) -> bool:
    """Mark the edition sent when nothing is left to try; True if this did.

    The edition's row is locked first, as deliveries_reopen_unknown locks it,
    so a resend reopening deliveries meanwhile is either seen here or comes
    after (and moves the edition back to ``sending``).
    """
    expire_interrupted(edition)
    in_progress = Q(status__in=[Status.PENDING, Status.SENDING]) | Q(
        status=Status.FAILED,
        retryable=True,
        attempts__lt=settings.NEWSLETTER_MAX_ATTEMPTS,
    )
    with transaction.atomic():
        sending = Edition.objects.filter(pk=edition.pk, status=Edition.Status.SENDING)
        if not _lock(sending) or edition.deliveries.filter(in_progress).exists():
            return False
        return bool(
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
        Delivery.objects.filter(among(reopened)).filter(Delivery.unknown_q()).update(
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
