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
from django_tasks_db.backend import DatabaseBackend

from taskqueue.policy import keep_copies, recover_stalled, recurring, run_again

from .delivery import SendReport, edition_send
from .delivery_claims import next_claimable_at
from .delivery_lifecycle import start_sending
from .editions import edition_create_due
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
# Digest slices yield to every other task (their copies wait in the queue
# for any free worker; each slice lasts NEWSLETTER_SEND_SLICE_SECONDS).
SENDING_PRIORITY = -10
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


@task(priority=SENDING_PRIORITY, takes_context=True)
def send_edition(context, *, edition_id: int) -> str:
    """Send an edition if it is due now (scheduled and its time has come, or
    already sending); an unscheduled or rescheduled edition is left alone.

    The first run fixes the recipients; every run then makes sure the edition
    has NEWSLETTER_SENDING_TASKS copies of this task waiting or running, so
    every free worker sends a share (each claims its own batches through the
    exactly-once engine). After NEWSLETTER_SEND_SLICE_SECONDS a run hands
    over to a fresh copy, so other work is not held up behind a long
    edition. A run that finds nothing left to claim while rows are still
    held (a killed worker's, under their lease) or wait for a retry hands
    over to a copy at the moment they can be claimed.
    """
    edition = Edition.objects.due().filter(pk=edition_id).first()
    if edition is None:
        return "not due"
    own = str(context.task_result.id)
    start_sending(edition, timezone.now())  # once; the copies find it done
    spread_sending(edition_id=edition_id)
    report = edition_send(edition=edition, should_stop=_slice_deadline())
    if report.finished:
        return _summary(report)
    if report.stopped:
        _hand_over(edition_id, own=own)
        return _summary(report) + " (continues)"
    when = next_claimable_at(edition)
    if when is not None and _hand_over(edition_id, own=own, when=when):
        return _summary(report) + f" (the rest once claimable, at {when:%H:%M:%S})"
    return _summary(report)


def spread_sending(
    *, edition_id: int, excluding: str | None = None, when: datetime | None = None
) -> int:
    """Keep NEWSLETTER_SENDING_TASKS copies of send_edition for this edition
    waiting or running (a running one counts while it may still be alive:
    started within a slice and a lease); returns how many it enqueued."""
    alive_for = timedelta(
        seconds=settings.NEWSLETTER_SEND_SLICE_SECONDS
        + settings.NEWSLETTER_CLAIM_TIMEOUT
    )
    return keep_copies(
        send_edition,
        copies=max(1, settings.NEWSLETTER_SENDING_TASKS),
        kwargs={"edition_id": edition_id},
        alive_for=alive_for,
        excluding=excluding,
        run_after=when,
    )


def _hand_over(edition_id: int, *, own: str, when: datetime | None = None) -> bool:
    """A run ending with work left: a fresh copy replaces it (at ``when``).
    Without a task queue to count copies in (Django's ImmediateBackend) the
    next slice simply runs."""
    if isinstance(send_edition.get_backend(), DatabaseBackend):
        return bool(spread_sending(edition_id=edition_id, excluding=own, when=when))
    if when is None:
        send_edition.enqueue(edition_id=edition_id)
        return True
    return False


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
    and cron runs create it once) and makes sure every edition that is due
    has its sending tasks (one left without, or whose worker was killed,
    gets them back; spread_sending never adds more than it keeps).
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
    parts = [f"{recovered} stalled task(s) recovered"]
    if created:
        parts.append(f"created edition {created.pk}")
    for edition in Edition.objects.due(now):
        spread = spread_sending(edition_id=edition.pk)
        parts.append(f"edition {edition.pk}: {spread} sending task(s) added")
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
