"""Newsletter subscribers: sign-up, confirmation mail, confirmation, unsubscription."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from .emails import confirmation_message
from .handoffs import confirmation_wanted, welcome_wanted
from .models import Subscriber

CONFIRMATION_INTERVAL = timedelta(minutes=10)
CONFIRMATIONS_PER_DAY = 3


def subscriber_signup(*, email: str, source: str, consent_version: str) -> Subscriber:
    """Record a sign-up of a normalised address and have a confirmation mailed.

    Idempotent and safe under concurrency: the insert is INSERT ... ON
    CONFLICT DO NOTHING (INSERT OR IGNORE on SQLite), so simultaneous sign-ups
    of one address leave one row, which everybody then reads. A confirmed
    subscriber is left as is; anyone else becomes pending and needs to confirm
    (again). No mail is sent here: a task is enqueued for every sign-up,
    whatever the address's state, so the request does the same work for a
    new, a pending and a confirmed address and never waits for a mail
    server. The task decides whether a mail goes out.

    One transaction: the row and its confirmation task (a row in the same
    database) are kept together or not at all, so a database that goes away
    midway never leaves a sign-up no mail will follow.
    """
    now = timezone.now()
    fields = {"source": source, "consent_version": consent_version}
    with transaction.atomic():
        Subscriber.objects.bulk_create(
            [Subscriber(email=email, signed_up_at=now, **fields)],
            ignore_conflicts=True,
        )
        # Suppressed (bounced for good, or complained) stays so: never mailed.
        Subscriber.objects.with_email(email).exclude(
            status__in=[Subscriber.Status.CONFIRMED, Subscriber.Status.SUPPRESSED]
        ).update(status=Subscriber.Status.PENDING, signed_up_at=now, **fields)
        subscriber = Subscriber.objects.with_email(email).get()
        confirmation_wanted.send(sender=Subscriber, subscriber=subscriber, force=False)
    return subscriber


def subscriber_resend_confirmation(*, subscriber: Subscriber) -> bool:
    """An editor's resend: enqueue a mail that skips the throttle; True if
    the subscriber is pending (others get none)."""
    if subscriber.status != Subscriber.Status.PENDING:
        return False
    confirmation_wanted.send(sender=Subscriber, subscriber=subscriber, force=True)
    return True


def subscriber_send_confirmation(
    *, subscriber: Subscriber, force: bool = False
) -> bool:
    """Mail a confirmation link unless the throttle says no; True if it went out.

    Only pending subscribers get one. The throttle (one per 10 minutes, three
    per day) is taken by a single conditional UPDATE, so concurrent runs
    cannot both pass it. ``force`` (an editor's "resend") skips the throttle
    but still records the mail. A mail that fails gives its throttle slot back
    and raises, so the task running this is retried.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    pending = Subscriber.objects.filter(
        pk=subscriber.pk, status=Subscriber.Status.PENDING
    )
    if not force:
        pending = pending.filter(
            Q(last_confirmation_sent_at__isnull=True)
            | Q(last_confirmation_sent_at__lte=now - CONFIRMATION_INTERVAL)
        ).filter(
            ~Q(confirmations_sent_on=today)
            | Q(confirmations_sent_count__lt=CONFIRMATIONS_PER_DAY)
        )
    # Kept to give the slot back if the mail fails; None: the throttle says no.
    previous = pending.values_list("last_confirmation_sent_at").first()
    if previous is None:
        return False
    taken = pending.update(
        last_confirmation_sent_at=now,
        confirmations_sent_count=Case(
            When(confirmations_sent_on=today, then=F("confirmations_sent_count") + 1),
            default=Value(1),
        ),
        confirmations_sent_on=today,
    )
    if not taken:
        return False
    try:
        confirmation_message(subscriber=subscriber, issued_at=now).send()
    except Exception:
        Subscriber.objects.filter(
            pk=subscriber.pk, last_confirmation_sent_at=now
        ).update(
            last_confirmation_sent_at=previous[0],
            confirmations_sent_count=Greatest(F("confirmations_sent_count") - 1, 0),
        )
        raise
    return True


def subscriber_confirm(*, subscriber: Subscriber, issued_at: datetime) -> bool:
    """Confirm a subscriber by a link issued at ``issued_at``.

    True if this call confirmed them, and then a welcome mail is enqueued
    (one per confirmation: a second click confirms nothing); False if the link
    may not confirm them (SubscriberQuerySet.confirmable_q: already confirmed,
    unsubscribed since the link was issued, or suppressed); then nothing
    changes.
    """
    confirmed = bool(
        Subscriber.objects.filter(pk=subscriber.pk)
        .confirmable(issued_at)
        .update(status=Subscriber.Status.CONFIRMED, confirmed_at=timezone.now())
    )
    if confirmed:
        welcome_wanted.send(sender=Subscriber, subscriber=subscriber)
    return confirmed


def subscriber_unsubscribe(
    *, subscriber: Subscriber, method: Subscriber.UnsubscribeMethod
) -> bool:
    """Unsubscribe at once; True if this call changed anything."""
    return bool(
        Subscriber.objects.filter(pk=subscriber.pk)
        .exclude(
            status__in=[Subscriber.Status.UNSUBSCRIBED, Subscriber.Status.SUPPRESSED]
        )
        .update(
            status=Subscriber.Status.UNSUBSCRIBED,
            unsubscribed_at=timezone.now(),
            unsubscribe_method=method,
        )
    )
