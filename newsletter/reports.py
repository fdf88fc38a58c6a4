"""What happened after an edition went out: bounces, complaints, unsubscriptions.

Bounce and complaint reports (``MailEvent``, see bounces.py) and
unsubscriptions name a subscriber and a time, not an edition: mail services
report their own message ids, which the delivery rows do not keep. So each
one is tied to an edition through the delivery rows, by one rule: it belongs
to the edition whose mail was last handed to that subscriber's mail server
at or before the moment it happened (a delivery sent, or refused with a 5xx,
which is the SMTP hard bounce itself). A subscriber who unsubscribes a day
after edition 7 and before edition 8 reached them counts for edition 7.
"""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from .models import Delivery, MailEvent, Subscriber

BOUNCES = [MailEvent.Kind.HARD_BOUNCE, MailEvent.Kind.SOFT_BOUNCE]
COMPLAINTS = [MailEvent.Kind.COMPLAINT]


@dataclass(frozen=True)
class EditionOutcome:
    """Distinct subscribers per outcome of one edition."""

    bounced: int = 0
    complained: int = 0
    unsubscribed: int = 0


def last_edition_before(subscriber_ref: str, moment_ref: str) -> Subquery:
    """The id of the edition last handed over to a subscriber by a moment.

    ``subscriber_ref`` and ``moment_ref`` name fields of the outer query.
    """
    handed_over = Q(status=Delivery.Status.SENT) | Q(failure=Delivery.Failure.REFUSED)
    return Subquery(
        Delivery.objects.filter(handed_over, subscriber=OuterRef(subscriber_ref))
        .annotate(handed_over_at=Coalesce("sent_at", "claimed_at"))
        .filter(handed_over_at__lte=OuterRef(moment_ref))
        .order_by("-handed_over_at", "-pk")
        .values("edition_id")[:1]
    )


def edition_outcomes(editions) -> dict[int, EditionOutcome]:
    """Outcomes of the editions given (any number): two queries in all."""
    ids = [edition.pk for edition in editions]
    started = [edition.started_at for edition in editions if edition.started_at]
    if not started:  # nothing went out yet
        return {pk: EditionOutcome() for pk in ids}
    since = min(started)  # nothing earlier can belong to these editions
    events = (
        MailEvent.objects.filter(kind__in=BOUNCES + COMPLAINTS, occurred_at__gte=since)
        .annotate(edition_ref=last_edition_before("subscriber_id", "occurred_at"))
        .filter(edition_ref__in=ids)
        .order_by()
        .values("edition_ref")
        .annotate(
            bounced=Count("subscriber", distinct=True, filter=Q(kind__in=BOUNCES)),
            complained=Count(
                "subscriber", distinct=True, filter=Q(kind__in=COMPLAINTS)
            ),
        )
    )
    unsubscribed = (
        Subscriber.objects.filter(unsubscribed_at__gte=since)
        .annotate(edition_ref=last_edition_before("pk", "unsubscribed_at"))
        .filter(edition_ref__in=ids)
        .order_by()
        .values("edition_ref")
        .annotate(count=Count("pk"))
    )
    counts = {pk: {} for pk in ids}
    for row in events:
        counts[row["edition_ref"]].update(
            bounced=row["bounced"], complained=row["complained"]
        )
    for row in unsubscribed:
        counts[row["edition_ref"]]["unsubscribed"] = row["count"]
    return {pk: EditionOutcome(**values) for pk, values in counts.items()}
