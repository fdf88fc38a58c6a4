"""Newsletter work done by the task worker (`manage.py db_worker`), never in a
request.

Each task is small and re-checks, when it runs, that its work is still to be
done: it may run late, twice (a retry after a lost worker), or after an
editor changed their mind. Sending goes through the exactly-once engine in
delivery.py, so any number of these tasks, several workers and a cron
``send_newsletter`` can work on one edition at the same time.
"""

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.dispatch import receiver
from django.tasks import task
from django.utils import timezone

from taskqueue.policy import recover_stalled, recurring, run_again

from .delivery import SendReport, edition_send
from .editions import edition_create_due, editions_send_due
from .handoffs import (
    confirmation_wanted,
    confirmations_wanted,
    sending_wanted,
    welcome_wanted,
)
from .models import Edition, Subscriber
from .retention import subscribers_delete_unconfirmed
from .subscribers import subscriber_send_confirmation
from .welcome import subscriber_send_welcome

# A reader waits for the confirmation mail: it goes before sending work.
CONFIRMATION_PRIORITY = 10
# Unconfirmed sign-ups go within an hour of their days (retention.py).
RETENTION_SWEEP_EVERY = timedelta(hours=1)


@task(priority=CONFIRMATION_PRIORITY)
def send_confirmation(*, subscriber_id: int, force: bool = False) -> str:
    """Mail a confirmation link if the subscriber still waits for one.

    A mail server that fails raises, so the worker retries the task later.
    """
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return "subscriber deleted"
    sent = subscriber_send_confirmation(subscriber=subscriber, force=force)
    return "sent" if sent else "not needed (confirmed, unsubscribed or throttled)"


@task(priority=CONFIRMATION_PRIORITY)
def send_welcome(*, subscriber_id: int) -> str:
    """Mail the welcome for the subscriber's confirmation, unless it went out
    already (a retry, a second worker) or they are no longer confirmed."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return "subscriber deleted"
    sent = subscriber_send_welcome(subscriber=subscriber)
    return "sent" if sent else "not needed (sent already, or not confirmed)"


def _slice_deadline():
    """should_stop for the engine: true once this task has had its turn."""
    deadline = time.monotonic() + settings.NEWSLETTER_SEND_SLICE_SECONDS
    return lambda: time.monotonic() > deadline


def _summary(report: SendReport) -> str:
    return f"{report.sent} sent, {report.failed} failed, {report.skipped} skipped"


@task()
def send_edition(*, edition_id: int) -> str:
    """Send an edition if it is due now (scheduled and its time has come, or
    already sending); an unscheduled or rescheduled edition is left alone.

    After NEWSLETTER_SEND_SLICE_SECONDS it hands over to a fresh task, so
    confirmation mails are not held up behind a long edition.
    """
    edition = Edition.objects.due().filter(pk=edition_id).first()
    if edition is None:
        return "not due"
    report = edition_send(edition=edition, should_stop=_slice_deadline())
    if report.stopped:
        send_edition.enqueue(edition_id=edition_id)
    return _summary(report) + (" (continues)" if report.stopped else "")


def enqueue_sending(*, edition: Edition, when: datetime | None = None) -> None:
    """Have the worker send ``edition`` at ``when`` (now if None or past).

    A backend that cannot run tasks later (Django's ImmediateBackend) gets
    nothing for a future time: the newsletter clock sends it when due.
    """
    task_ = send_edition
    if when and when > timezone.now():
        if not task_.get_backend().supports_defer:
            return
        task_ = task_.using(run_after=when)
    task_.enqueue(edition_id=edition.pk)


# The services' hand-overs (newsletter/handoffs.py): they send, tasks enqueue.
@receiver(confirmation_wanted, dispatch_uid="newsletter-confirmation-task")
def _on_confirmation_wanted(sender, *, subscriber, force, **kwargs):
    send_confirmation.enqueue(subscriber_id=subscriber.pk, force=force)


@receiver(welcome_wanted, dispatch_uid="newsletter-welcome-task")
def _on_welcome_wanted(sender, *, subscriber, **kwargs):
    send_welcome.enqueue(subscriber_id=subscriber.pk)


@receiver(sending_wanted, dispatch_uid="newsletter-sending-task")
def _on_sending_wanted(sender, *, edition, when, **kwargs):
    enqueue_sending(edition=edition, when=when)


@recurring
@task()
def newsletter_clock() -> str:
    """Every NEWSLETTER_CLOCK_SECONDS: what a cron ``send_newsletter`` does.

    It enqueues its own next run first, so a failure here cannot stop the
    clock, and ``run_again`` keeps one waiting run, so the clock cannot
    multiply. It then recovers tasks whose worker was lost, creates the
    week's edition once its weekday and time have come (at most one per week:
    ``period_end`` is unique in the database, so concurrent clocks, workers
    and cron runs create it once) and sends what is due, for one slice.
    """
    now = timezone.now()
    run_again(
        newsletter_clock,
        after=timedelta(seconds=settings.NEWSLETTER_CLOCK_SECONDS),
        now=now,
    )
    recovered = recover_stalled(now=now)
    created = edition_create_due(now=now)
    if created:
        enqueue_sending(edition=created, when=created.scheduled_for)
    results = editions_send_due(should_stop=_slice_deadline())
    parts = [f"{recovered} stalled task(s) recovered"]
    if created:
        parts.append(f"created edition {created.pk}")
    parts += [
        f"edition {edition.pk}: {_summary(report)}" for edition, report in results
    ]
    return "; ".join(parts)


@task(priority=CONFIRMATION_PRIORITY)
def send_confirmations(*, subscriber_ids: list[int]) -> str:
    """send_confirmation for many subscribers (an import's pending ones),
    one task instead of one each. The same throttle applies; a mail that
    fails is handed to its own send_confirmation task, retried as usual."""
    sent = 0
    for subscriber in Subscriber.objects.filter(pk__in=subscriber_ids).iterator():
        try:
            sent += subscriber_send_confirmation(subscriber=subscriber)
        except Exception:
            send_confirmation.enqueue(subscriber_id=subscriber.pk)
    return f"{sent} of {len(subscriber_ids)} sent"


@receiver(confirmations_wanted, dispatch_uid="newsletter-confirmations-task")
def _on_confirmations_wanted(sender, *, subscriber_ids, **kwargs):
    send_confirmations.enqueue(subscriber_ids=subscriber_ids)


@recurring
@task()
def delete_unconfirmed_signups() -> str:
    """Every RETENTION_SWEEP_EVERY: delete the sign-ups never confirmed
    within NEWSLETTER_UNCONFIRMED_DAYS (its next run is enqueued first, so a
    failure cannot stop it)."""
    now = timezone.now()
    run_again(delete_unconfirmed_signups, after=RETENTION_SWEEP_EVERY, now=now)
    deleted = subscribers_delete_unconfirmed(now=now)
    return f"{deleted} unconfirmed sign-up(s) deleted"
