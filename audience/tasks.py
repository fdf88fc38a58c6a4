"""The readers' figures' housekeeping, done by the task worker.

Counting itself needs no worker: each web process writes its own batches
(flush.py); a task runs in another process and cannot see them.
"""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from taskqueue.policy import recurring, run_again

from .retention import figures_delete_expired
from .visitors import close_days

# Days are closed within this long of visitors.CLOSING_GRACE after midnight,
# and expired figures go within this long of their last day.
TIDY_EVERY = timedelta(minutes=30)


@recurring
@task()
def tidy_figures() -> str:
    """Every TIDY_EVERY: close the days that are over (their visitors frozen
    into SiteDay, their marks and salt deleted) and delete the figures older
    than AudienceSettings.keep_days. Its next run is enqueued first, so a
    failure cannot stop it; both steps are safe to run again."""
    now = timezone.now()
    run_again(tidy_figures, after=TIDY_EVERY, now=now)
    closed = close_days(now=now)
    deleted = figures_delete_expired(today=timezone.localdate(now))
    return f"{closed} day(s) closed, {deleted} expired row(s) deleted"
