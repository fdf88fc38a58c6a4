"""When an article last changed, as feeds and search engines are told."""

from datetime import date, datetime, time

from django.utils import timezone


def date_modified(
    published_at: datetime | None, updated_at: datetime | None, reviewed_at: date | None
) -> datetime | None:
    """``Article.date_modified`` from the three columns (no model needed)."""
    if reviewed_at and reviewed_at > timezone.localdate():
        reviewed_at = None
    return latest_change(published_at, updated_at, reviewed_at)


def latest_change(*moments: datetime | date | None) -> datetime | None:
    """The latest of publish, update and review dates (a date counts from its
    start), or None when there is none."""
    moments = [
        moment
        if isinstance(moment, datetime)
        else timezone.make_aware(datetime.combine(moment, time.min))
        for moment in moments
        if moment
    ]
    return max(moments, default=None)
