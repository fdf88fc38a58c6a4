"""Desk work done by the task worker: removing the covers kept across
validation errors once they expire (desk/staged_uploads.py), and the review
mails (desk/reviews.py)."""

from datetime import timedelta

from django.dispatch import receiver
from django.tasks import task
from django.utils import timezone

from taskqueue.policy import recurring, run_again

from . import reviews, staged_uploads
from .handoffs import review_mail_wanted

# Staged covers live a day (staged_uploads.REMOVE_AFTER): an hourly sweep
# keeps the folder to about a day's worth.
STAGED_SWEEP_EVERY = timedelta(hours=1)


@recurring
@task()
def remove_stale_staged_uploads() -> str:
    """Every STAGED_SWEEP_EVERY: delete the staged covers no form can use."""
    now = timezone.now()
    run_again(remove_stale_staged_uploads, after=STAGED_SWEEP_EVERY, now=now)
    removed, kept = staged_uploads.remove_stale(now=now)
    return f"{removed} staged upload(s) removed, {kept} kept"


@task()
def send_review_mail(*, step_id: int) -> str:
    """Mail a review step to whom it concerns, unless it went out already (a
    retry, a second worker: reviews.review_step_mail claims it first)."""
    return reviews.review_step_mail(step_id=step_id)


@receiver(review_mail_wanted, dispatch_uid="desk-review-mail-task")
def _on_review_mail_wanted(sender, *, step, **kwargs):
    send_review_mail.enqueue(step_id=step.pk)
