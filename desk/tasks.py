"""Desk work done by the task worker: removing the covers kept across
validation errors once they expire (desk/staged_uploads.py)."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from taskqueue.policy import recurring, run_again

from . import staged_uploads

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
