"""How long the readers' figures are kept: AudienceSettings.keep_days for the
daily figures (the privacy page says how long); visitor marks and day salts
only until their day is closed (visitors.close_days)."""

from datetime import date, timedelta

from django.utils import timezone

from .models import (
    ArticleDay,
    AudienceSettings,
    ReferrerDay,
    SearchDay,
    SignupDay,
    SiteDay,
)

DAILY_FIGURES = (ArticleDay, SiteDay, ReferrerDay, SearchDay, SignupDay)


def oldest_kept(keep_days: int, *, today: date | None = None) -> date:
    """The first day still kept: today and the keep_days - 1 days before."""
    today = today or timezone.localdate()
    return today - timedelta(days=max(keep_days, 1) - 1)


def figures_delete_expired(*, today: date | None = None) -> int:
    """Delete the daily figures older than the editors' keep_days; returns
    how many rows went."""
    first = oldest_kept(AudienceSettings.load().keep_days, today=today)
    return sum(
        model.objects.filter(day__lt=first).delete()[0] for model in DAILY_FIGURES
    )
