"""Bounces and complaints: who must never be mailed again.

Mail services report them to anymail's tracking webhooks (see webhooks.py),
which send the ``tracking`` signal handled here; an SMTP server's 5xx refusal
at send time is reported by the delivery engine. A hard bounce or a spam
complaint suppresses the subscriber at once; soft bounces are counted and
suppress after NEWSLETTER_SOFT_BOUNCE_LIMIT in a row (a delivered mail starts
the count again). The delivery engine mails confirmed subscribers only, and
checks again just before each mail, so a send already under way skips them.

An event for an unknown or already suppressed address changes nothing, and
so does one already recorded (the same service's event id): services resend
webhooks.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import MailEvent, Subscriber

logger = logging.getLogger(__name__)

Kind = MailEvent.Kind
Reason = Subscriber.SuppressionReason

SUPPRESSES = {Kind.HARD_BOUNCE: Reason.HARD_BOUNCE, Kind.COMPLAINT: Reason.COMPLAINT}


def mail_event_record(
    *,
    email: str,
    kind: Kind,
    source: str,
    event_id: str = "",
    occurred_at: datetime | None = None,
    detail: str = "",
) -> bool:
    """Record one report about an address; True if it changed anything."""
    subscriber = Subscriber.objects.with_email(email or "").first()
    if subscriber is None or subscriber.status == Subscriber.Status.SUPPRESSED:
        return False
    subscribers = Subscriber.objects.filter(pk=subscriber.pk).exclude(
        status=Subscriber.Status.SUPPRESSED
    )
    if kind == Kind.DELIVERED:
        return bool(subscribers.exclude(soft_bounces=0).update(soft_bounces=0))
    now = timezone.now()
    try:
        with transaction.atomic():
            MailEvent.objects.create(
                subscriber=subscriber,
                kind=kind,
                source=source[:40],
                event_id=(event_id or "")[:200],
                occurred_at=occurred_at or now,
                recorded_at=now,
                detail=(detail or "")[:500],
            )
            reason = SUPPRESSES.get(kind)
            if kind == Kind.SOFT_BOUNCE:
                subscribers.update(soft_bounces=F("soft_bounces") + 1)
                if subscribers.filter(
                    soft_bounces__gte=settings.NEWSLETTER_SOFT_BOUNCE_LIMIT
                ).exists():
                    reason = Reason.SOFT_BOUNCES
            if reason is not None:
                subscribers.update(
                    status=Subscriber.Status.SUPPRESSED,
                    suppressed_at=now,
                    suppression_reason=reason,
                    suppression_source=source[:40],
                )
    except IntegrityError:  # this service's event, already recorded
        return False
    return True


def tracking_event_kind(event) -> Kind | None:
    """What an anymail tracking event means for the subscriber, if anything."""
    from anymail.signals import EventType, RejectReason

    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    if event.event_type == EventType.COMPLAINED or (
        event.event_type == EventType.REJECTED
        and event.reject_reason == RejectReason.SPAM
    ):
        return Kind.COMPLAINT
    if event.event_type == EventType.DEFERRED or raw.get("Type") == "SoftBounce":
        return Kind.SOFT_BOUNCE  # Postmark reports soft bounces as "bounced"
    if event.event_type == EventType.BOUNCED or (
        event.event_type == EventType.REJECTED
        and event.reject_reason in {RejectReason.BOUNCED, RejectReason.INVALID}
    ):
        return Kind.HARD_BOUNCE
    if event.event_type == EventType.DELIVERED:
        return Kind.DELIVERED
    return None


def on_tracking_event(sender, event, esp_name, **kwargs) -> None:
    """anymail's ``tracking`` signal: one normalised event from a webhook."""
    kind = tracking_event_kind(event)
    if kind is None or not event.recipient:
        return
    if "\x00" in event.recipient:
        # No subscriber has such an address (and PostgreSQL cannot even
        # compare it): skip this event, keep the rest of the batch.
        logger.warning("Tracking event via %s for an unreadable address", esp_name)
        return
    mail_event_record(
        email=event.recipient,
        kind=kind,
        source=esp_name.lower(),
        event_id=_text(event.event_id),
        occurred_at=event.timestamp,
        detail=_text(event.description or event.mta_response),
    )


def _text(value) -> str:
    """A service's free text as a database stores it: no NUL."""
    return str(value or "").replace("\x00", "")
