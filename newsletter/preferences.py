"""A subscriber's own choices, made on their preference page
(newsletter/preference_views.py): topics, a pause, and what is stored about
them.

Every write names the subscriber by the row the page's link found, never by
anything in the form, and changes only a subscription that is still on
(pending or confirmed): unsubscribing is subscribers.subscriber_unsubscribe.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from taggit.models import Tag

from . import consent
from .models import Delivery, Subscriber

# The pauses offered, in weeks.
PAUSE_WEEKS = (1, 2, 4, 8, 12)
# Statuses whose preferences may still change.
ACTIVE = (Subscriber.Status.PENDING, Subscriber.Status.CONFIRMED)


def is_active(subscriber: Subscriber) -> bool:
    return subscriber.status in ACTIVE


def _active_row(subscriber: Subscriber):
    return Subscriber.objects.filter(pk=subscriber.pk, status__in=ACTIVE)


def subscriber_set_topics(*, subscriber: Subscriber, topics: Iterable[Tag]) -> bool:
    """Send this subscriber only ``topics`` (none: every topic); True if the
    subscription is still on and the choice was stored."""
    with transaction.atomic():
        if not _active_row(subscriber).select_for_update().exists():
            return False
        subscriber.topics.set(list(topics))
    return True


def subscriber_pause(
    *, subscriber: Subscriber, weeks: int, now: datetime | None = None
) -> bool:
    """No digest for ``weeks`` weeks from now; True if the pause was stored."""
    if weeks not in PAUSE_WEEKS:
        raise ValueError(f"A pause is one of {PAUSE_WEEKS} weeks, not {weeks!r}.")
    until = (now or timezone.now()) + timedelta(weeks=weeks)
    return bool(_active_row(subscriber).update(paused_until=until))


def subscriber_resume(*, subscriber: Subscriber) -> bool:
    """End a pause now; True if the subscription is still on."""
    return bool(_active_row(subscriber).update(paused_until=None))


def is_paused(subscriber: Subscriber, now: datetime | None = None) -> bool:
    until = subscriber.paused_until
    return until is not None and until > (now or timezone.now())


def editions_received(subscriber: Subscriber):
    """The editions mailed to this subscriber (their sent deliveries), newest
    first."""
    return (
        subscriber.deliveries.filter(status=Delivery.Status.SENT)
        .select_related("edition")
        .order_by("-sent_at", "-pk")
    )


def consent_record(subscriber: Subscriber) -> str:
    """What this subscriber agreed to, in words: the text beside the form for
    their version, or, for an address an editor imported from another
    service, what the file said of its consent and the editor's statement of
    where the list came from (stored with the import)."""
    if subscriber.source_import_id is None:
        return consent.TEXTS.get(subscriber.consent_version, "")
    statement = subscriber.source_import.consent_statement.strip()
    parts = [
        subscriber.source,
        f"The editor's statement: {statement}" if statement else "",
    ]
    return " ".join(part for part in parts if part)


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def subscriber_data(*, subscriber: Subscriber) -> dict:
    """Everything stored about this subscriber, as plain data (three queries:
    topics, editions received, mail events)."""
    agreed = consent_record(subscriber)
    return {
        "email": subscriber.email,
        "status": subscriber.status,
        "status_label": subscriber.get_status_display(),
        "signed_up_at": _moment(subscriber.signed_up_at),
        "sign_up_page": subscriber.source,
        "consent": {"version": subscriber.consent_version, "text": agreed},
        "confirmed_at": _moment(subscriber.confirmed_at),
        "welcome_mail_for_confirmation_at": _moment(subscriber.welcome_sent_for),
        "paused_until": _moment(subscriber.paused_until),
        "unsubscribed_at": _moment(subscriber.unsubscribed_at),
        "unsubscribe_method": subscriber.unsubscribe_method,
        "suppressed_at": _moment(subscriber.suppressed_at),
        "suppression_reason": subscriber.suppression_reason,
        "last_confirmation_mail_at": _moment(subscriber.last_confirmation_sent_at),
        "topics": sorted(tag.name for tag in subscriber.topics.all()) or "all",
        "editions_received": [
            {
                "subject": delivery.edition.subject,
                "sent_at": _moment(delivery.sent_at),
                "edition": delivery.edition_id,
            }
            for delivery in editions_received(subscriber)
        ],
        "mail_events": [
            {
                "kind": event.kind,
                "source": event.source,
                "occurred_at": _moment(event.occurred_at),
                "detail": event.detail,
            }
            for event in subscriber.mail_events.all()
        ],
    }
