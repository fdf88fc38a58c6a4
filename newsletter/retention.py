"""How long the newsletter keeps what it keeps: a sign-up never confirmed is
deleted NEWSLETTER_UNCONFIRMED_DAYS days after it came (the privacy page
says so). Run by a recurring task (tasks.delete_unconfirmed_signups)."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import Subscriber

logger = logging.getLogger(__name__)

# Deleted in slices, so a large backlog never holds one long transaction.
BATCH_SIZE = 1000


def unconfirmed_expired(now: datetime):
    """Sign-ups still pending, never confirmed, whose latest sign-up is older
    than NEWSLETTER_UNCONFIRMED_DAYS. An address confirmed once and signed up
    again after unsubscribing keeps its record (its consent history)."""
    cutoff = now - timedelta(days=settings.NEWSLETTER_UNCONFIRMED_DAYS)
    return Subscriber.objects.filter(
        status=Subscriber.Status.PENDING,
        confirmed_at__isnull=True,
        signed_up_at__lt=cutoff,
    )


def subscribers_delete_unconfirmed(*, now: datetime | None = None) -> int:
    """Delete the expired unconfirmed sign-ups; how many. Idempotent.

    Each slice is deleted through the same condition, so an address that
    confirms (or signs up again) while this runs is kept.
    """
    expired = unconfirmed_expired(now or timezone.now())
    deleted = 0
    while ids := list(expired.values_list("pk", flat=True)[:BATCH_SIZE]):
        _, per_model = expired.filter(pk__in=ids).delete()
        deleted += per_model.get(Subscriber._meta.label, 0)
    logger.info(
        "Deleted %d sign-up(s) not confirmed within %d days.",
        deleted,
        settings.NEWSLETTER_UNCONFIRMED_DAYS,
    )
    return deleted
