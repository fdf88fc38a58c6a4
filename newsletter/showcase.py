"""What the sign-up page shows to sell the newsletter: the latest edition's
articles, the past editions and, above the editors' threshold, how many read
it (rounded down, never the exact count).

The page is cached for every anonymous reader (reader/pagecache.py): a new
edition going out and a change to the settings make it stale at once
(newsletter/signals.py); a changed number of readers shows when the stored
copy expires (PAGE_CACHE_SECONDS), as the number is rounded anyway.
"""

from dataclasses import dataclass, field
from datetime import time

from django.conf import settings

from .editions import arrival_time
from .models import Edition, NewsletterSettings, Subscriber

# Past editions listed below the latest one; the archive has them all.
PAST_EDITIONS = 5
# Articles of the latest edition shown; the edition's page has the rest.
LATEST_ARTICLES = 6
# Below this "more than N readers" has nothing friendly to say.
SMALLEST_STEP = 10


def reader_count_floor(count: int) -> int | None:
    """The friendly round number just below ``count``, for "more than N readers".

    ``count - 1`` rounded down to two significant figures, in steps of at
    least ten: 1,234 gives 1,200, 1,200 gives 1,100 (the claim stays true and
    is never the exact count), 987 gives 980, 45 gives 40. None for 10 or fewer
    readers, where no such number is left.
    """
    below = count - 1
    if below < SMALLEST_STEP:
        return None
    step = max(SMALLEST_STEP, 10 ** (len(str(below)) - 2))
    return below // step * step


def readers_shown() -> int | None:
    """The rounded number of readers for the sign-up page, or None when it is
    not to be shown: the editors' threshold is 0 (never) or not reached yet."""
    threshold = NewsletterSettings.load().reader_count_threshold
    if threshold == 0:
        return None
    count = Subscriber.objects.confirmed().count()
    return reader_count_floor(count) if count >= threshold else None


def time_zone_label() -> str:
    """The site's time zone as readers say it: "London time", "UTC"."""
    name = settings.TIME_ZONE
    return f"{name.rpartition('/')[2].replace('_', ' ')} time" if "/" in name else name


@dataclass
class Showcase:
    latest: Edition | None = None
    articles: list = field(default_factory=list)
    more_articles: int = 0  # in the latest edition, beyond those shown
    past: list[Edition] = field(default_factory=list)
    readers: int | None = None
    send_time: time | None = None  # about when the digest arrives
    time_zone: str = ""


def showcase() -> Showcase:
    """Everything the sign-up page shows around its form, in four queries:
    the settings row, the count of readers (only when a threshold is set),
    the latest editions, the latest one's live articles."""
    editions = list(
        Edition.objects.archived()
        .order_by("-started_at", "-pk")
        .only("subject", "intro", "started_at")[: PAST_EDITIONS + 1]
    )
    latest = editions[0] if editions else None
    entries = list(latest.live_articles()) if latest else []
    return Showcase(
        latest=latest,
        articles=[entry.article for entry in entries[:LATEST_ARTICLES]],
        more_articles=max(0, len(entries) - LATEST_ARTICLES),
        past=editions[1:],
        readers=readers_shown(),
        send_time=arrival_time(),
        time_zone=time_zone_label(),
    )
