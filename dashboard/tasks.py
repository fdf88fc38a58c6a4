"""The dashboard's costly sums, made by the task worker before they expire
(memo.py), so an editor's request does not wait for them."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from taskqueue.policy import recurring, run_again

from .edition_tables import last_edition
from .figure_tables import most_read_table
from .memo import REFRESH_SECONDS
from .page import MOST_READ_PERIODS


def sums_refresh() -> int:
    """Make every kept sum anew; how many."""
    for days in MOST_READ_PERIODS:
        most_read_table(days=days, refresh=True)
    last_edition(with_clicks=False, refresh=True)
    return len(MOST_READ_PERIODS) + 1


@recurring
@task()
def keep_dashboard_sums() -> str:
    """Every REFRESH_SECONDS: the most-read tables and the last edition's
    counts made anew. Its next run is enqueued first, so a failure cannot
    stop it."""
    run_again(keep_dashboard_sums, after=timedelta(seconds=REFRESH_SECONDS))
    return f"{sums_refresh()} dashboard sum(s) made anew at {timezone.now():%H:%M:%S}"
